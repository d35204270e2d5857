package io.certhub.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InternetDomainName;
import io.certhub.api.ApiSupport;
import io.certhub.config.HubProperties;
import io.certhub.csr.CsrException;
import io.certhub.csr.CsrParser;
import io.certhub.csr.ParsedCsr;
import io.certhub.issuer.opensrs.OpsCodec;
import io.certhub.issuer.opensrs.OpsProtocolException;
import io.certhub.issuer.opensrs.OpsRequest;
import io.certhub.issuer.opensrs.OpsSignature;
import io.certhub.names.DomainNames;
import io.certhub.order.Product;
import io.certhub.order.ProductCatalog;
import io.certhub.pki.Certificates;
import io.certhub.problem.HubProblem;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The sandbox vendor: a stand-in for the OpenSRS Trust Service that the hub orders from in its
 * embedded default. Handlers of the routes in {@code routes/sandbox/sandbox-vendor.camel.yaml};
 * each takes the Camel exchange and writes the answer on it. Made only when
 * {@code hub.sandbox.enabled=true}.
 *
 * <p>Endpoints (shared/CONTRACT.md "Sandbox"):
 * <ul>
 *   <li>{@code POST /sandbox/opensrs}, {@link #protocol}: the OPS protocol (opensrs-trust-api.md),
 *       signed with {@code X-Username}/{@code X-Signature};</li>
 *   <li>{@code GET /sandbox/approve/{token}}, {@link #approve}: the link of the approval email
 *       (no key, answers HTML);</li>
 *   <li>{@code POST /sandbox/dcv/{vendorOrderId}/check}, {@link #dcvCheck};
 *       {@code POST /sandbox/orders/{vendorOrderId}/decline}, {@link #decline};
 *       {@code /cancel}, {@link #cancel}; {@code POST /sandbox/faults}, {@link #faults}: operator
 *       key ({@code X-Api-Key}), JSON answers, RFC 9457 problems.</li>
 * </ul>
 *
 * <p>Replies are OPS envelopes: {@code protocol=XCP}, {@code action=REPLY},
 * {@code object=trust_service}, {@code is_success} (1/0), {@code response_code},
 * {@code response_text}, {@code attributes}. Refusals carry {@code is_success=0} and
 * {@link SandboxRefusal#AUTH_FAILED 400} (authentication), {@link SandboxRefusal#NOT_FOUND 404}
 * (unknown order) or {@link SandboxRefusal#INVALID 465} (validation or state, the text naming
 * the attribute); an unexpected failure answers 500 ({@code is_success=0}).
 */
@Component("sandboxVendor")
public class SandboxVendor {

    /** {@code response_text} of a success. */
    public static final String OK_TEXT = "Command completed successfully";
    /** {@code response_text} of an authentication failure. */
    public static final String AUTH_TEXT = "Authentication failed";
    /** Local parts of the constructed approver addresses (BR 3.2.2.4.4), in the order listed. */
    public static final List<String> APPROVER_LOCAL_PARTS = List.of("admin", "administrator", "webmaster", "hostmaster", "postmaster");

    private static final Logger LOG = LoggerFactory.getLogger(SandboxVendor.class);
    private static final String XML = "text/xml; charset=UTF-8";
    private static final String HTML = "text/html; charset=UTF-8";

    private final SandboxOrders orders;
    private final SandboxFaults faults;
    private final SandboxCa ca;
    private final HubProperties props;
    private final ProductCatalog catalog;
    private final CsrParser csrParser;
    private final ApiSupport api;
    private final ObjectMapper json;
    private final OpsCodec codec = new OpsCodec();

    /**
     * @param orders    the vendor's orders
     * @param faults    injected faults
     * @param ca        the sandbox CA (root and intermediate for {@code get_cert})
     * @param props     hub configuration ({@code hub.sandbox.*})
     * @param catalog   known product types
     * @param csrParser CSR parser
     * @param api       REST support (operator key, JSON answers)
     * @param json      Jackson mapper
     */
    public SandboxVendor(SandboxOrders orders, SandboxFaults faults, SandboxCa ca, HubProperties props,
                         ProductCatalog catalog, CsrParser csrParser, ApiSupport api, ObjectMapper json) {
        this.orders = orders;
        this.faults = faults;
        this.ca = ca;
        this.props = props;
        this.catalog = catalog;
        this.csrParser = csrParser;
        this.api = api;
        this.json = json;
    }

    // ================================================================== protocol

    /**
     * {@code POST /sandbox/opensrs}: one OPS request. Applies the injected fault (see
     * {@link SandboxFaults.Kind}), checks {@code X-Username} against
     * {@code hub.sandbox.vendor-username} and {@code X-Signature} against
     * {@code hub.sandbox.vendor-api-key} over the exact body bytes ({@link OpsSignature#verify}),
     * runs the action and answers HTTP 200 {@code text/xml} with the reply envelope, after
     * {@code hub.sandbox.vendor-latency} (plus {@code hub.sandbox.fault-timeout-delay} under the
     * timeout fault).
     *
     * @param exchange the HTTP exchange (body: the request envelope)
     */
    public void protocol(Exchange exchange) {
        byte[] body = api.body(exchange);
        Message in = exchange.getMessage();
        String username = in.getHeader("X-Username", String.class);
        String signature = in.getHeader("X-Signature", String.class);
        HubProperties.Sandbox s = props.getSandbox();
        SandboxFaults.Kind fault = faults.next(peekAction(body));
        if (fault == SandboxFaults.Kind.HTTP_503) {
            pause(s.getVendorLatency());
            write(exchange, 503, HTML, "<html><head><title>503 Service Unavailable</title></head><body>"
                + "<h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>");
            if (faults.retryAfter() != null) {
                exchange.getMessage().setHeader("Retry-After", String.valueOf(faults.retryAfter()));
            }
            return;
        }
        Map<String, Object> reply;
        if (fault == SandboxFaults.Kind.IS_SUCCESS_0) {
            reply = reply(false, 200, "Internal server error: the request could not be processed, try again", Map.of());
        } else if (fault == SandboxFaults.Kind.INVALID) {
            reply = reply(false, SandboxRefusal.INVALID, "Invalid request: contact_set.admin.first_name holds characters"
                + " the vendor does not accept (sandbox fault)", Map.of());
        } else {
            reply = handle(body, username, signature);
        }
        byte[] bytes = codec.encode(reply);
        pause(s.getVendorLatency());
        if (fault == SandboxFaults.Kind.TIMEOUT) {
            pause(s.getFaultTimeoutDelay());
        }
        write(exchange, 200, XML, bytes);
    }

    /** @return the request's OPS action, or null when the body does not decode (for fault plans by action) */
    private String peekAction(byte[] body) {
        try {
            return text(codec.decode(body).get("action"));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Authenticates, decodes and runs one request.
     *
     * @param body      the exact request bytes
     * @param username  {@code X-Username}
     * @param signature {@code X-Signature}
     * @return the reply's top map
     */
    Map<String, Object> handle(byte[] body, String username, String signature) {
        HubProperties.Sandbox s = props.getSandbox();
        if (username == null || !username.trim().equals(s.getVendorUsername())
                || !OpsSignature.verify(body, s.getVendorApiKey(), signature)) {
            return reply(false, SandboxRefusal.AUTH_FAILED, AUTH_TEXT, Map.of());
        }
        String action = "";
        try {
            Map<String, Object> top = codec.decode(body);
            action = text(top.get("action"));
            action = action == null ? "" : action.toLowerCase(Locale.ROOT);
            String object = text(top.get("object"));
            if (object != null && !OpsRequest.OBJECT_TRUST_SERVICE.equalsIgnoreCase(object)) {
                throw SandboxRefusal.invalid("object", "'" + object + "' is not served here; use trust_service");
            }
            Object a = top.get("attributes");
            Map<String, Object> attrs = a instanceof Map<?, ?> m ? cast(m) : Map.of();
            Map<String, Object> out = switch (action) {
                case "sw_register" -> swRegister(attrs);
                case "process_pending" -> processPending(attrs);
                case "get_order_info" -> orderInfo(orders.get(required(attrs, "order_id")));
                case "cancel_order" -> stateAttrs(orders.cancel(required(attrs, "order_id")));
                case "get_cert" -> getCert(attrs);
                case "query_approver_list" -> approverList(attrs);
                case "resend_approve_email" -> stateAttrs(orders.resendApproval(required(attrs, "order_id")));
                case "update_dv_auth" -> updateDvAuth(attrs);
                // sandbox extensions of the protocol (issue 13 §5): the real OpenSRS offers neither in its API
                case "reissue_cert" -> stateAttrs(orders.reissue(required(attrs, "order_id"), required(attrs, "csr")));
                case "revoke_cert" -> revokeCert(attrs);
                default -> throw SandboxRefusal.invalid("action", "'" + action + "' is not supported by the sandbox vendor");
            };
            return reply(true, 200, OK_TEXT, out);
        } catch (SandboxRefusal r) {
            return reply(false, r.responseCode(), r.getMessage(), Map.of());
        } catch (OpsProtocolException e) {
            return reply(false, SandboxRefusal.INVALID, "Invalid request: " + e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            LOG.error("sandbox vendor: {} failed", action, e);
            return reply(false, 500, "Internal error: " + e.getMessage(), Map.of());
        }
    }

    /** {@code sw_register}: checks the order, saves it, and with {@code handle=process} submits it. */
    private Map<String, Object> swRegister(Map<String, Object> a) {
        String productType = required(a, "product_type");
        Product product = catalog.find(productType)
            .orElseThrow(() -> SandboxRefusal.invalid("product_type", "'" + productType + "' is not a product of this reseller"));
        String csrText = required(a, "csr");
        ParsedCsr csr;
        try {
            csr = csrParser.parse(csrText);
        } catch (CsrException e) {
            throw SandboxRefusal.invalid("csr", e.detail());
        }
        String domain = name(required(a, "domain"), "domain");
        List<String> extra = new ArrayList<>();
        for (String n : list(a.get("additional_domains"), "additional_domains")) {
            String norm = name(n, "additional_domains");
            if (!norm.equals(domain) && !extra.contains(norm)) {
                extra.add(norm);
            }
        }
        List<String> csrNames = csr.names();
        checkName(domain, "domain", csrNames, product);
        for (String n : extra) {
            checkName(n, "additional_domains", csrNames, product);
        }
        if (1 + extra.size() > product.maxDomains()) {
            throw SandboxRefusal.invalid("additional_domains", productType + " covers at most " + product.maxDomains()
                + " names; the order has " + (1 + extra.size()));
        }
        int period = period(a.get("period"));
        if (!product.periods().contains(period)) {
            throw SandboxRefusal.invalid("period", period + " years is not offered for " + productType + "; allowed: " + product.periods());
        }
        String handle = Optional.ofNullable(text(a.get("handle"))).orElse("process").toLowerCase(Locale.ROOT);
        if (!handle.equals("save") && !handle.equals("process")) {
            throw SandboxRefusal.invalid("handle", "'" + handle + "' is not save or process");
        }
        String method = Optional.ofNullable(text(a.get("dv_auth_method"))).orElse("email").toLowerCase(Locale.ROOT);
        if (!SandboxOrders.DV_METHODS.contains(method)) {
            throw SandboxRefusal.invalid("dv_auth_method", "'" + method + "' is not one of email, dns, file");
        }
        Object contactSet = a.get("contact_set");
        if (contactSet != null && !(contactSet instanceof Map)) {
            throw SandboxRefusal.invalid("contact_set", "must be a dt_assoc of contacts");
        }
        Map<String, Object> contacts = contactSet == null ? Map.of() : cast((Map<?, ?>) contactSet);
        if (product.organizationValidated() && !(contacts.get("organization") instanceof Map)) {
            throw SandboxRefusal.invalid("contact_set.organization", productType + " is " + product.validation()
                + " and needs the organization contact");
        }
        String approver = email(text(a.get("approver_email")), "approver_email");
        if (approver == null && contacts.get("admin") instanceof Map<?, ?> admin) {
            String adminEmail = text(admin.get("email"));
            approver = adminEmail == null ? null : email(adminEmail, "contact_set.admin.email");
        }
        if (handle.equals("process") && !product.organizationValidated() && !product.instant()
                && method.equals("email") && approver == null) {
            throw SandboxRefusal.invalid("approver_email", "a DV order validated by email needs an approver_email");
        }
        String regType = Optional.ofNullable(text(a.get("reg_type"))).orElse("new").toLowerCase(Locale.ROOT);
        SandboxOrder o = orders.create(new SandboxOrders.Registration(regType, productType, product.validation(),
            product.instant(), domain, extra, csr.canonicalPem(), period, text(a.get("server_type")), approver, method,
            contacts.isEmpty() ? null : toJson(contacts)));
        if (handle.equals("process")) {
            o = orders.submit(o.orderId(), null, null);
        }
        return stateAttrs(o);
    }

    /**
     * {@code revoke_cert} (sandbox extension of the protocol, issue 13 §5): {@code order_id},
     * {@code serial} (hex), {@code reason} (an RFC 5280 name a subscriber may request) →
     * {@code {order_id, serial, state: revoked}}; revoking a revoked certificate again succeeds.
     */
    private Map<String, Object> revokeCert(Map<String, Object> a) {
        String orderId = required(a, "order_id");
        String serial = required(a, "serial");
        if (!serial.matches("[0-9A-Fa-f]{1,64}")) {
            throw SandboxRefusal.invalid("serial", "'" + serial + "' is not a hexadecimal serial number");
        }
        String reason = required(a, "reason");
        if (io.certhub.issuer.VendorAdapter.RevocationReason.of(reason).isEmpty()) {
            throw SandboxRefusal.invalid("reason", "'" + reason + "' is not one of " + io.certhub.issuer.VendorAdapter.RevocationReason.names());
        }
        orders.revoke(orderId, serial, reason);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("order_id", orderId);
        out.put("serial", serial.toLowerCase(Locale.ROOT));
        out.put("state", "revoked");
        return out;
    }

    /** {@code process_pending}: submits (or with {@code command=cancel} cancels) a pending or declined order. */
    private Map<String, Object> processPending(Map<String, Object> a) {
        String orderId = required(a, "order_id");
        String command = text(a.get("command"));
        if (command != null && command.equalsIgnoreCase("cancel")) {
            SandboxOrder o = orders.get(orderId);
            if (!SandboxOrder.PENDING.equals(o.state()) && !SandboxOrder.DECLINED.equals(o.state())) {
                throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + orderId + " is " + o.state()
                    + "; process_pending cancels only pending or declined orders (use cancel_order)");
            }
            return stateAttrs(orders.cancel(orderId));
        }
        if (command != null && !command.isBlank()) {
            throw SandboxRefusal.invalid("command", "'" + command + "' is not cancel");
        }
        String method = text(a.get("dv_auth_method"));
        String approver = email(text(a.get("approver_email")), "approver_email");
        return stateAttrs(orders.submit(orderId, method, approver));
    }

    /** {@code update_dv_auth}: changes the DCV method, or re-checks it on demand. */
    private Map<String, Object> updateDvAuth(Map<String, Object> a) {
        String orderId = required(a, "order_id");
        String approver = email(text(a.get("approver_email")), "approver_email");
        boolean check = "1".equals(text(a.get("dv_auth_on_demand_check")));
        SandboxOrder o = orders.changeDvAuth(orderId, text(a.get("dv_auth_method")), approver, check);
        Map<String, Object> out = stateAttrs(o);
        out.put("dv_auth_method", o.dvAuthMethod());
        dcvAttrs(o, out);
        return out;
    }

    /** {@code get_cert}: the leaf, and on request the CA certificates and a PKCS#7 of leaf + intermediate. */
    private Map<String, Object> getCert(Map<String, Object> a) {
        String productId = text(a.get("product_id"));
        String orderId = text(a.get("order_id"));
        SandboxOrder o;
        if (productId != null) {
            o = orders.findByProductId(productId).orElseThrow(() -> new SandboxRefusal(SandboxRefusal.NOT_FOUND,
                "Product " + productId + " not found"));
        } else if (orderId != null) {
            o = orders.get(orderId);
        } else {
            throw SandboxRefusal.invalid("product_id", "product_id (or order_id) is required");
        }
        if (!SandboxOrder.COMPLETED.equals(o.state()) || o.certPem() == null) {
            throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + o.orderId() + " is " + o.state()
                + "; its certificate is available once it is completed");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("order_id", o.orderId());
        out.put("product_id", o.productId());
        out.put("cert", o.certPem());
        List<X509Certificate> intermediates = Certificates.parsePem(o.caPem());
        if ("1".equals(text(a.get("return_ca_certs")))) {
            List<Map<String, Object>> cas = new ArrayList<>();
            for (X509Certificate c : intermediates) {
                cas.add(Map.of("type", "INTERMEDIATE", "cert", Certificates.toPem(List.of(c))));
            }
            cas.add(Map.of("type", "ROOT", "cert", o.rootPem() != null ? o.rootPem() : Certificates.toPem(List.of(ca.root()))));
            out.put("ca_certs", cas);
        }
        if ("1".equals(text(a.get("return_pkcs7_cert")))) {
            List<X509Certificate> chain = new ArrayList<>(Certificates.parsePem(o.certPem()));
            chain.addAll(intermediates);
            out.put("pkcs7", Certificates.toPem("PKCS7", Certificates.toPkcs7Der(chain)));
        }
        return out;
    }

    /**
     * {@code query_approver_list}: the constructed addresses ({@link #APPROVER_LOCAL_PARTS}) at the
     * domain and at each parent down to the registrable domain (the public suffix list's
     * "top private domain"; for {@code *.x} the list starts at {@code x}).
     */
    private Map<String, Object> approverList(Map<String, Object> a) {
        String domain = name(required(a, "domain"), "domain");
        String productType = text(a.get("product_type"));
        if (productType != null && catalog.find(productType).isEmpty()) {
            throw SandboxRefusal.invalid("product_type", "'" + productType + "' is not a product of this reseller");
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (String d : approverDomains(domain)) {
            for (String local : APPROVER_LOCAL_PARTS) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("domain", d);
                e.put("email", local + "@" + d);
                e.put("type", "constructed");
                list.add(e);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("approver_list", list);
        return out;
    }

    /**
     * @param domain a normalised name, possibly a wildcard
     * @return the name (without {@code *.}) and its parents down to the registrable domain, most
     *         specific first
     * @throws SandboxRefusal 465 when the name is not under a public suffix
     */
    static List<String> approverDomains(String domain) {
        String base = domain.startsWith("*.") ? domain.substring(2) : domain;
        InternetDomainName idn;
        try {
            idn = InternetDomainName.from(base);
        } catch (IllegalArgumentException e) {
            throw SandboxRefusal.invalid("domain", e.getMessage());
        }
        if (!idn.isUnderPublicSuffix()) {
            throw SandboxRefusal.invalid("domain", base + " is not under a public suffix");
        }
        InternetDomainName top = idn.topPrivateDomain();
        List<String> out = new ArrayList<>();
        for (InternetDomainName d = idn; ; d = d.parent()) {
            out.add(d.toString());
            if (d.equals(top) || !d.hasParent()) {
                break;
            }
        }
        return out;
    }

    /**
     * The {@code get_order_info} attributes of an order: {@code order_id}, {@code state},
     * {@code product_type}, {@code reg_type}, {@code domain}, {@code additional_domains}
     * (dt_array), {@code approver_email}, {@code period}, {@code server_type},
     * {@code dv_auth_method}, {@code csr}, {@code contact_set}; for dns
     * {@code dv_auth_dns_name}/{@code _type}/{@code _value}; for file
     * {@code dv_auth_file_url}/{@code _content}; once completed {@code product_id}.
     *
     * @param o the order
     * @return the attributes (absent values left out)
     */
    Map<String, Object> orderInfo(SandboxOrder o) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("order_id", o.orderId());
        out.put("state", o.state());
        out.put("product_type", o.productType());
        out.put("reg_type", o.regType());
        out.put("domain", o.domain());
        out.put("additional_domains", o.additionalDomains());
        out.put("approver_email", o.approverEmail());
        out.put("period", o.period());
        out.put("server_type", o.serverType());
        out.put("dv_auth_method", o.dvAuthMethod());
        dcvAttrs(o, out);
        out.put("csr", o.csr());
        if (o.contacts() != null) {
            try {
                out.put("contact_set", json.readValue(o.contacts(), new TypeReference<Map<String, Object>>() { }));
            } catch (JsonProcessingException e) {
                LOG.warn("sandbox vendor: order {} has unreadable contacts", o.orderId());
            }
        }
        if (o.productId() != null) {
            out.put("product_id", o.productId());
        }
        return out;
    }

    private static void dcvAttrs(SandboxOrder o, Map<String, Object> out) {
        if (o.dvToken() == null || !o.domainValidated()) {
            return;
        }
        if ("dns".equals(o.dvAuthMethod())) {
            out.put("dv_auth_dns_name", o.dnsRecordName());
            out.put("dv_auth_dns_type", SandboxOrder.DNS_TYPE);
            out.put("dv_auth_dns_value", o.dvToken());
        } else if ("file".equals(o.dvAuthMethod())) {
            out.put("dv_auth_file_url", o.fileUrl());
            out.put("dv_auth_file_content", o.dvToken());
        }
    }

    private static Map<String, Object> stateAttrs(SandboxOrder o) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("order_id", o.orderId());
        out.put("state", o.state());
        if (o.productId() != null) {
            out.put("product_id", o.productId());
        }
        return out;
    }

    // ================================================================== other endpoints

    /**
     * {@code GET /sandbox/approve/{token}}: the approver opens the link of the approval email.
     * Answers a small HTML page: 200 approved (also when opened again), 404 unknown link, 409 an
     * order that can no longer be approved (cancelled, declined).
     *
     * @param exchange the HTTP exchange (header {@code token})
     */
    public void approve(Exchange exchange) {
        String token = exchange.getMessage().getHeader("token", String.class);
        try {
            Optional<SandboxOrder> o = orders.approveByToken(token);
            if (o.isEmpty()) {
                write(exchange, 404, HTML, page("Unknown approval link",
                    "This approval link is not known. It may have been replaced by a newer one."));
                return;
            }
            write(exchange, 200, HTML, page("Certificate request approved",
                "Thank you. The SSL certificate request for " + o.get().domain() + " (order " + o.get().orderId()
                    + ") is approved; the certificate will be issued shortly."));
        } catch (SandboxRefusal r) {
            write(exchange, 409, HTML, page("Cannot approve", r.getMessage()));
        }
    }

    /**
     * {@code POST /sandbox/dcv/{vendorOrderId}/check} (operator): the DNS record or file of a
     * dns/file DV order is taken as found; the order is issued by the clock right after.
     * Answers 200 {@code {vendorOrderId, state, productId}}.
     *
     * @param exchange the HTTP exchange (header {@code vendorOrderId})
     * @throws HubProblem 401/403 without the operator key; 404 unknown order; 409 not a dns/file
     *                    DV order awaiting approval
     */
    public void dcvCheck(Exchange exchange) {
        api.operator(exchange);
        SandboxOrder o = asProblem(() -> orders.markDcvValidated(orderId(exchange)));
        api.respond(exchange, api.ok(200, view(o)));
    }

    /**
     * {@code POST /sandbox/orders/{vendorOrderId}/decline} (operator): the CA declines the order.
     * Answers 200 {@code {vendorOrderId, state}}.
     *
     * @param exchange the HTTP exchange
     * @throws HubProblem 401/403; 404 unknown order; 409 completed or cancelled
     */
    public void decline(Exchange exchange) {
        api.operator(exchange);
        SandboxOrder o = asProblem(() -> orders.decline(orderId(exchange)));
        api.respond(exchange, api.ok(200, view(o)));
    }

    /**
     * {@code POST /sandbox/orders/{vendorOrderId}/cancel} (operator): the vendor cancels the order.
     * Answers 200 {@code {vendorOrderId, state}}.
     *
     * @param exchange the HTTP exchange
     * @throws HubProblem 401/403; 404 unknown order; 409 completed
     */
    public void cancel(Exchange exchange) {
        api.operator(exchange);
        SandboxOrder o = asProblem(() -> orders.cancel(orderId(exchange)));
        api.respond(exchange, api.ok(200, view(o)));
    }

    /**
     * {@code POST /sandbox/faults} (operator), body {@code {kind: http-503|timeout|is-success-0|invalid|none,
     * count}} or {@code {kind, rate}} (see {@link SandboxFaults}), optionally with {@code action}
     * (e.g. {@code sw_register}: only calls of that OPS action fail and count). Answers 200 with
     * the plan now in force: {@code {kind, remaining}} or {@code {kind, rate}}, plus {@code action}.
     * {@code retryAfter} (whole seconds, optional): the {@code Retry-After} header of the
     * {@code http-503} answers.
     *
     * @param exchange the HTTP exchange
     * @throws HubProblem 401/403; 400 not JSON; 422 FIELD_REQUIRED / FIELD_INVALID naming
     *                    {@code kind}, {@code count}, {@code rate} or {@code action}
     */
    public void faults(Exchange exchange) {
        api.operator(exchange);
        JsonNode body = api.parse(api.body(exchange));
        JsonNode kindNode = body.get("kind");
        if (kindNode == null || !kindNode.isTextual() || kindNode.asText().isBlank()) {
            throw new HubProblem(422, "FIELD_REQUIRED", "kind", "kind is required: http-503, timeout, is-success-0, invalid or none");
        }
        SandboxFaults.Kind kind;
        try {
            kind = SandboxFaults.Kind.parse(kindNode.asText());
        } catch (IllegalArgumentException e) {
            throw new HubProblem(422, "FIELD_INVALID", "kind", e.getMessage());
        }
        Integer count = null;
        JsonNode c = body.get("count");
        if (c != null && !c.isNull()) {
            if (!c.canConvertToInt() || !c.isIntegralNumber() || c.asInt() < 0) {
                throw new HubProblem(422, "FIELD_INVALID", "count", "count must be a whole number, 0 or more");
            }
            count = c.asInt();
        }
        Double rate = null;
        JsonNode r = body.get("rate");
        if (r != null && !r.isNull()) {
            if (!r.isNumber() || r.asDouble() < 0 || r.asDouble() > 1) {
                throw new HubProblem(422, "FIELD_INVALID", "rate", "rate must be a number from 0 to 1");
            }
            rate = r.asDouble();
        }
        Integer retryAfter = null;
        JsonNode ra = body.get("retryAfter");
        if (ra != null && !ra.isNull()) {
            if (!ra.isIntegralNumber() || ra.asInt() < 0 || ra.asInt() > 3600) {
                throw new HubProblem(422, "FIELD_INVALID", "retryAfter", "retryAfter must be whole seconds from 0 to 3600");
            }
            retryAfter = ra.asInt();
        }
        JsonNode a = body.get("action");
        if (a != null && !a.isNull() && (!a.isTextual() || !a.asText().matches("[A-Za-z_]{1,64}"))) {
            throw new HubProblem(422, "FIELD_INVALID", "action", "action must be an OPS action name such as sw_register");
        }
        faults.set(kind, count, rate, a == null || a.isNull() ? null : a.asText());
        faults.retryAfter(retryAfter);
        LOG.info("sandbox vendor: faults now {}", faults.view());
        api.respond(exchange, api.ok(200, faults.view()));
    }

    /**
     * One step of the vendor's own progress (route {@code sandbox-vendor-clock}); see
     * {@link SandboxOrders#tick()}.
     *
     * @return how many orders changed
     */
    public int tick() {
        return orders.tick();
    }

    // ================================================================== helpers

    private static Map<String, Object> reply(boolean success, int code, String text, Map<String, Object> attrs) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("protocol", OpsRequest.PROTOCOL);
        top.put("action", "REPLY");
        top.put("object", OpsRequest.OBJECT_TRUST_SERVICE);
        top.put("is_success", success ? "1" : "0");
        top.put("response_code", Integer.toString(code));
        top.put("response_text", text);
        top.put("attributes", attrs);
        return top;
    }

    private static Map<String, Object> view(SandboxOrder o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vendorOrderId", o.orderId());
        m.put("state", o.state());
        m.put("productId", o.productId());
        return m;
    }

    private static String orderId(Exchange exchange) {
        return exchange.getMessage().getHeader("vendorOrderId", String.class);
    }

    private static SandboxOrder asProblem(java.util.function.Supplier<SandboxOrder> action) {
        try {
            return action.get();
        } catch (SandboxRefusal r) {
            if (r.responseCode() == SandboxRefusal.NOT_FOUND) {
                throw new HubProblem(404, "NOT_FOUND", "vendorOrderId", r.getMessage());
            }
            throw new HubProblem(409, "INVALID_STATE", null, r.getMessage());
        }
    }

    private static void write(Exchange exchange, int status, String contentType, String body) {
        write(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Exchange exchange, int status, String contentType, byte[] body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*", "CamelHttp*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, contentType);
        m.setBody(body);
    }

    private static String page(String title, String text) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head><body><h1>"
            + escape(title) + "</h1><p>" + escape(text) + "</p></body></html>";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void pause(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** A scalar as trimmed text; null when absent, blank, or not a scalar. */
    private static String text(Object v) {
        if (v == null || v instanceof Map || v instanceof Collection) {
            return null;
        }
        String s = v.toString().trim();
        return s.isEmpty() ? null : s;
    }

    private static String required(Map<String, Object> a, String key) {
        String v = text(a.get(key));
        if (v == null) {
            throw SandboxRefusal.invalid(key, "is required");
        }
        return v;
    }

    /** A dt_array of names, or a scalar of names separated by spaces or commas. */
    private static List<String> list(Object v, String attribute) {
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            for (Object o : c) {
                String s = text(o);
                if (o != null && s == null && (o instanceof Map || o instanceof Collection)) {
                    throw SandboxRefusal.invalid(attribute, "items must be names");
                }
                if (s != null) {
                    out.add(s);
                }
            }
        } else if (v instanceof Map) {
            throw SandboxRefusal.invalid(attribute, "must be a dt_array of names");
        } else {
            for (String s : v.toString().split("[\\s,]+")) {
                if (!s.isBlank()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static String name(String raw, String attribute) {
        try {
            return DomainNames.normalise(raw);
        } catch (IllegalArgumentException e) {
            throw SandboxRefusal.invalid(attribute, e.getMessage());
        }
    }

    private static void checkName(String n, String attribute, List<String> csrNames, Product product) {
        if (!csrNames.contains(n)) {
            throw SandboxRefusal.invalid(attribute, n + " is not named in the CSR (its CN and SANs: " + csrNames + ")");
        }
        if (DomainNames.isWildcard(n) && !product.wildcard()) {
            throw SandboxRefusal.invalid(attribute, product.productType() + " is not a wildcard product; " + n + " needs one");
        }
    }

    private static int period(Object v) {
        String s = text(v);
        if (s == null) {
            return 1;
        }
        try {
            int p = Integer.parseInt(s);
            if (p < 1) {
                throw SandboxRefusal.invalid("period", "must be 1 or more years");
            }
            return p;
        } catch (NumberFormatException e) {
            throw SandboxRefusal.invalid("period", "'" + s + "' is not a whole number of years");
        }
    }

    private static String email(String raw, String attribute) {
        if (raw == null) {
            return null;
        }
        try {
            InternetAddress a = new InternetAddress(raw, true);
            String addr = a.getAddress();
            if (addr == null || !addr.contains("@") || addr.startsWith("@") || addr.endsWith("@")) {
                throw SandboxRefusal.invalid(attribute, "'" + raw + "' is not an email address");
            }
            return addr.toLowerCase(Locale.ROOT);
        } catch (AddressException e) {
            throw SandboxRefusal.invalid(attribute, "'" + raw + "' is not an email address");
        }
    }

    private String toJson(Map<String, Object> m) {
        try {
            return json.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
