package io.certhub.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Order documents for tests, shaped like the foundation issue's example. */
public final class OrderJson {

    /** Shared mapper. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private OrderJson() { }

    /**
     * @param clientReference reference
     * @param productType     product
     * @param handle          save or process
     * @param domain          main domain (must be in the CSR)
     * @param csr             PEM CSR
     * @return the document as a tree (edit it further if needed)
     */
    public static ObjectNode order(String clientReference, String productType, String handle, String domain, String csr) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("clientReference", clientReference);
        o.put("productType", productType);
        o.put("handle", handle);
        o.put("period", 1);
        o.put("domain", domain);
        o.putArray("additionalDomains");
        o.put("csr", csr);
        o.put("serverType", "nginx");
        o.put("approverEmail", "admin@example.com");
        o.put("dcvMethod", "email");
        ObjectNode contacts = o.putObject("contacts");
        ObjectNode admin = contacts.putObject("admin");
        admin.put("firstName", "Alex");
        admin.put("lastName", "Admin");
        admin.put("email", "alex@example.com");
        admin.put("phone", "+1.5555550100");
        ObjectNode org = contacts.putObject("organization");
        org.put("orgName", "Example Inc");
        org.put("address1", "1 Main St");
        org.put("city", "Springfield");
        org.put("state", "IL");
        org.put("postalCode", "62701");
        org.put("country", "US");
        org.put("phone", "+1.5555550100");
        return o;
    }

    /**
     * @param json JSON text
     * @return its tree
     */
    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(json, e);
        }
    }
}
