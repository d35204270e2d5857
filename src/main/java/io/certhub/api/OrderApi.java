package io.certhub.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.csr.CsrParser;
import io.certhub.csr.CsrReport;
import io.certhub.issuer.VendorCancellation;
import io.certhub.names.DomainNames;
import io.certhub.order.Order;
import io.certhub.order.OrderDocumentReader;
import io.certhub.order.OrderRepository;
import io.certhub.order.OrderService;
import io.certhub.order.OrderState;
import io.certhub.order.ProductCatalog;
import io.certhub.problem.HubProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * REST handlers of the order API ({@code /api/v1}, routes/intake/order-rest-api.camel.yaml).
 * Each method reads the exchange, calls the order lifecycle and writes the JSON answer (or lets
 * a {@link HubProblem} reach the shared error handler). Shapes: shared/CONTRACT.md, "REST".
 */
@Component("orderApi")
public class OrderApi {

    private final ApiSupport api;
    private final OrderService orders;
    private final OrderRepository repo;
    private final OrderDocumentReader reader;
    private final OrderViews views;
    private final ProductCatalog catalog;
    private final CsrParser csrParser;
    private final VendorCancellation cancellation;
    private final io.certhub.delivery.DeliveryQueue deliveries;
    private final org.springframework.jdbc.core.JdbcTemplate jdbc;
    private final org.springframework.transaction.support.TransactionTemplate tx;
    private final ApiProperties props;
    private final java.time.Clock clock;
    private final io.certhub.order.OrderReissue reissues;

    /**
     * @param api       shared REST support
     * @param orders    order lifecycle
     * @param repo      order queries
     * @param reader    JSON → order document
     * @param views     order REST shape
     * @param catalog   products
     * @param csrParser CSR inspection
     * @param cancellation reseller cancel through the vendor
     * @param deliveries delivery outbox (resend)
     * @param jdbc      template on the hub database (certificates)
     * @param tx        transaction template (a resend is checked and queued under the order's row lock)
     * @param props     {@code hub.api.*} (resend limit)
     * @param clock     time source
     * @param reissues  reissue on request (issue 13 §5)
     */
    public OrderApi(ApiSupport api, OrderService orders, OrderRepository repo, OrderDocumentReader reader, OrderViews views,
                    ProductCatalog catalog, CsrParser csrParser, VendorCancellation cancellation,
                    io.certhub.delivery.DeliveryQueue deliveries, org.springframework.jdbc.core.JdbcTemplate jdbc,
                    org.springframework.transaction.support.TransactionTemplate tx, ApiProperties props, java.time.Clock clock,
                    io.certhub.order.OrderReissue reissues) {
        this.reissues = reissues;
        this.api = api;
        this.orders = orders;
        this.repo = repo;
        this.reader = reader;
        this.views = views;
        this.catalog = catalog;
        this.csrParser = csrParser;
        this.cancellation = cancellation;
        this.deliveries = deliveries;
        this.jdbc = jdbc;
        this.tx = tx;
        this.props = props;
        this.clock = clock;
    }

