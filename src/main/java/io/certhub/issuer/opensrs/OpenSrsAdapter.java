package io.certhub.issuer.opensrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.issuer.VendorAdapter;
import io.certhub.issuer.VendorException;
import io.certhub.order.Order;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The OpenSRS Trust Service adapter (shared/reference/opensrs-trust-api.md): maps the hub's
 * order (camelCase) to OpenSRS attributes (snake_case, {@code contact_set},
 * {@code server_type}) and back. DCV method {@code http} is OpenSRS {@code file}.
 */
@Component
public class OpenSrsAdapter implements VendorAdapter {

    /** XCP action of a reissue on request: a sandbox extension of the OpenSRS protocol (issue 13 §5). */
    public static final String ACTION_REISSUE = "reissue_cert";
    /** XCP action of a revocation: a sandbox extension of the OpenSRS protocol (issue 13 §5). */
    public static final String ACTION_REVOKE = "revoke_cert";

    private final OpsTransport transport;
    private final ObjectMapper json;
    private final boolean lifecycleActions;

    /**
     * @param transport        signed HTTP calls
     * @param json             Jackson mapper (contacts)
     * @param lifecycleActions {@code hub.vendor.opensrs.lifecycle-actions}: whether the endpoint takes the
     *                         {@value #ACTION_REISSUE} and {@value #ACTION_REVOKE} actions (true for the sandbox
     *                         vendor; false for the real OpenSRS, which offers both only in its CA portal)
     */
    public OpenSrsAdapter(OpsTransport transport, ObjectMapper json,
                          @org.springframework.beans.factory.annotation.Value("${hub.vendor.opensrs.lifecycle-actions:false}") boolean lifecycleActions) {
        this.transport = transport;
        this.json = json;
        this.lifecycleActions = lifecycleActions;
    }

    /** Both lifecycle actions, when {@code hub.vendor.opensrs.lifecycle-actions} is true; none otherwise. */
    @Override
    public boolean supports(LifecycleAction action) {
        return lifecycleActions;
    }

    /**
     * {@value #ACTION_REISSUE} {@code {order_id, csr, reason}} → {@code {order_id, state}} (sandbox
     * extension); refused with {@code UNSUPPORTED} without sending anything when
     * {@code hub.vendor.opensrs.lifecycle-actions} is false.
     */
    @Override
    public String reissue(String vendorOrderId, String csrPem, String reason) {
        if (!supports(LifecycleAction.REISSUE)) {
            throw unsupported(LifecycleAction.REISSUE);
        }
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("order_id", vendorOrderId);
        a.put("csr", csrPem);
        if (reason != null) {
            a.put("reason", reason);
        }
        String state = transport.call(ACTION_REISSUE, a).attributeText("state");
        return state == null ? "completed" : state;
    }

    /**
     * {@value #ACTION_REVOKE} {@code {order_id, serial, reason}} → {@code {order_id, serial, state: revoked}}
     * (sandbox extension; {@code reason} the RFC 5280 name); refused with {@code UNSUPPORTED} without
     * sending anything when {@code hub.vendor.opensrs.lifecycle-actions} is false.
     */
    @Override
    public String revoke(String vendorOrderId, String serialHex, RevocationReason reason) {
        if (!supports(LifecycleAction.REVOKE)) {
            throw unsupported(LifecycleAction.REVOKE);
        }
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("order_id", vendorOrderId);
        a.put("serial", serialHex);
        a.put("reason", reason.rfcName());
        String state = transport.call(ACTION_REVOKE, a).attributeText("state");
        return state == null ? "revoked" : state;
    }

    @Override
    public String name() {
        return "opensrs";
    }

    @Override
    public String place(Order order) {
        return place(order, false);
    }

