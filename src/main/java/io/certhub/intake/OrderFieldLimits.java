package io.certhub.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.problem.HubProblem.FieldError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Length limits of the values of an order read from an inbox file, checked on the order's JSON
 * tree before it is bound and validated (issue 16, item 4: a file with one 100 KB field was
 * retried for ever because the database refused the value; now that order alone is refused
 * with {@code FIELD_TOO_LONG} naming the dotted field, and the file ends in {@code failed/}).
 *
 * <p>The limits keep every value within its column of V1 ({@code orders}: client_reference 128,
 * product_type 64, domain 253, approver_email 254 (RFC 5321 path limit), csr 16000,
 * additional_domains 8000) and bound what the report and the validator ever quote from a value:
 * {@link #LIMITS} lists them; contact fields are 128 characters ({@code email} 254), at most
 * {@value #MAX_ADDITIONAL_DOMAINS} additional domains. A CSV cell is a string, so {@code period}
 * has a limit too. Values at paths not listed are left to the binder, which refuses unknown fields.
 */
public final class OrderFieldLimits {

    /** Most entries of {@code additionalDomains} (the largest product covers 25 names). */
    public static final int MAX_ADDITIONAL_DOMAINS = 250;
    /** Most characters of one contact field other than {@code email}. */
    public static final int CONTACT_FIELD = 128;

    /** Limit in characters per dotted path ({@code contacts.*.x} for every contact role). */
    public static final Map<String, Integer> LIMITS;

    static {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("clientReference", 128);
        m.put("productType", 64);
        m.put("handle", 16);
        m.put("period", 16);
        m.put("domain", 253);
        m.put("additionalDomains[]", 253);
        m.put("csr", 16000);
        m.put("serverType", 16);
        m.put("approverEmail", 254);
        m.put("dcvMethod", 16);
        for (String f : List.of("firstName", "lastName", "orgName", "title", "address1", "address2", "address3", "city", "state",
            "postalCode", "country", "phone", "fax")) {
            m.put("contacts.*." + f, CONTACT_FIELD);
        }
        m.put("contacts.*.email", 254);
        LIMITS = Collections.unmodifiableMap(m);
    }

    private OrderFieldLimits() { }

    /**
     * @param order one order's tree (an object; anything else yields no error here)
     * @return one {@code FIELD_TOO_LONG} error per value over its limit, in document order; empty when all fit
     */
    public static List<FieldError> check(JsonNode order) {
        List<FieldError> errors = new ArrayList<>();
        if (order == null || !order.isObject()) {
            return errors;
        }
        order.fields().forEachRemaining(e -> {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("contacts") && v.isObject()) {
                v.fields().forEachRemaining(role -> {
                    if (role.getValue().isObject()) {
                        role.getValue().fields().forEachRemaining(f ->
                            text(errors, "contacts." + role.getKey() + "." + f.getKey(), "contacts.*." + f.getKey(), f.getValue()));
                    }
                });
            } else if (name.equals("additionalDomains") && v.isArray()) {
                if (v.size() > MAX_ADDITIONAL_DOMAINS) {
                    errors.add(new FieldError("FIELD_TOO_LONG", "additionalDomains", "additionalDomains has " + v.size()
                        + " names; at most " + MAX_ADDITIONAL_DOMAINS + " are read"));
                    return;
                }
                for (int i = 0; i < v.size(); i++) {
                    text(errors, "additionalDomains[" + i + "]", "additionalDomains[]", v.get(i));
                }
            } else {
                text(errors, name, name, v);
            }
        });
        return errors;
    }

    private static void text(List<FieldError> errors, String path, String key, JsonNode v) {
        Integer limit = LIMITS.get(key);
        if (limit == null || v == null || !v.isTextual()) {
            return;
        }
        int length = v.textValue().length();
        if (length > limit) {
            errors.add(new FieldError("FIELD_TOO_LONG", path, path + " has " + length + " characters; at most " + limit + " are allowed"));
        }
    }
}
