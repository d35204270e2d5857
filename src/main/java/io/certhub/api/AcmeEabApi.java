package io.certhub.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.acme.EabKeys;
import io.certhub.order.FieldRules;
import io.certhub.order.ProductCatalog;
import io.certhub.problem.HubProblem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * REST handlers of the ACME front door's External Account Binding keys (issue 15 §2;
 * routes/acme/acme-eab-rest-api.camel.yaml), per reseller account ({@code X-Api-Key}).
 *
 * <p>Key shape: {@code {kid, customer, products[], contacts, expiresAt, createdAt, revokedAt, boundAt,
 * boundAccount, state}}; {@code contacts} (optional on creation, null when absent) are the contacts,
 * shaped as an order's, of the Certhub orders the customer's ACME client makes: {@code admin}
 * (firstName, lastName, email, phone) receives the certificates by email; an ACME order of a key
 * without contacts is refused at newOrder ({@code state} ACTIVE | BOUND | EXPIRED | REVOKED); the {@code POST} answer adds
 * {@code hmacKey} (base64url, 32 bytes, for HS256), shown that once and never again. Errors (RFC
 * 9457, 422 unless said): {@code FIELD_REQUIRED} ({@code customer}, {@code products},
 * {@code expiresAt}), {@code FIELD_INVALID} ({@code customer} not a string; {@code products} not an
 * array; {@code products[i]} not a product of the catalog; {@code expiresAt} not an RFC 3339 instant,
 * not in the future, or more than {@value #MAX_LIFETIME_DAYS} days ahead), {@code FIELD_TOO_LONG} /
 * {@code FIELD_INVALID_CHARACTERS} ({@code customer}: one line, at most {@value #MAX_CUSTOMER}),
 * {@code FIELD_UNKNOWN}; 404 {@code EAB_KEY_NOT_FOUND} (unknown, or another account's key).
 *
 * <p>The ACME server that takes the keys is {@link io.certhub.acme.AcmeServer} (accounts) and
 * {@link io.certhub.acme.AcmeOrders} (orders).
 */
@Component("acmeEabApi")
public class AcmeEabApi {

    /** Longest {@code customer}. */
    public static final int MAX_CUSTOMER = 128;
    /** Latest {@code expiresAt}, in days from now. */
    public static final int MAX_LIFETIME_DAYS = 366;

    private static final Set<String> FIELDS = Set.of("customer", "products", "expiresAt", "contacts");
    private static final com.fasterxml.jackson.databind.ObjectMapper STRICT = new com.fasterxml.jackson.databind.ObjectMapper()
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final ApiSupport api;
    private final EabKeys keys;
    private final ProductCatalog catalog;
    private final Clock clock;

    /**
     * @param api     shared REST support
     * @param keys    the keys' table
     * @param catalog the products a key may name
     * @param clock   the hub's clock
     */
    public AcmeEabApi(ApiSupport api, EabKeys keys, ProductCatalog catalog, Clock clock) {
        this.api = api;
        this.keys = keys;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * {@code POST /acme/eab-keys {customer, products, expiresAt}}: 201 with {@code Location:
     * /api/v1/acme/eab-keys/<kid>}, the key and its {@code hmacKey}. With an {@code Idempotency-Key}
     * a retry answers the stored 201 (the same key) and makes nothing.
     *
     * @param ex exchange
     * @throws HubProblem 400 {@code MALFORMED_REQUEST}; 422 as in the class documentation
     */
    public void create(Exchange ex) {
        Caller caller = api.reseller(ex);
        byte[] raw = api.body(ex);
        api.respond(ex, api.idempotentAtomic(ex, caller, raw, () -> create(caller, raw)));
    }

    private ApiResponse create(Caller caller, byte[] raw) {
        JsonNode body = api.parse(raw);
        if (!body.isObject()) {
            throw new HubProblem(400, "MALFORMED_REQUEST", null, "a JSON object {customer, products, expiresAt} is expected");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String f = names.next();
            if (!FIELDS.contains(f)) {
                throw new HubProblem(422, "FIELD_UNKNOWN", f, "unknown field " + f + "; known: customer, products, expiresAt, contacts");
            }
        }
        List<HubProblem.FieldError> errors = new ArrayList<>();
        String customer = customer(body.get("customer"), errors);
        List<String> products = products(body.get("products"), errors);
        Instant expiresAt = expiresAt(body.get("expiresAt"), errors);
        String contacts = contacts(body.get("contacts"), errors);
        if (!errors.isEmpty()) {
            throw HubProblem.unprocessable(errors);
        }
        EabKeys.Created made = keys.create(caller.accountId(), customer, products, expiresAt, contacts, caller.actor());
        Map<String, Object> view = view(made.key());
        view.put("hmacKey", made.hmacKey());
        return new ApiResponse(201, api.write(view), "/api/v1/acme/eab-keys/" + made.key().kid());
    }

    /** {@code GET /acme/eab-keys}: 200 {@code {items: [key]}}, oldest first (no HMAC keys). @param ex exchange */
    public void list(Exchange ex) {
        Caller caller = api.reseller(ex);
        api.respond(ex, api.ok(200, Map.of("items", keys.list(caller.accountId()).stream().map(this::view).toList())));
    }

    /**
     * {@code GET /acme/eab-keys/{kid}}: 200 the key (no HMAC key).
     *
     * @param ex exchange
     * @throws HubProblem 404 {@code EAB_KEY_NOT_FOUND}
     */
    public void get(Exchange ex) {
        Caller caller = api.reseller(ex);
        String kid = ex.getMessage().getHeader("kid", String.class);
        api.respond(ex, api.ok(200, view(keys.find(caller.accountId(), kid).orElseThrow(() -> notFound(kid)))));
    }

    /**
     * {@code DELETE /acme/eab-keys/{kid}}: 204; the key binds no ACME account from now on (revoking
     * a revoked key answers 204 too).
     *
     * @param ex exchange
     * @throws HubProblem 404 {@code EAB_KEY_NOT_FOUND}
     */
    public void revoke(Exchange ex) {
        Caller caller = api.reseller(ex);
        String kid = ex.getMessage().getHeader("kid", String.class);
        if (!keys.revoke(caller.accountId(), kid)) {
            throw notFound(kid);
        }
        var m = ex.getMessage();
        m.removeHeaders("*", "CamelHttp*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        m.setBody(null);
    }

    /**
     * {@code GET /acme/accounts}: 200 {@code {items: [{id, kid, customer, contact[], status,
     * createdAt}]}}, the ACME accounts bound to this reseller's EAB keys, oldest first.
     *
     * @param ex exchange
     */
    public void accounts(Exchange ex) {
        Caller caller = api.reseller(ex);
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> r : keys.accounts(caller.accountId())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.get("id"));
            m.put("kid", r.get("eab_kid"));
            m.put("customer", r.get("customer"));
            m.put("contact", r.get("contact") == null ? List.of() : List.of(((String) r.get("contact")).split("\n")));
            m.put("status", r.get("status"));
            m.put("createdAt", OrderViews.instant(EabKeys.instant(r.get("created_at"))));
            items.add(m);
        }
        api.respond(ex, api.ok(200, Map.of("items", items)));
    }

    /**
     * {@code GET /acme/orders}: 200 {@code {items: [{id, accountId, customer, identifiers[], product,
     * status, orderId, error, createdAt}]}}, the newest {@value EabKeys#ORDERS_LISTED} ACME orders of
     * this reseller's customers, newest first; {@code orderId} is the Certhub order finalize made.
     *
     * @param ex exchange
     */
    public void orders(Exchange ex) {
        Caller caller = api.reseller(ex);
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> r : keys.orders(caller.accountId())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.get("id"));
            m.put("accountId", r.get("client_account_id"));
            m.put("customer", r.get("customer"));
            m.put("identifiers", List.of(((String) r.get("identifiers")).split(",")));
            m.put("product", r.get("product_type"));
            m.put("status", r.get("status"));
            m.put("orderId", r.get("order_id"));
            m.put("error", r.get("error_detail"));
            m.put("createdAt", OrderViews.instant(EabKeys.instant(r.get("created_at"))));
            items.add(m);
        }
        api.respond(ex, api.ok(200, Map.of("items", items)));
    }

    private static HubProblem notFound(String kid) {
        return new HubProblem(404, "EAB_KEY_NOT_FOUND", null, "no EAB key " + kid);
    }

    private Map<String, Object> view(EabKeys.EabKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kid", k.kid());
        m.put("customer", k.customer());
        m.put("products", k.products());
        m.put("contacts", k.contacts() == null ? null : api.parse(k.contacts().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        m.put("expiresAt", OrderViews.instant(k.expiresAt()));
        m.put("createdAt", OrderViews.instant(k.createdAt()));
        m.put("revokedAt", OrderViews.instant(k.revokedAt()));
        m.put("boundAt", OrderViews.instant(k.boundAt()));
        m.put("boundAccount", k.boundAccount());
        m.put("state", k.state(clock.instant()));
        return m;
    }

    private static String customer(JsonNode v, List<HubProblem.FieldError> errors) {
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            errors.add(new HubProblem.FieldError("FIELD_REQUIRED", "customer", "customer is required: your name for the customer the key is for"));
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new HubProblem.FieldError("FIELD_INVALID", "customer", "customer must be a string"));
            return null;
        }
        return FieldRules.singleLine(v.asText(), "customer", MAX_CUSTOMER, errors) ? v.asText().strip() : null;
    }

    /**
     * @return the contacts as stored JSON (the shape of an order's {@code contacts}), or null when
     *         absent; violations added as {@code contacts.*} errors
     */
    private static String contacts(JsonNode v, List<HubProblem.FieldError> errors) {
        if (v == null || v.isNull()) {
            return null;
        }
        io.certhub.order.OrderDocument.Contacts c;
        try {
            c = v.isObject() ? STRICT.treeToValue(v, io.certhub.order.OrderDocument.Contacts.class) : null;
        } catch (java.io.IOException e) {
            c = null;
        }
        if (c == null) {
            errors.add(new HubProblem.FieldError("FIELD_INVALID", "contacts", "contacts must be an object {admin, tech, billing, organization,"
                + " signer} of contacts shaped as an order's (string fields only)"));
            return null;
        }
        int before = errors.size();
        FieldRules.contact(c.admin(), "contacts.admin", errors);
        FieldRules.contact(c.tech(), "contacts.tech", errors);
        FieldRules.contact(c.billing(), "contacts.billing", errors);
        FieldRules.contact(c.organization(), "contacts.organization", errors);
        FieldRules.contact(c.signer(), "contacts.signer", errors);
        if (c.admin() == null) {
            errors.add(new HubProblem.FieldError("FIELD_REQUIRED", "contacts.admin", "contacts.admin is required: the ACME orders' certificates"
                + " are mailed to it"));
        } else {
            io.certhub.order.OrderValidator.person(c.admin(), "contacts.admin", errors);
        }
        try {
            String json = STRICT.writeValueAsString(c);
            if (json.length() > FieldRules.MAX_CONTACTS_JSON / 2) {
                errors.add(new HubProblem.FieldError(FieldRules.TOO_LONG, "contacts", "contacts take " + json.length()
                    + " characters as JSON; the maximum is " + FieldRules.MAX_CONTACTS_JSON / 2));
            }
            return errors.size() == before ? json : null;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> products(JsonNode v, List<HubProblem.FieldError> errors) {
        if (v == null || v.isNull() || (v.isArray() && v.isEmpty())) {
            errors.add(new HubProblem.FieldError("FIELD_REQUIRED", "products", "products is required: the product codes the customer may order"));
            return null;
        }
        if (!v.isArray()) {
            errors.add(new HubProblem.FieldError("FIELD_INVALID", "products", "products must be an array of product codes"));
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode p = v.get(i);
            if (!p.isTextual() || catalog.find(p.asText()).isEmpty()) {
                errors.add(new HubProblem.FieldError("FIELD_INVALID", "products[" + i + "]", "products[" + i + "] is not a product of the"
                    + " catalog (GET /api/v1/products)"));
                continue;
            }
            out.add(p.asText());
        }
        return List.copyOf(out);
    }

    private Instant expiresAt(JsonNode v, List<HubProblem.FieldError> errors) {
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            errors.add(new HubProblem.FieldError("FIELD_REQUIRED", "expiresAt", "expiresAt is required: when the key stops binding accounts"));
            return null;
        }
        Instant at;
        try {
            at = Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            errors.add(new HubProblem.FieldError("FIELD_INVALID", "expiresAt", "expiresAt must be an RFC 3339 instant such as 2027-06-30T00:00:00Z"));
            return null;
        }
        Instant now = clock.instant();
        if (!at.isAfter(now) || at.isAfter(now.plus(Duration.ofDays(MAX_LIFETIME_DAYS)))) {
            errors.add(new HubProblem.FieldError("FIELD_INVALID", "expiresAt", "expiresAt must be in the future and at most "
                + MAX_LIFETIME_DAYS + " days ahead"));
            return null;
        }
        return at;
    }
}
