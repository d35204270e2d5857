package io.certhub.issuer.opensrs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the top map of an OpenSRS Trust Service request, ready for {@link OpsCodec#encode}.
 *
 * <p>Shape (opensrs-trust-api.md, "Envelope": "A request's top map holds {@code protocol=XCP},
 * {@code action=<ACTION>}, {@code object=trust_service}, and {@code attributes}"):
 * <pre>{@code
 * {protocol: "XCP", action: <action>, object: "trust_service", attributes: {...}}
 * }</pre>
 */
public final class OpsRequest {

    /** The value of {@code protocol} in every request: {@value}. */
    public static final String PROTOCOL = "XCP";

    /** The value of {@code object} in every Trust Service request: {@value}. */
    public static final String OBJECT_TRUST_SERVICE = "trust_service";

    private OpsRequest() {
    }

    /**
     * The top map of a Trust Service request.
     *
     * @param action     the OpenSRS action, e.g. {@code sw_register}, {@code process_pending},
     *                   {@code get_order_info} (sent as given; OpenSRS matches actions without
     *                   regard to case); must not be blank
     * @param attributes the action's fields (values: String, Number, Boolean, Map, List, as
     *                   {@link OpsCodec#encode} accepts; null values are dropped when encoding);
     *                   {@code null} means none. Copied shallowly, in iteration order.
     * @return an unmodifiable insertion-ordered map with the keys {@code protocol},
     *         {@code action}, {@code object}, {@code attributes} (always present, possibly empty)
     * @throws IllegalArgumentException if {@code action} is null or blank
     */
    public static Map<String, Object> of(String action, Map<String, ?> attributes) {
        if (action == null || action.isBlank()) {
            throw new IllegalArgumentException("OPS request action must not be blank");
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (attributes != null) {
            attributes.forEach((k, v) -> attrs.put(Objects.requireNonNull(k, "attribute key"), v));
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("protocol", PROTOCOL);
        top.put("action", action);
        top.put("object", OBJECT_TRUST_SERVICE);
        top.put("attributes", Collections.unmodifiableMap(attrs));
        return Collections.unmodifiableMap(top);
    }
}
