package io.certhub.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The hub as an ACME server (RFC 8555) for the reseller's customers' clients (issue 15 §2;
 * routes/acme/acme-server.camel.yaml), so far: the directory (§7.1.1), nonces (§7.2) and accounts
 * (§7.3) bound by External Account Binding (§7.3.4) to an EAB key the reseller made
 * ({@link EabKeys}). Orders, authorizations, challenges, finalize, certificates, revocation and
 * renewal information are the next steps: the directory lists only what is served.
 *
 * <p>URLs are {@code <base>/acme/...}: {@code hub.acme.base-url} when set (the hub's public https
 * URL in production), else the request's scheme ({@code X-Forwarded-Proto} first) and
 * {@code Host}. Every answer carries a fresh {@code Replay-Nonce} and {@code Cache-Control:
 * no-store}; errors are {@code application/problem+json} with the RFC 8555 error type
 * ({@link AcmeProblem}). Each client address is held to {@code hub.acme.requests-per-second}
 * ({@link AcmeThrottle}, in {@code io.certhub.api.ApiGuardFilter}, which also caps request bodies at
 * {@value #MAX_BODY} bytes before they are read).
 *
 * <p>newAccount: the JWS is checked ({@link AcmeJws#parse}), its nonce used up ({@link AcmeNonces}),
 * its url must be this newAccount URL (else 401 {@code unauthorized}); a key that has an account
 * gets it again (200, §7.3.1); {@code onlyReturnExisting} without one is 400
 * {@code accountDoesNotExist}; otherwise the binding is required (400 {@code externalAccountRequired})
 * and must name an EAB key that is ACTIVE — not revoked, expired or bound to another account (401
 * {@code unauthorized}); the key is bound and the account stored in one transaction (201), so two
 * clients racing for one key get one account.
 */
@Component("acmeServer")
public class AcmeServer {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest request body taken, in bytes (a newAccount JWS is a few KB). */
    public static final int MAX_BODY = 64 * 1024;

    private final AcmeNonces nonces;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final String baseUrl;
    private final Map<String, String> profiles = new java.util.TreeMap<>();
    private final boolean requireHttps;

    /**
     * @param nonces  the nonces
     * @param jdbc    the hub database ({@code acme_client_account}, {@code acme_eab_key})
     * @param tx      transactions (an account and its key's binding)
     * @param clock   the hub's clock
     * @param props   {@code hub.acme.*} (the base URL; empty: from each request)
     * @param catalog the products, offered as ACME profiles (draft-ietf-acme-profiles): code → name
     */
    public AcmeServer(AcmeNonces nonces, JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, AcmeServerProperties props,
                      io.certhub.order.ProductCatalog catalog) {
        this.nonces = nonces;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        catalog.all().forEach(p -> profiles.put(p.productType(), p.name()));
        String base = props.baseUrl().strip();
        this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.requireHttps = props.requireHttps();
    }

    /** {@code GET /acme/directory}: the resources served, and {@code meta.externalAccountRequired: true}. @param ex exchange */
    public void directory(Exchange ex) {
        String base = base(ex);
        Map<String, Object> dir = new LinkedHashMap<>();
        dir.put("newNonce", base + "/acme/new-nonce");
        dir.put("newAccount", base + "/acme/new-account");
        dir.put("newOrder", base + "/acme/new-order");
        dir.put("revokeCert", base + "/acme/revoke-cert");
        dir.put("renewalInfo", base + "/acme/renewal-info");
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("externalAccountRequired", true);
        meta.put("profiles", profiles);
        dir.put("meta", meta);
        json(ex, 200, dir, null);
    }

    /** {@code HEAD /acme/new-nonce} (200) and {@code GET /acme/new-nonce} (204): a fresh nonce. @param ex exchange */
    public void newNonce(Exchange ex) {
        Message m = ex.getMessage();
        boolean head = "HEAD".equalsIgnoreCase(m.getHeader(Exchange.HTTP_METHOD, String.class));
        String base = base(ex);
        clear(m);
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, head ? 200 : 204);
        m.setHeader("Replay-Nonce", nonces.issue());
        m.setHeader("Cache-Control", "no-store");
        m.setHeader("Link", "<" + base + "/acme/directory>;rel=\"index\"");
        m.setBody(null);
    }

    /** {@code POST /acme/new-account}: see the class documentation. @param ex exchange */
    public void newAccount(Exchange ex) {
        String url = base(ex) + "/acme/new-account";
        AcmeJws req = AcmeJws.parse(body(ex));
        if (req.jwk() == null) {
            throw new AcmeProblem(400, "malformed", "newAccount must be signed with the account key in the jwk header");
        }
        nonces.use(req.nonce());
        if (!url.equals(req.url())) {
            throw new AcmeProblem(401, "unauthorized", "the JWS url " + req.url() + " is not this request's URL " + url);
        }
        JsonNode payload = payload(req.payload());
        String thumbprint = req.jwk().calculateBase64urlEncodedThumbprint("SHA-256");
        List<Map<String, Object>> existing = jdbc.queryForList("select * from acme_client_account where thumbprint = ?", thumbprint);
        if (!existing.isEmpty()) {
            json(ex, 200, view(ex, existing.get(0)), accountUrl(ex, (String) existing.get(0).get("id")));
            return;
        }
        if (payload.path("onlyReturnExisting").asBoolean(false)) {
            throw new AcmeProblem(400, "accountDoesNotExist", "no account has this key");
        }
        if (!payload.has("externalAccountBinding")) {
            throw new AcmeProblem(400, "externalAccountRequired", "this server binds every account to an EAB key your reseller gave you"
                + " (RFC 8555 §7.3.4)");
        }
        String kid = AcmeJws.checkBinding(payload.get("externalAccountBinding"), req.jwk(), url,
            k -> jdbc.queryForList("select hmac_key from acme_eab_key where kid = ?", String.class, k).stream().findFirst().orElse(null));
        String contact = contact(payload.get("contact"));
        String jwk = req.jwk().toJson();
        String id = UUID.randomUUID().toString();
        String location = accountUrl(ex, id);
        Map<String, Object> row = tx.execute(s -> {
            Timestamp now = Timestamp.from(clock.instant());
            if (jdbc.update("update acme_eab_key set bound_at = ?, bound_account = ? where kid = ? and bound_at is null and revoked_at is null"
                    + " and expires_at > ?", now, location, kid, now) != 1) {
                throw new AcmeProblem(401, "unauthorized", "EAB key " + kid + " is revoked, expired or already bound to an account");
            }
            Map<String, Object> key = jdbc.queryForMap("select account_id, customer from acme_eab_key where kid = ?", kid);
            jdbc.update("insert into acme_client_account(id, thumbprint, jwk, account_id, eab_kid, customer, contact, status, created_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, 'valid', ?)", id, thumbprint, jwk, key.get("account_id"), kid, key.get("customer"), contact, now);
            return jdbc.queryForMap("select * from acme_client_account where id = ?", id);
        });
        LOG.info("ACME account {} made for account {} (customer {}, EAB key {})", id, row.get("account_id"), row.get("customer"), kid);
        json(ex, 201, view(ex, row), location);
    }

    /**
     * A request signed by an account's key, named by {@code kid} (RFC 8555 §6.2).
     *
     * @param account  the account's row of {@code acme_client_account}
     * @param payload  the payload as JSON, or null for a POST-as-GET (empty payload, §6.3)
     */
    public record Signed(Map<String, Object> account, JsonNode payload) {

        /** @return the account's id */
        public String accountId() {
            return (String) account.get("id");
        }

        /** @return the RFC 7638 thumbprint of the account key (base64url) */
        public String thumbprint() {
            return (String) account.get("thumbprint");
        }
    }

    /**
     * Checks a request signed with {@code kid}: the JWS (jose4j, with the account's stored key), its
     * nonce (used up), its url (this request's), the account (valid, its EAB key not revoked).
     *
     * @param ex  exchange
     * @param url this request's URL
     * @return the account and payload
     * @throws AcmeProblem 400 {@code malformed} / {@code badSignatureAlgorithm} / {@code badNonce} /
     *                     {@code accountDoesNotExist}; 401 {@code unauthorized} (other url, account
     *                     deactivated, EAB key revoked by the reseller)
     */
    Signed signed(Exchange ex, String url) {
        AcmeJws req = AcmeJws.parse(body(ex));
        if (req.kid() == null) {
            throw new AcmeProblem(400, "malformed", "this request must be signed with the account URL in the kid header (RFC 8555 §6.2)");
        }
        String prefix = base(ex) + "/acme/acct/";
        String id = req.kid().startsWith(prefix) ? req.kid().substring(prefix.length()) : null;
        List<Map<String, Object>> rows = id == null || id.length() > 36 ? List.of()
            : jdbc.queryForList("select a.*, k.revoked_at key_revoked_at from acme_client_account a join acme_eab_key k on k.kid = a.eab_kid"
                + " where a.id = ?", id);
        if (rows.isEmpty()) {
            throw new AcmeProblem(400, "accountDoesNotExist", "no account " + req.kid());
        }
        Map<String, Object> account = rows.get(0);
        try {
            req.jws().setKey(org.jose4j.jwk.PublicJsonWebKey.Factory.newPublicJwk((String) account.get("jwk")).getKey());
            if (!req.jws().verifySignature()) {
                throw new AcmeProblem(400, "malformed", "the JWS signature does not verify with the key of account " + req.kid());
            }
        } catch (org.jose4j.lang.JoseException e) {
            throw new AcmeProblem(400, "malformed", "the JWS cannot be verified: " + e.getMessage());
        }
        nonces.use(req.nonce());
        if (!url.equals(req.url())) {
            throw new AcmeProblem(401, "unauthorized", "the JWS url " + req.url() + " is not this request's URL " + url);
        }
        if (!"valid".equals(account.get("status"))) {
            throw new AcmeProblem(401, "unauthorized", "account " + req.kid() + " is " + account.get("status"));
        }
        if (account.get("key_revoked_at") != null) {
            throw new AcmeProblem(401, "unauthorized", "the EAB key of account " + req.kid() + " was revoked by your reseller");
        }
        return new Signed(account, req.payload() == null || req.payload().isEmpty() ? null : payload(req.payload()));
    }

    /**
     * {@code POST /acme/acct/{id}} (RFC 8555 §7.3.2, §7.3.6): POST-as-GET answers the account;
     * {@code {"status":"deactivated"}} deactivates it (no request of its key is taken afterwards);
     * {@code contact} replaces its contacts.
     *
     * @param ex exchange (header {@code id})
     */
    public void account(Exchange ex) {
        String url = accountUrl(ex, ex.getMessage().getHeader("id", String.class));
        Signed req = signed(ex, url);
        if (!url.equals(accountUrl(ex, req.accountId()))) {
            throw new AcmeProblem(401, "unauthorized", "the request is signed by another account");
        }
        if (req.payload() != null) {
            if (req.payload().has("contact")) {
                jdbc.update("update acme_client_account set contact = ? where id = ?", contact(req.payload().get("contact")), req.accountId());
            }
            if ("deactivated".equals(req.payload().path("status").asText(null))) {
                jdbc.update("update acme_client_account set status = 'deactivated' where id = ?", req.accountId());
                LOG.info("ACME account {} deactivated by its client", req.accountId());
            }
        }
        json(ex, 200, view(ex, jdbc.queryForMap("select * from acme_client_account where id = ?", req.accountId())), url);
    }

    static byte[] body(Exchange ex) {
        byte[] b = ex.getMessage().getBody(byte[].class);
        if (b == null || b.length == 0) {
            throw new AcmeProblem(400, "malformed", "the body is empty: a JWS is expected");
        }
        if (b.length > MAX_BODY) {
            throw new AcmeProblem(400, "malformed", "the body has " + b.length + " bytes; at most " + MAX_BODY + " are taken");
        }
        return b;
    }

    static JsonNode payload(String text) {
        try {
            JsonNode p = text == null || text.isEmpty() ? null : JSON.readTree(text);
            if (p == null || !p.isObject()) {
                throw new AcmeProblem(400, "malformed", "the JWS payload must be a JSON object");
            }
            return p;
        } catch (IOException e) {
            throw new AcmeProblem(400, "malformed", "the JWS payload is not JSON");
        }
    }

    /** @return the account's contact URLs (mailto: only, RFC 8555 §7.3), newline-separated, or null */
    private static String contact(JsonNode contact) {
        if (contact == null || contact.isNull()) {
            return null;
        }
        if (!contact.isArray() || contact.size() > 10) {
            throw new AcmeProblem(400, "invalidContact", "contact must be an array of at most 10 mailto: URLs");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode c : contact) {
            String v = c.asText("");
            if (!c.isTextual() || !v.startsWith("mailto:") || v.length() > 254 || v.indexOf('@') < 0 || v.chars().anyMatch(ch -> ch < 0x21)) {
                throw new AcmeProblem(400, v.startsWith("mailto:") || !c.isTextual() ? "invalidContact" : "unsupportedContact",
                    "contact " + v + " is not a mailto: URL of one address");
            }
            out.add(v);
        }
        return out.isEmpty() ? null : String.join("\n", out);
    }

    private Map<String, Object> view(Exchange ex, Map<String, Object> row) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("status", row.get("status"));
        v.put("orders", accountUrl(ex, (String) row.get("id")) + "/orders");
        Object contact = row.get("contact");
        v.put("contact", contact == null ? List.of() : List.of(((String) contact).split("\n")));
        v.put("termsOfServiceAgreed", true);
        return v;
    }

    String accountUrl(Exchange ex, String id) {
        return base(ex) + "/acme/acct/" + id;
    }

    /** @return the server's base URL: {@code hub.acme.base-url}, else the request's scheme and host */
    String base(Exchange ex) {
        if (!baseUrl.isEmpty()) {
            return baseUrl;
        }
        Message m = ex.getMessage();
        String proto = m.getHeader("X-Forwarded-Proto", String.class);
        if (proto == null || proto.isBlank()) {
            // the request's own scheme (the hub ends TLS itself); https only served: https
            String url = m.getHeader(Exchange.HTTP_URL, String.class);
            proto = requireHttps || (url != null && url.regionMatches(true, 0, "https:", 0, 6)) ? "https" : "http";
        }
        String host = m.getHeader("Host", String.class);
        return proto.split(",")[0].trim() + "://" + (host == null ? "localhost" : host);
    }

    /**
     * Answers JSON with a fresh nonce, {@code Cache-Control: no-store} and the directory link.
     *
     * @param ex       exchange
     * @param status   HTTP status
     * @param body     what Jackson writes
     * @param location the {@code Location} header, or null
     */
    void json(Exchange ex, int status, Object body, String location) {
        Message m = ex.getMessage();
        String base = base(ex);                                 // before the request's headers are cleared
        clear(m);
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (!"GET".equalsIgnoreCase(method(ex))) {
            // every answer to a POST carries a fresh nonce (RFC 8555 §6.5); a GET (directory, renewalInfo)
            // needs none, so an unauthenticated GET writes no nonce row
            m.setHeader("Replay-Nonce", nonces.issue());
        }
        m.setHeader("Cache-Control", "no-store");
        m.setHeader("Link", "<" + base + "/acme/directory>;rel=\"index\"");
        if (location != null) {
            m.setHeader("Location", location);
        }
        try {
            m.setBody(JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The shared error handler of the ACME server's routes ({@code acme-errors} in
     * routes/errors.camel.yaml): an {@link AcmeProblem} is answered as it is; a database race
     * (another request changed the same rows) as 409 {@code malformed} to retry; anything else as 500
     * {@code serverInternal}, logged with its stack trace.
     *
     * @param ex the failed exchange; the exception is {@link Exchange#EXCEPTION_CAUGHT}
     */
    public void failed(Exchange ex) {
        Throwable t = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (t instanceof AcmeProblem p) {
            problem(ex, p);
            return;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.springframework.dao.TransientDataAccessException || c instanceof org.springframework.dao.DuplicateKeyException) {
                LOG.warn("ACME request lost a database race: {}", t.toString());
                problem(ex, new AcmeProblem(409, "malformed", "another request changed the same data at the same time; nothing was done, retry"));
                return;
            }
        }
        LOG.error("ACME request failed", t);
        problem(ex, new AcmeProblem(500, "serverInternal", "the server failed to handle the request; it was logged"));
    }

    /** Answers an RFC 8555 problem document. @param ex exchange @param p the problem */
    void problem(Exchange ex, AcmeProblem p) {
        json(ex, p.status(), null, null);
        if (p.retryAfter() > 0) {
            ex.getMessage().setHeader("Retry-After", String.valueOf(p.retryAfter()));
        }
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        ex.getMessage().setBody(p.toJson());
    }

    private static String method(Exchange ex) {
        String method = ex.getMessage().getHeader(Exchange.HTTP_METHOD, String.class);
        return method == null ? "POST" : method;
    }

    private static void clear(Message m) {
        String method = m.getHeader(Exchange.HTTP_METHOD, String.class);
        m.removeHeaders("*", "CamelHttp*");
        if (method != null) {
            m.setHeader(Exchange.HTTP_METHOD, method);
        }
    }
}