    /** {@code GET /products}: the catalog, prices as money objects. @param ex exchange */
    public void products(Exchange ex) {
        api.reseller(ex);
        List<Map<String, Object>> items = catalog.all().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("productType", p.productType());
            m.put("name", p.name());
            m.put("validation", p.validation());
            m.put("wildcard", p.wildcard());
            m.put("instant", p.instant());
            m.put("maxDomains", p.maxDomains());
            m.put("periods", p.periods());
            m.put("pricePerYear", OrderViews.money(p.pricePerYear()));
            m.put("dcvMethods", p.dcvMethods());
            return m;
        }).toList();
        api.respond(ex, api.ok(200, items));
    }

    /**
     * {@code POST /orders}: 201 with {@code Location} when created; 200 with the existing order
     * for the same reference and content. @param ex exchange
     */
    public void create(Exchange ex) {
        Caller caller = api.reseller(ex);
        byte[] body = api.body(ex);
        api.respond(ex, api.idempotent(ex, caller, body, () -> {
            JsonNode node = api.parse(body);
            OrderService.CreateResult r = orders.create(caller.accountId(), reader.read(node), caller.actor());
            String location = "/api/v1/orders/" + r.order().id();
            return new ApiResponse(r.created() ? 201 : 200, api.write(views.view(r.order(), true)), location);
        }));
    }

    /** {@code GET /orders/{id}}. @param ex exchange */
    public void get(Exchange ex) {
        Caller caller = api.reseller(ex);
        Order o = orders.get(caller.accountId(), id(ex));
        api.respond(ex, api.ok(200, views.view(o, true)));
    }

    /**
     * {@code GET /orders?state=&domain=&clientReference=&q=&in=&page=&size=} (size 1..200, default 20):
     * {@code domain} and {@code clientReference} match exactly; {@code q} (at most 253
     * characters) matches any part of the client reference (case-insensitive), the domain or an
     * additional domain ({@code batch} finds {@code batch-2026-0001}), or only of one of them with
     * {@code in=clientReference} or {@code in=domain} (422 FIELD_INVALID {@code in} otherwise). @param ex exchange
     */
    public void list(Exchange ex) {
        Caller caller = api.reseller(ex);
        var h = ex.getMessage();
        OrderState state = null;
        String s = h.getHeader("state", String.class);
        if (s != null && !s.isBlank()) {
            try {
                state = OrderState.valueOf(s.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new HubProblem(422, "FIELD_INVALID", "state", "state must be one of PENDING, IN_PROGRESS, COMPLETED, CANCELLED, DECLINED");
            }
        }
        String domain = h.getHeader("domain", String.class);
        if (domain != null && !domain.isBlank()) {
            try {
                domain = DomainNames.normalise(domain);
            } catch (IllegalArgumentException e) {
                throw new HubProblem(422, "FIELD_INVALID", "domain", "domain: " + e.getMessage());
            }
        } else {
            domain = null;
        }
        String ref = h.getHeader("clientReference", String.class);
        int page = intParam(h.getHeader("page", String.class), 0, 0, Integer.MAX_VALUE / 200, "page");
        int size = intParam(h.getHeader("size", String.class), 20, 1, 200, "size");
        String q = h.getHeader("q", String.class);
        if (q != null) {
            List<io.certhub.problem.HubProblem.FieldError> errors = new java.util.ArrayList<>();
            if (!io.certhub.order.FieldRules.singleLine(q, "q", 253, errors)) {
                throw HubProblem.unprocessable(errors);
            }
            q = q.isBlank() ? null : q.strip();
        }
        String in = h.getHeader("in", String.class);
        if (in != null && (in.isBlank() || in.equals("any"))) {
            in = null;
        } else if (in != null && !in.equals("domain") && !in.equals("clientReference")) {
            throw new HubProblem(422, "FIELD_INVALID", "in", "in must be domain, clientReference or any");
        }
        var filter = new OrderRepository.Filter(state, domain, ref == null || ref.isBlank() ? null : ref, q, in);
        List<Map<String, Object>> items = repo.list(caller.accountId(), filter, page, size).stream().map(o -> views.view(o, false)).toList();
        api.respond(ex, api.ok(200, OrderViews.page(items, page, size, repo.count(caller.accountId(), filter))));
    }

    /** {@code PATCH /orders/{id}}: edit a PENDING order. @param ex exchange */
    public void patch(Exchange ex) {
        Caller caller = api.reseller(ex);
        byte[] body = api.body(ex);
        api.respond(ex, api.idempotent(ex, caller, body, () -> {
            Order o = orders.patch(caller.accountId(), id(ex), reader.read(api.parse(body)), caller.actor());
            return api.ok(200, views.view(o, true));
        }));
    }

    /** {@code POST /orders/{id}/submit}: PENDING or DECLINED → IN_PROGRESS with the hold. @param ex exchange */
    public void submit(Exchange ex) {
        Caller caller = api.reseller(ex);
        api.respond(ex, api.idempotent(ex, caller, api.body(ex),
            () -> api.ok(200, views.view(orders.submit(caller.accountId(), id(ex), caller.actor()), true))));
    }

    /**
     * {@code POST /orders/{id}/renew} with an optional body {@code {clientReference, csr, period,
     * handle}} (each optional; see {@link OrderService.Renewal}): places the renewal of a COMPLETED
     * order (issue 13 §3). 201 with {@code Location} and the new order ({@code renewalOf} set,
     * IN_PROGRESS with its own hold unless {@code handle: save}); 200 with the same renewal when
     * it was made already (same client reference). 404 ORDER_NOT_FOUND, 409 INVALID_STATE, 422
     * as for {@code POST /orders}, 400 MALFORMED_REQUEST for a body that is not a JSON object.
     *
     * @param ex exchange
     */
    public void renew(Exchange ex) {
        Caller caller = api.reseller(ex);
        byte[] body = api.body(ex);
        api.respond(ex, api.idempotent(ex, caller, body, () -> {
            JsonNode node = body == null || body.length == 0 ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : api.parse(body);
            if (!node.isObject()) {
                throw new HubProblem(400, "MALFORMED_REQUEST", null, "the body must be a JSON object {clientReference, csr, period, handle} or empty");
            }
            OrderService.Renewal r = new OrderService.Renewal(text(node, "clientReference"), text(node, "csr"),
                node.hasNonNull("period") ? periodOf(node.get("period")) : null, text(node, "handle"));
            OrderService.CreateResult created = orders.renew(caller.accountId(), id(ex), r, caller.actor());
            return new ApiResponse(created.created() ? 201 : 200, api.write(views.view(created.order(), true)),
                "/api/v1/orders/" + created.order().id());
        }));
    }

    /**
     * {@code POST /orders/{id}/reissue} with {@code {csr, reason?}} (issue 13 §5, {@link
     * io.certhub.order.OrderReissue}): the vendor reissues the COMPLETED order's certificate for the
     * new CSR, free within the paid term. 202 with the order (its {@code reissue} is the request,
     * {@code SENT}; the certificate follows by the vendor's email and is stored and delivered as a
     * reissue). An {@code Idempotency-Key} retry replays the answer and reissues nothing.
     *
     * @param ex exchange
     * @throws HubProblem 400 MALFORMED_REQUEST; 404 ORDER_NOT_FOUND; 409 VENDOR_UNSUPPORTED, INVALID_STATE,
     *                    TERM_OVER, NO_ACTIVE_CERTIFICATE, REISSUE_IN_PROGRESS, VENDOR_REFUSED; 422 FIELD_REQUIRED /
     *                    FIELD_INVALID / CSR codes (field {@code csr}, {@code reason}); 503 VENDOR_UNAVAILABLE
     */
    public void reissue(Exchange ex) {
        Caller caller = api.reseller(ex);
        byte[] body = api.body(ex);
        api.respond(ex, api.idempotent(ex, caller, body, () -> {
            JsonNode node = api.parse(body);
            if (!node.isObject()) {
                throw new HubProblem(400, "MALFORMED_REQUEST", null, "the body must be a JSON object {csr, reason}");
            }
            reissues.reissue(caller.accountId(), id(ex), text(node, "csr"), text(node, "reason"), caller.actor());
            return api.ok(202, views.view(orders.get(caller.accountId(), id(ex)), true));
        }));
    }

    /**
     * @param node  a JSON object
     * @param field a field name
     * @return the field's text, or null when absent or null
     * @throws HubProblem 422 FIELD_INVALID naming the field when it is not a string
     */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw HubProblem.unprocessable(List.of(new HubProblem.FieldError("FIELD_INVALID", field, field + " must be a string")));
        }
        return v.asText();
    }

    private static Integer periodOf(JsonNode v) {
        if (!v.canConvertToExactIntegral() || !v.isNumber()) {
            throw HubProblem.unprocessable(List.of(new HubProblem.FieldError("FIELD_INVALID", "period", "period must be a whole number of years")));
        }
        return v.intValue();
    }

    /**
     * {@code POST /orders/{id}/cancel}: 200 with the CANCELLED order, or 202 with the order still
     * IN_PROGRESS ({@code vendorStatus: cancel-requested}) until the vendor confirms. @param ex exchange
     */
    public void cancel(Exchange ex) {
        Caller caller = api.reseller(ex);
        api.respond(ex, api.idempotent(ex, caller, api.body(ex), () -> {
            VendorCancellation.Result r = cancellation.cancel(caller.accountId(), id(ex), caller.actor());
            return api.ok(r.status(), views.view(r.order(), true));
        }));
    }

    /**
     * {@code POST /csr/parse} with {@code {csr}} → {@code {commonName, names[], keyAlgorithm,
     * keySize, curve, signatureValid, problems[]}}; bad CSRs are reported in {@code problems},
     * not as errors. @param ex exchange
     */
    public void parseCsr(Exchange ex) {
        api.reseller(ex);
        JsonNode node = api.parse(api.body(ex));
        JsonNode csr = node.get("csr");
        if (csr == null || !csr.isTextual() || csr.asText().isBlank()) {
            throw new HubProblem(422, "FIELD_REQUIRED", "csr", "csr is required");
        }
        CsrReport r = csrParser.inspect(csr.asText());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("commonName", r.commonName());
        m.put("names", r.names());
        m.put("keyAlgorithm", r.keyAlgorithm());
        m.put("keySize", r.keySize());
        m.put("curve", r.curve());
        m.put("signatureValid", r.signatureValid());
        m.put("problems", r.problems());
        api.respond(ex, api.ok(200, m));
    }

    /**
     * {@code GET /orders/{id}/certificate}: the chain as {@code application/pem-certificate-chain}
     * (leaf first, no root; RFC 8555 §9.1), or with {@code Accept: application/pkcs7-mime} a DER
     * PKCS#7 (RFC 2315); 404 CERTIFICATE_NOT_FOUND before completion. An order with several certificates
     * (reissues, issue 13 §2) answers its newest. @param ex exchange
     */
    public void certificate(Exchange ex) {
        Caller caller = api.reseller(ex);
        Order o = orders.get(caller.accountId(), id(ex));
        var rows = jdbc.queryForList("select leaf_pem, chain_pem from certificate where order_id = ?"
            + " order by received_at desc, id desc fetch first 1 rows only", o.id());      // the newest of the order's certificates
        if (rows.isEmpty()) {
            throw new HubProblem(404, "CERTIFICATE_NOT_FOUND", null, "order " + o.id() + " has no certificate yet (state " + o.state() + ")");
        }
        String pem = rows.get(0).get("leaf_pem") + "" + rows.get(0).get("chain_pem");
        String accept = String.valueOf(ex.getMessage().getHeader("Accept", String.class));
        var m = ex.getMessage();
        m.removeHeaders("*", "CamelHttp*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        if (accept.contains("application/pkcs7-mime")) {
            m.setHeader(Exchange.CONTENT_TYPE, "application/pkcs7-mime");
            m.setHeader("Content-Disposition", "attachment; filename=\"" + o.domain().replace("*", "star") + ".p7b\"");
            m.setBody(io.certhub.pki.Certificates.toPkcs7Der(io.certhub.pki.Certificates.parseAny(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        } else {
            m.setHeader(Exchange.CONTENT_TYPE, "application/pem-certificate-chain");
            m.setBody(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    /**
     * {@code POST /orders/{id}/resend-certificate}: 202, the delivery queued again (COMPLETED
     * orders only). Bounded per order (issue 16, Low): while an email of the order is still
     * PENDING in the outbox another resend answers 409 {@code RESEND_IN_PROGRESS}; at most
     * {@code hub.api.resend-certificate-max-per-day} certificate emails (the first delivery
     * included) are queued per order in 24 hours, then 429 {@code RESEND_LIMIT_REACHED}. The check
     * and the queueing run under the order row's lock, so concurrent resends queue one email.
     *
     * @param ex exchange
     * @throws HubProblem 404; 409 {@code INVALID_STATE}, {@code RESEND_IN_PROGRESS}; 429 {@code RESEND_LIMIT_REACHED}
     */
    public void resendCertificate(Exchange ex) {
        Caller caller = api.reseller(ex);
        api.respond(ex, api.idempotent(ex, caller, api.body(ex), () -> {
            Order o = orders.get(caller.accountId(), id(ex));
            if (o.state() != OrderState.COMPLETED) {
                throw new HubProblem(409, "INVALID_STATE", "state", "order " + o.id() + " is " + o.state() + "; only a COMPLETED order has a certificate to send");
            }
            tx.executeWithoutResult(s -> {
                jdbc.queryForObject("select id from orders where id = ? for update", String.class, o.id());
                Long pending = jdbc.queryForObject("select count(*) from delivery where order_id = ? and state = 'PENDING' and kind = 'CERTIFICATE'", Long.class, o.id());
                if (pending != null && pending > 0) {
                    throw new HubProblem(409, "RESEND_IN_PROGRESS", null, "a certificate email of order " + o.id()
                        + " is still waiting to be sent; resend again once it is SENT");
                }
                java.sql.Timestamp since = java.sql.Timestamp.from(clock.instant().minus(java.time.Duration.ofHours(24)));
                Long today = jdbc.queryForObject("select count(*) from delivery where order_id = ? and created_at >= ? and kind = 'CERTIFICATE'", Long.class, o.id(), since);
                int max = props.getResendCertificateMaxPerDay();
                if (today != null && today >= max) {
                    throw new HubProblem(429, "RESEND_LIMIT_REACHED", null, "order " + o.id() + " had " + today
                        + " certificate emails in the last 24 hours; at most " + max + " are sent a day");
                }
                deliveries.queue(o.id());
            });
            return api.ok(202, views.view(orders.get(caller.accountId(), o.id()), true));
        }));
    }

    private static String id(Exchange ex) {
        return ex.getMessage().getHeader("id", String.class);
    }

    static int intParam(String raw, int dflt, int min, int max, String name) {
        if (raw == null || raw.isBlank()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new HubProblem(422, "FIELD_INVALID", name, name + " must be an integer from " + min + " to " + max);
        }
    }
}