    /** {@code sw_register handle=save} with {@code reg_type} {@code renew} for a renewal, else {@code new}. */
    @Override
    public String place(Order order, boolean renewal) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("reg_type", renewal ? "renew" : "new");
        a.put("product_type", order.productType());
        a.put("handle", "save");
        a.put("domain", order.domain());
        if (!order.additionalDomains().isEmpty()) {
            a.put("additional_domains", order.additionalDomains());
        }
        a.put("csr", order.csr());
        a.put("period", order.period());
        a.put("server_type", order.serverType());
        a.put("server_count", 1);
        a.put("dv_auth_method", dcvMethod(order.dcvMethod()));
        if (order.approverEmail() != null) {
            a.put("approver_email", order.approverEmail());
        }
        a.put("special_instructions", "certhub order " + order.id());
        a.put("contact_set", contactSet(order.contactsJson()));
        OpsReply r = transport.call("sw_register", a);
        String id = r.attributeText("order_id");
        if (id == null || id.isBlank()) {
            throw new VendorException(VendorException.Kind.AMBIGUOUS, "NO_ORDER_ID", "sw_register: the reply carries no order_id");
        }
        return id;
    }

    @Override
    public String submit(Order order, String vendorOrderId) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("order_id", vendorOrderId);
        a.put("dv_auth_method", dcvMethod(order.dcvMethod()));
        if (order.approverEmail() != null) {
            a.put("approver_email", order.approverEmail());
        }
        OpsReply r = transport.call("process_pending", a);
        String state = r.attributeText("state");
        return state == null ? "in-progress" : state;
    }

    @Override
    public VendorOrder info(String vendorOrderId) {
        OpsReply r = transport.call("get_order_info", Map.of("order_id", vendorOrderId));
        String method = r.attributeText("dv_auth_method");
        Dcv dcv = method == null ? null : new Dcv("file".equals(method) ? "http" : method, r.attributeText("approver_email"),
            r.attributeText("dv_auth_dns_name"), r.attributeText("dv_auth_dns_type"), r.attributeText("dv_auth_dns_value"),
            r.attributeText("dv_auth_file_url"), r.attributeText("dv_auth_file_content"));
        return new VendorOrder(vendorOrderId, r.attributeText("state"), r.attributeText("product_id"), dcv);
    }

    @Override
    public String cancel(String vendorOrderId, boolean saved) {
        OpsReply r = saved
            ? transport.call("process_pending", Map.of("order_id", vendorOrderId, "command", "cancel"))
            : transport.call("cancel_order", Map.of("order_id", vendorOrderId));
        String state = r.attributeText("state");
        return state == null ? "cancelled" : state;
    }

    @Override
    public List<Approver> approvers(String domain, String productType) {
        OpsReply r = transport.call("query_approver_list", Map.of("domain", domain, "product_type", productType));
        List<Approver> out = new ArrayList<>();
        if (r.attributes().get("approver_list") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("email") != null) {
                    out.add(new Approver(String.valueOf(m.get("domain")), String.valueOf(m.get("email")), String.valueOf(m.get("type"))));
                }
            }
        }
        return out;
    }

    @Override
    public void resendApproval(String vendorOrderId) {
        transport.call("resend_approve_email", Map.of("order_id", vendorOrderId));
    }

    @Override
    public void changeDcv(String vendorOrderId, String method, String approverEmail) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("order_id", vendorOrderId);
        a.put("dv_auth_method", dcvMethod(method));
        if (approverEmail != null) {
            a.put("approver_email", approverEmail);
        }
        transport.call("update_dv_auth", a);
    }

    @Override
    public IssuedCertificate certificate(VendorOrder vendorOrder) {
        Map<String, Object> a = new LinkedHashMap<>();
        if (vendorOrder.productId() != null) {
            a.put("product_id", vendorOrder.productId());
        } else {
            a.put("order_id", vendorOrder.vendorOrderId());
        }
        a.put("return_ca_certs", 1);
        a.put("return_pkcs7_cert", 1);
        OpsReply r = transport.call("get_cert", a);
        String leaf = r.attributeText("cert");
        if (leaf == null) {
            throw new VendorException(VendorException.Kind.TRANSIENT, "NO_CERT", "get_cert: the reply carries no certificate yet");
        }
        List<String> cas = new ArrayList<>();
        if (r.attributes().get("ca_certs") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("cert") != null) {
                    cas.add(String.valueOf(m.get("cert")));
                } else if (o instanceof String s) {
                    cas.add(s);
                }
            }
        }
        return new IssuedCertificate(leaf, cas);
    }

    /** @return OpenSRS {@code dv_auth_method} for a hub DCV method: email, dns, file */
    static String dcvMethod(String hubMethod) {
        return "http".equals(hubMethod) ? "file" : hubMethod;
    }

    /**
     * @param contactsJson the order's contacts (camelCase JSON)
     * @return OpenSRS {@code contact_set}: the same contacts with snake_case fields
     */
    Map<String, Object> contactSet(String contactsJson) {
        Map<String, Object> set = new LinkedHashMap<>();
        try {
            JsonNode contacts = json.readTree(contactsJson);
            for (Iterator<Map.Entry<String, JsonNode>> it = contacts.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> c = it.next();
                if (!c.getValue().isObject()) {
                    continue;
                }
                Map<String, Object> fields = new LinkedHashMap<>();
                c.getValue().fields().forEachRemaining(f -> {
                    if (!f.getValue().isNull()) {
                        fields.put(snake(f.getKey()), f.getValue().asText());
                    }
                });
                set.put(c.getKey(), fields);
            }
        } catch (Exception e) {
            throw new VendorException(VendorException.Kind.REFUSED, "ENCODING", "the order's contacts are not valid JSON", e);
        }
        return set;
    }

    static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
