package io.certhub.issuer.opensrs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An OpenSRS reply, read from the top map that {@link OpsCodec#decode} returns.
 *
 * <p>Shape (opensrs-trust-api.md, "Envelope": "A reply's top map holds {@code protocol},
 * {@code action=REPLY}, {@code object}, {@code is_success} (1/0), {@code response_code},
 * {@code response_text} and {@code attributes}").
 *
 * @param isSuccess    {@code is_success} was {@code 1} (or {@code true})
 * @param responseCode {@code response_code}, an OpenSRS code (not an HTTP status), e.g. 200,
 *                     400, 435, 440, 486, 705
 * @param responseText {@code response_text}, the vendor's wording; {@code ""} when absent
 * @param action       the reply's {@code action}, normally {@code REPLY}; {@code ""} when absent
 * @param attributes   the reply's {@code attributes} map (values String, List or Map as decoded);
 *                     empty when absent; unmodifiable, insertion-ordered
 */
public record OpsReply(boolean isSuccess, int responseCode, String responseText, String action,
                       Map<String, Object> attributes) {

    /**
     * How the hub should react to a reply (opensrs-trust-api.md, "Response codes worth mapping").
     */
    public enum Outcome {
        /** {@code is_success=1} and code 200: the action was done. */
        SUCCESS,
        /**
         * A definite refusal of this request: codes 435 (permission denied, product not
         * enabled) and 440 (insufficient funds at the vendor), and any other 4xx code except
         * 400 and 486 when {@code is_success=0} (a validation refusal). Nothing was done;
         * resending the same request will be refused again.
         */
        REFUSED,
        /** Code 400: authentication or caller IP refused. A configuration error: alert, do not retry. */
        AUTH_FAILED,
        /**
         * Code 486 (entity already being processed), 5xx and 7xx other than 705 (supplier
         * communication errors): retry later with backoff.
         */
        TRANSIENT,
        /**
         * Code 705 (timed out, resubmit) and any reply that contradicts itself or is not
         * understood, notably {@code is_success=0} with code 200: the vendor may or may not
         * have acted. Look the order up ({@code get_order_info}) before sending again.
         */
        AMBIGUOUS
    }

    /**
     * Normalises the components: null texts become {@code ""}, attributes are copied into an
     * unmodifiable insertion-ordered map (null values allowed).
     *
     * @param isSuccess    {@code is_success} as a boolean
     * @param responseCode the OpenSRS response code
     * @param responseText the vendor's text; null → {@code ""}
     * @param action       the reply's action; null → {@code ""}
     * @param attributes   the reply's attributes; null → empty
     */
    public OpsReply {
        responseText = responseText == null ? "" : responseText;
        action = action == null ? "" : action;
        attributes = attributes == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /**
     * Reads a reply's top map.
     *
     * @param top the map {@link OpsCodec#decode} returned for a reply
     * @return the reply
     * @throws NullPointerException  if {@code top} is null
     * @throws OpsProtocolException  if {@code response_code} is missing or not an integer,
     *                               {@code is_success} is missing or not 0/1/true/false, or
     *                               {@code attributes} is present but not a map
     */
    public static OpsReply from(Map<String, Object> top) {
        Objects.requireNonNull(top, "top");
        boolean success = parseFlag(top.get("is_success"));
        int code = parseCode(top.get("response_code"));
        Object attrs = top.get("attributes");
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (attrs instanceof Map<?, ?> m) {
            m.forEach((k, v) -> attributes.put(String.valueOf(k), v));
        } else if (attrs != null && !(attrs instanceof String s && s.isBlank())) {
            throw new OpsProtocolException("OPS reply attributes is not a dt_assoc but "
                    + attrs.getClass().getSimpleName());
        }
        return new OpsReply(success, code, text(top.get("response_text")), text(top.get("action")),
                attributes);
    }

    /**
     * Classifies the reply; see {@link Outcome} for each class. An HTTP 200 carrying
     * {@code is_success=0} is never {@link Outcome#SUCCESS}.
     *
     * <p>Rules, first match wins: 705 → AMBIGUOUS; 400 → AUTH_FAILED; {@code is_success=1} and
     * 200 → SUCCESS; 486, 500–599, 700–799 → TRANSIENT; 435, 440 → REFUSED;
     * {@code is_success=0} and 401–499 → REFUSED; anything else → AMBIGUOUS.
     *
     * @return the outcome, never null
     */
    public Outcome classify() {
        int c = responseCode;
        if (c == 705) {
            return Outcome.AMBIGUOUS;
        }
        if (c == 400) {
            return Outcome.AUTH_FAILED;
        }
        if (isSuccess && c == 200) {
            return Outcome.SUCCESS;
        }
        if (c == 486 || (c >= 500 && c <= 599) || (c >= 700 && c <= 799)) {
            return Outcome.TRANSIENT;
        }
        if (c == 435 || c == 440) {
            return Outcome.REFUSED;
        }
        if (!isSuccess && c >= 400 && c <= 499) {
            return Outcome.REFUSED;
        }
        return Outcome.AMBIGUOUS;
    }

    /**
     * A scalar attribute as text.
     *
     * @param key the attribute name, e.g. {@code order_id}, {@code state}
     * @return its text, or {@code null} when absent or not a scalar (a map or list)
     */
    public String attributeText(String key) {
        Object v = attributes.get(key);
        return v == null || v instanceof Map || v instanceof List ? null : v.toString();
    }

    private static boolean parseFlag(Object v) {
        String s = v == null ? null : v.toString().trim();
        if ("1".equals(s) || "true".equalsIgnoreCase(s)) {
            return true;
        }
        if ("0".equals(s) || "false".equalsIgnoreCase(s)) {
            return false;
        }
        throw new OpsProtocolException("OPS reply is_success is " + (s == null ? "missing" : "not 0 or 1: '" + excerpt(s) + "'"));
    }

    private static int parseCode(Object v) {
        if (v == null) {
            throw new OpsProtocolException("OPS reply response_code is missing");
        }
        String s = v.toString().trim();
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new OpsProtocolException("OPS reply response_code is not an integer: '" + excerpt(s) + "'", e);
        }
    }

    private static String text(Object v) {
        return v == null || v instanceof Map || v instanceof List ? "" : v.toString();
    }

    private static String excerpt(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
