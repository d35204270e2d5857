package io.certhub.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.csr.CsrException;
import io.certhub.csr.CsrParser;
import io.certhub.csr.ParsedCsr;
import io.certhub.ledger.LedgerService;
import io.certhub.names.DomainNames;
import io.certhub.order.Order;
import io.certhub.order.OrderDocument;
import io.certhub.order.OrderService;
import io.certhub.order.OrderState;
import io.certhub.order.Product;
import io.certhub.order.ProductCatalog;
import io.certhub.pki.Certificates;
import io.certhub.problem.HubProblem;
import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Orders of the customers' ACME clients on the hub's ACME server (RFC 8555 §7.4, §7.5, §8; issue 15
 * §2; routes/acme/acme-server.camel.yaml), tables {@code acme_server_order} and
 * {@code acme_server_authz} (Flyway V31). Every request is signed by the account's key
 * ({@link AcmeServer#signed}); a resource of another account is 403 {@code unauthorized}. Refusals
 * are thrown as {@link AcmeProblem} and answered by the routes' shared error handler
 * ({@code acme-errors}, {@link AcmeServer#failed}).
 *
 * <ul>
 *   <li><b>newOrder</b> {@code {identifiers: [{type: dns, value}], profile?}}: the product is the
 *       {@code profile} when given (one of the EAB key's products, else 400 {@code invalidProfile}),
 *       else the first of the key's products that takes the names (count ≤ {@code maxDomains}, a
 *       wildcard only on a wildcard product; none: 400 {@code rejectedIdentifier}). Names are
 *       checked and normalised as an order's ({@link DomainNames}; 400 {@code rejectedIdentifier}
 *       naming the value). The key must carry contacts ({@code POST /api/v1/acme/eab-keys
 *       contacts}), else 403 {@code unauthorized}; the reseller's available funds must cover the
 *       product's one-year price, else 403 {@code unauthorized} (nothing is held yet). 201: the
 *       order {@code pending} with one authorization per name, valid
 *       {@value #ORDER_LIFETIME_DAYS} days. The accounts of one EAB key make at most
 *       {@code hub.acme.orders-per-hour-per-key} orders in any hour (429 {@code rateLimited} with
 *       {@code Retry-After}).</li>
 *   <li><b>Challenges</b>: each authorization offers {@code http-01} (not for a wildcard) and
 *       {@code dns-01} with one token (32 random bytes, base64url). The hub validates the one the
 *       client posts to first, as a CA would, since the domain is the customer's: the POST records
 *       the request and answers the challenge {@code processing} with {@code Retry-After: 1};
 *       {@link AcmeChallenges} validates it off the request (a match: the authorization
 *       {@code valid}, and the order {@code ready} when every one is; a miss after its tries: both
 *       {@code invalid}, {@code incorrectResponse}).</li>
 *   <li><b>finalize</b> {@code {csr}}: the order must be {@code ready} (else 403
 *       {@code orderNotReady}; a {@code processing} or {@code valid} order answers itself, so a
 *       client's retry changes nothing). The CSR (base64url DER) must name exactly the order's names
 *       (CN and SANs; 400 {@code badCSR}). In one transaction, the ACME order's row locked, a Certhub
 *       order {@code ACME-<acme order id>} is made and submitted ({@link OrderService#create},
 *       handle {@code process}: the price held exactly like any other order, the vendor reached by
 *       the same queue) with the EAB key's contacts, DCV method {@code dns} at the upstream vendor
 *       (the customer delegates the vendor's validation name once by CNAME; the hub's own check
 *       above is what the ACME client proved), and the ACME order becomes {@code processing}. The
 *       order's rules answer 400 {@code badCSR} (a CSR rule) or 403 {@code unauthorized} (funds,
 *       another rule) with the rule's detail, the ACME order staying {@code ready}.</li>
 *   <li><b>Order</b> POST-as-GET: a {@code processing} order follows its Certhub order: COMPLETED
 *       → {@code valid} with the {@code certificate} URL of its newest certificate; DECLINED or
 *       CANCELLED → {@code invalid} with the order's last error.</li>
 *   <li><b>Certificate</b> POST-as-GET {@code /acme/cert/{id}}: {@code
 *       application/pem-certificate-chain}, the leaf then its chain (§7.4.2).</li>
 * </ul>
 */
@Component("acmeOrders")
public class AcmeOrders {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeOrders.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    /** Days an ACME order and its authorizations stay usable. */
    public static final int ORDER_LIFETIME_DAYS = 7;
    /** Most identifiers one ACME order takes (the largest product takes fewer). */
    public static final int MAX_IDENTIFIERS = 100;
    /** Most characters of an order's identifiers joined by commas ({@code acme_server_order.identifiers}). */
    public static final int MAX_IDENTIFIERS_CHARS = 4000;

    private final AcmeServer server;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ProductCatalog catalog;
    private final LedgerService ledger;
    private final OrderService orders;
    private final io.certhub.order.OrderRepository repository;
    private final CsrParser csrs;
    private final AcmeChallenges challenges;
    private final int ordersPerHourPerKey;

    /**
     * @param server  request checks and answers of the ACME server
     * @param jdbc    the hub database
     * @param tx      transactions
     * @param clock   the hub's clock
     * @param catalog the products
     * @param ledger  the reseller accounts' funds
     * @param orders  the order lifecycle (the Certhub order made at finalize)
     * @param repository the orders' storage (a processing ACME order's Certhub order)
     * @param csrs    the CSR parser
     * @param challenges the challenge validation (a client's request is recorded there)
     * @param props   {@code hub.acme.*}: the order rate per EAB key
     */
    public AcmeOrders(AcmeServer server, JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, ProductCatalog catalog, LedgerService ledger,
                      OrderService orders, io.certhub.order.OrderRepository repository, CsrParser csrs, AcmeChallenges challenges,
                      AcmeServerProperties props) {
        this.server = server;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.catalog = catalog;
        this.ledger = ledger;
        this.orders = orders;
        this.repository = repository;
        this.csrs = csrs;
        this.challenges = challenges;
        this.ordersPerHourPerKey = props.ordersPerHourPerKey();
    }

    /** {@code POST /acme/new-order}: see the class documentation. @param ex exchange */
    public void newOrder(Exchange ex) {
        String base = server.base(ex);
        AcmeServer.Signed req = server.signed(ex, base + "/acme/new-order");
        JsonNode p = req.payload();
        if (p == null) {
            throw new AcmeProblem(400, "malformed", "newOrder needs a payload {identifiers}");
        }
        if (p.hasNonNull("notBefore") || p.hasNonNull("notAfter")) {
            throw new AcmeProblem(400, "malformed", "notBefore and notAfter are not taken: the validity is the product's");
        }
        List<String> names = identifiers(p.get("identifiers"));
        if (String.join(",", names).length() > MAX_IDENTIFIERS_CHARS) {
            throw new AcmeProblem(400, "rejectedIdentifier", "the identifiers take " + String.join(",", names).length() + " characters; at most "
                + MAX_IDENTIFIERS_CHARS + " are taken");
        }
        Map<String, Object> key = jdbc.queryForMap("select products, contacts from acme_eab_key where kid = ?", req.account().get("eab_kid"));
        List<String> offered = Arrays.asList(((String) key.get("products")).split(","));
        Product product = product(p.path("profile").asText(null), offered, names);
        if (key.get("contacts") == null) {
            throw new AcmeProblem(403, "unauthorized", "your EAB key carries no contacts for the certificates' orders: ask your reseller"
                + " for a key made with contacts");
        }
        String accountId = (String) req.account().get("account_id");
        long available = ledger.account(accountId).available();
        if (available < product.price(1).minor()) {
            throw new AcmeProblem(403, "unauthorized", "your reseller's account cannot pay for " + product.productType() + " now ("
                + product.price(1).decimal() + " " + product.price(1).currency() + ")");
        }
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Timestamp expires = Timestamp.from(now.plus(Duration.ofDays(ORDER_LIFETIME_DAYS)));
        tx.executeWithoutResult(s -> {
            // counted and inserted under the EAB key's row lock: concurrent newOrders of one key queue here, so none passes the limit
            jdbc.queryForList("select kid from acme_eab_key where kid = ? for update", String.class, req.account().get("eab_kid"));
            limit(req);
            jdbc.update("insert into acme_server_order(id, client_account_id, account_id, product_type, identifiers, status, expires_at,"
                + " created_at, updated_at) values (?, ?, ?, ?, ?, 'pending', ?, ?, ?)", id, req.accountId(), accountId, product.productType(),
                String.join(",", names), expires, Timestamp.from(now), Timestamp.from(now));
            for (String n : names) {
                boolean wildcard = DomainNames.isWildcard(n);
                jdbc.update("insert into acme_server_authz(id, acme_order_id, identifier, wildcard, status, token, expires_at)"
                    + " values (?, ?, ?, ?, 'pending', ?, ?)", UUID.randomUUID().toString(), id, wildcard ? n.substring(2) : n, wildcard,
                    token(), expires);
            }
        });
        LOG.info("ACME order {} of ACME account {} (account {}): {} for {}", id, req.accountId(), accountId, product.productType(), names);
        server.json(ex, 201, view(base, order(id)), base + "/acme/order/" + id);
    }

    /** {@code POST /acme/order/{id}} (POST-as-GET): the order, following its Certhub order. @param ex exchange (header {@code id}) */
    public void order(Exchange ex) {
        String base = server.base(ex);
        String id = ex.getMessage().getHeader("id", String.class);
        AcmeServer.Signed req = server.signed(ex, base + "/acme/order/" + id);
        Map<String, Object> o = owned(order(id), req, "order");
        server.json(ex, 200, view(base, follow(o)), null);
    }

    /**
     * {@code POST /acme/acct/{id}/orders} (POST-as-GET, RFC 8555 §7.1.2.1): {@code {orders: [url]}},
     * the account's orders that are pending, ready or processing, oldest first.
     *
     * @param ex exchange (header {@code id})
     */
    public void accountOrders(Exchange ex) {
        String base = server.base(ex);
        String id = ex.getMessage().getHeader("id", String.class);
        AcmeServer.Signed req = server.signed(ex, base + "/acme/acct/" + id + "/orders");
        if (!req.accountId().equals(id)) {
            throw new AcmeProblem(403, "unauthorized", "the orders of another account");
        }
        List<String> urls = jdbc.queryForList("select id from acme_server_order where client_account_id = ? and status in"
            + " ('pending', 'ready', 'processing') order by created_at, id", String.class, id).stream().map(o -> base + "/acme/order/" + o).toList();
        server.json(ex, 200, Map.of("orders", urls), null);
    }

    /** {@code POST /acme/authz/{id}} (POST-as-GET): the authorization and its challenges. @param ex exchange (header {@code id}) */
    public void authorization(Exchange ex) {
        String base = server.base(ex);
        String id = ex.getMessage().getHeader("id", String.class);
        AcmeServer.Signed req = server.signed(ex, base + "/acme/authz/" + id);
        follow(owned(order(authz(id).get("acme_order_id").toString()), req, "authorization"));
        Map<String, Object> a = authz(id);
        server.json(ex, 200, authzView(base, a, req.thumbprint()), null);
    }

    /**
     * {@code POST /acme/chall/{id}/{type}}: {@code {}} asks the hub to validate the challenge (at
     * once; see the class documentation); POST-as-GET answers it. Either way with {@code Link:
     * <authz>;rel="up"}.
     *
     * @param ex exchange (headers {@code id}, {@code type})
     */
    public void challenge(Exchange ex) {
        String base = server.base(ex);
        String id = ex.getMessage().getHeader("id", String.class);
        String type = ex.getMessage().getHeader("type", String.class);
        AcmeServer.Signed req = server.signed(ex, base + "/acme/chall/" + id + "/" + type);
        Map<String, Object> a = authz(id);
        Map<String, Object> o = follow(owned(order((String) a.get("acme_order_id")), req, "challenge"));
        a = authz(id);
        if (!challengeTypes(a).contains(type)) {
            throw new AcmeProblem(404, "malformed", "authorization " + id + " has no " + type + " challenge");
        }
        if (req.payload() != null && "pending".equals(a.get("status")) && "pending".equals(o.get("status")) && challenges.request(id, type)) {
            a = authz(id);
        }
        server.json(ex, 200, challengeView(base, a, type, req.thumbprint()), null);
        if ("pending".equals(a.get("status")) && type.equals(a.get("challenge_type"))) {
            ex.getMessage().setHeader("Retry-After", "1");
        }
        ex.getMessage().setHeader("Link", List.of("<" + base + "/acme/directory>;rel=\"index\"", "<" + base + "/acme/authz/" + id + ">;rel=\"up\""));
    }

    /** {@code POST /acme/order/{id}/finalize {csr}}: see the class documentation. @param ex exchange (header {@code id}) */
    public void finalizeOrder(Exchange ex) {
        try {
            String base = server.base(ex);
            String id = ex.getMessage().getHeader("id", String.class);
            AcmeServer.Signed req = server.signed(ex, base + "/acme/order/" + id + "/finalize");
            Map<String, Object> o = follow(owned(order(id), req, "order"));
            if (!"ready".equals(o.get("status"))) {
                if ("processing".equals(o.get("status")) || "valid".equals(o.get("status"))) {
                    server.json(ex, 200, view(base, follow(o)), base + "/acme/order/" + id);
                    return;
                }
                throw new AcmeProblem(403, "orderNotReady", "order " + id + " is " + o.get("status") + "; finalize takes a ready order");
            }
            if (req.payload() == null || !req.payload().path("csr").isTextual()) {
                throw new AcmeProblem(400, "malformed", "finalize needs a payload {csr} (base64url DER)");
            }
            ParsedCsr csr = csr(req.payload().get("csr").asText(), names(o));
            OrderDocument doc = document(o, csr, req);
            tx.executeWithoutResult(s -> {
                // the row lock makes one finalize of two racing ones make the Certhub order; the other sees it
                Map<String, Object> locked = jdbc.queryForMap("select status from acme_server_order where id = ? for update", id);
                if (!"ready".equals(locked.get("status"))) {
                    return;
                }
                Order made = orders.create((String) o.get("account_id"), doc, "acme:" + req.accountId()).order();
                jdbc.update("update acme_server_order set status = 'processing', order_id = ?, updated_at = ? where id = ?", made.id(),
                    Timestamp.from(clock.instant()), id);
                LOG.info("ACME order {} finalized: Certhub order {} ({}), {} held", id, made.id(), made.clientReference(), made.price().decimal());
            });
            server.json(ex, 200, view(base, follow(order(id))), base + "/acme/order/" + id);
            ex.getMessage().setHeader("Retry-After", "2");
        } catch (HubProblem e) {
            throw orderRefused(e);
        }
    }

    /** {@code POST /acme/cert/{id}} (POST-as-GET): the certificate chain in PEM (§7.4.2). @param ex exchange (header {@code id}) */
    public void certificate(Exchange ex) {
        String base = server.base(ex);
        String id = ex.getMessage().getHeader("id", String.class);
        AcmeServer.Signed req = server.signed(ex, base + "/acme/cert/" + id);
        List<Map<String, Object>> rows = jdbc.queryForList("select c.leaf_pem, c.chain_pem from certificate c join acme_server_order o"
            + " on o.order_id = c.order_id where c.id = ? and o.client_account_id = ?", id, req.accountId());
        if (rows.isEmpty()) {
            throw new AcmeProblem(404, "malformed", "no certificate " + id + " of this account");
        }
        server.json(ex, 200, null, null);
        String leaf = ((String) rows.get(0).get("leaf_pem")).strip() + "\n";
        String chain = (String) rows.get(0).get("chain_pem");
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/pem-certificate-chain");
        ex.getMessage().setBody(leaf + (chain == null || chain.isBlank() ? "" : chain.strip() + "\n"));
    }

    /**
     * The rate of new orders per EAB key ({@code hub.acme.orders-per-hour-per-key}), counted over the
     * last hour in the database, so several hub instances keep one limit; called with the key's row
     * locked, in the transaction that inserts the order.
     *
     * @throws AcmeProblem 429 {@code rateLimited}, with the seconds until an order of the hour ages out
     */
    private void limit(AcmeServer.Signed req) {
        Instant hourAgo = clock.instant().minus(Duration.ofHours(1));
        List<Timestamp> recent = jdbc.queryForList("select o.created_at from acme_server_order o join acme_client_account a on a.id = o.client_account_id"
            + " where a.eab_kid = ? and o.created_at > ? order by o.created_at", Timestamp.class, req.account().get("eab_kid"), Timestamp.from(hourAgo));
        if (recent.size() >= ordersPerHourPerKey) {
            long wait = Math.max(1, Duration.between(hourAgo, recent.get(0).toInstant()).toSeconds() + 1);
            throw new AcmeProblem(429, "rateLimited", "your EAB key's accounts made " + recent.size() + " orders in the last hour; at most "
                + ordersPerHourPerKey + " are taken (hub.acme.orders-per-hour-per-key)").retryAfter(wait);
        }
    }

    /** @return the names as ordered, normalised (wildcards keep their {@code *.}), distinct, in order */
    private static List<String> identifiers(JsonNode ids) {
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw new AcmeProblem(400, "malformed", "identifiers must be a non-empty array of {type: dns, value}");
        }
        if (ids.size() > MAX_IDENTIFIERS) {
            throw new AcmeProblem(400, "rejectedIdentifier", "an order takes at most " + MAX_IDENTIFIERS + " identifiers");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode i : ids) {
            String type = i.path("type").asText("");
            String value = i.path("value").asText("");
            if (!"dns".equals(type)) {
                throw new AcmeProblem(400, "unsupportedIdentifier", "identifier type " + type + " is not taken; only dns");
            }
            String n;
            try {
                n = DomainNames.normalise(value);
            } catch (IllegalArgumentException e) {
                throw new AcmeProblem(400, "rejectedIdentifier", "identifier " + value + " is not a DNS name a certificate can carry: " + e.getMessage());
            }
            if (n == null || !DomainNames.isValid(n)) {
                throw new AcmeProblem(400, "rejectedIdentifier", "identifier " + value + " is not a DNS name a certificate can carry");
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    private Product product(String profile, List<String> offered, List<String> names) {
        boolean wildcard = names.stream().anyMatch(DomainNames::isWildcard);
        if (profile != null) {
            if (!offered.contains(profile)) {
                throw new AcmeProblem(400, "invalidProfile", "profile " + profile + " is not one of your EAB key's products: " + offered);
            }
            Product p = catalog.find(profile).orElseThrow(() -> new AcmeProblem(400, "invalidProfile", "profile " + profile + " is no longer sold"));
            if (names.size() > p.maxDomains() || (wildcard && !p.wildcard())) {
                throw new AcmeProblem(400, "rejectedIdentifier", profile + " takes " + p.maxDomains() + " names" + (p.wildcard() ? "" : ", no wildcard")
                    + "; the order has " + names);
            }
            return p;
        }
        for (String code : offered) {
            Product p = catalog.find(code).orElse(null);
            if (p != null && names.size() <= p.maxDomains() && (!wildcard || p.wildcard())) {
                return p;
            }
        }
        throw new AcmeProblem(400, "rejectedIdentifier", "none of your EAB key's products " + offered + " takes " + names.size() + " names"
            + (wildcard ? " with a wildcard" : ""));
    }

    private Map<String, Object> order(String id) {
        List<Map<String, Object>> rows = id == null || id.length() > 36 ? List.of()
            : jdbc.queryForList("select * from acme_server_order where id = ?", id);
        if (rows.isEmpty()) {
            throw new AcmeProblem(404, "malformed", "no order " + id);
        }
        return rows.get(0);
    }

    private Map<String, Object> authz(String id) {
        List<Map<String, Object>> rows = id == null || id.length() > 36 ? List.of()
            : jdbc.queryForList("select * from acme_server_authz where id = ?", id);
        if (rows.isEmpty()) {
            throw new AcmeProblem(404, "malformed", "no authorization " + id);
        }
        return rows.get(0);
    }

    private static Map<String, Object> owned(Map<String, Object> order, AcmeServer.Signed req, String what) {
        if (!req.accountId().equals(order.get("client_account_id"))) {
            throw new AcmeProblem(403, "unauthorized", "this " + what + " belongs to another account");
        }
        return order;
    }

    private List<Map<String, Object>> authzs(String orderId) {
        return jdbc.queryForList("select * from acme_server_authz where acme_order_id = ? order by identifier, wildcard", orderId);
    }

    private static List<String> names(Map<String, Object> o) {
        return Arrays.asList(((String) o.get("identifiers")).split(","));
    }

    private static List<String> challengeTypes(Map<String, Object> a) {
        return Boolean.TRUE.equals(a.get("wildcard")) ? List.of("dns-01") : List.of("http-01", "dns-01");
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return B64URL.encodeToString(b);
    }

    private ParsedCsr csr(String b64, List<String> names) {
        byte[] der;
        try {
            der = Base64.getUrlDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new AcmeProblem(400, "badCSR", "csr is not base64url");
        }
        ParsedCsr csr;
        try {
            csr = csrs.parse(Certificates.toPem("CERTIFICATE REQUEST", der));
        } catch (CsrException e) {
            throw new AcmeProblem(400, "badCSR", e.getMessage());
        }
        Set<String> inCsr = new LinkedHashSet<>(csr.dnsNames());
        if (csr.commonName() != null) {
            inCsr.add(csr.commonName().toLowerCase(java.util.Locale.ROOT));
        }
        if (!inCsr.equals(new LinkedHashSet<>(names))) {
            throw new AcmeProblem(400, "badCSR", "the CSR names " + inCsr + " but the order is for " + names + " (RFC 8555 §7.4)");
        }
        return csr;
    }

    private OrderDocument document(Map<String, Object> o, ParsedCsr csr, AcmeServer.Signed req) {
        List<String> names = names(o);
        String domain = csr.commonName() != null && names.contains(csr.commonName().toLowerCase(java.util.Locale.ROOT))
            ? csr.commonName().toLowerCase(java.util.Locale.ROOT) : names.get(0);
        List<String> additional = new ArrayList<>(names);
        additional.remove(domain);
        String contacts = jdbc.queryForObject("select contacts from acme_eab_key where kid = ?", String.class, req.account().get("eab_kid"));
        OrderDocument.Contacts c;
        try {
            c = JSON.readValue(contacts, OrderDocument.Contacts.class);
        } catch (IOException e) {
            throw new IllegalStateException("contacts of EAB key " + req.account().get("eab_kid") + " unreadable", e);
        }
        return new OrderDocument("ACME-" + o.get("id"), (String) o.get("product_type"), "process", 1, domain, additional, csr.canonicalPem(),
            "other", null, "dns", c);
    }

    /** @return the RFC 8555 problem an order rule's refusal at finalize answers */
    private static AcmeProblem orderRefused(HubProblem e) {
        boolean csrRule = "csr".equals(e.field()) || e.errors().stream().anyMatch(f -> "csr".equals(f.field()));
        String detail = e.errors().isEmpty() ? e.getMessage()
            : String.join("; ", e.errors().stream().map(f -> f.field() + ": " + f.detail()).toList());
        return new AcmeProblem(csrRule ? 400 : 403, csrRule ? "badCSR" : "unauthorized", e.code() + ": " + detail);
    }

    /** Brings a processing order up to date with its Certhub order. @return the row as it is now */
    private Map<String, Object> follow(Map<String, Object> o) {
        if (("pending".equals(o.get("status")) || "ready".equals(o.get("status"))) && expired(o.get("expires_at"))) {
            // an order not finalized in its lifetime ends (RFC 8555 §7.1.6); nothing was held for it
            jdbc.update("update acme_server_order set status = 'invalid', updated_at = ? where id = ? and status in ('pending', 'ready')",
                Timestamp.from(clock.instant()), o.get("id"));
            jdbc.update("update acme_server_authz set status = 'expired' where acme_order_id = ? and status = 'pending'", o.get("id"));
            return order((String) o.get("id"));
        }
        if ("pending".equals(o.get("status")) && jdbc.queryForObject("select count(*) from acme_server_authz where acme_order_id = ?"
                + " and status <> 'valid'", Integer.class, o.get("id")) == 0) {
            jdbc.update("update acme_server_order set status = 'ready', updated_at = ? where id = ? and status = 'pending'",
                Timestamp.from(clock.instant()), o.get("id"));
            return order((String) o.get("id"));
        }
        if (!"processing".equals(o.get("status")) || o.get("order_id") == null) {
            return o;
        }
        Order certhub = repository.find((String) o.get("order_id")).orElse(null);
        if (certhub == null) {
            return o;
        }
        Timestamp now = Timestamp.from(clock.instant());
        if (certhub.state() == OrderState.COMPLETED) {
            jdbc.update("update acme_server_order set status = 'valid', updated_at = ? where id = ? and status = 'processing'", now, o.get("id"));
        } else if (certhub.state() == OrderState.DECLINED || certhub.state() == OrderState.CANCELLED) {
            if (certhub.state() == OrderState.DECLINED) {
                // the ACME order ends here for the client; its Certhub order is closed too, so nobody
                // pays again (a resubmission) for a certificate the client would never fetch
                try {
                    orders.cancel(certhub.accountId(), certhub.id(), "acme", "the ACME order " + o.get("id")
                        + " ended invalid when the vendor declined; the customer's ACME client orders anew");
                } catch (HubProblem changed) {
                    return order((String) o.get("id"));             // submitted again meanwhile: still processing
                }
            }
            String detail = "order " + certhub.clientReference() + " was " + certhub.state().name().toLowerCase(java.util.Locale.ROOT)
                + (certhub.lastErrorCode() == null ? "" : " (" + certhub.lastErrorCode() + ": " + certhub.lastErrorDetail() + ")");
            jdbc.update("update acme_server_order set status = 'invalid', error_type = 'serverInternal', error_detail = ?, updated_at = ?"
                + " where id = ? and status = 'processing'", clip(detail), now, o.get("id"));
        } else {
            return o;
        }
        return order((String) o.get("id"));
    }

    private Map<String, Object> view(String base, Map<String, Object> o) {
        String id = (String) o.get("id");
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("status", o.get("status"));
        v.put("expires", instant(o.get("expires_at")));
        List<Map<String, Object>> ids = new ArrayList<>();
        for (String n : names(o)) {
            ids.add(Map.of("type", "dns", "value", n));
        }
        v.put("identifiers", ids);
        v.put("profile", o.get("product_type"));
        v.put("authorizations", authzs(id).stream().map(a -> base + "/acme/authz/" + a.get("id")).toList());
        v.put("finalize", base + "/acme/order/" + id + "/finalize");
        if ("valid".equals(o.get("status"))) {
            jdbc.queryForList("select id from certificate where order_id = ? order by received_at desc, id desc", String.class, o.get("order_id"))
                .stream().findFirst().ifPresent(c -> v.put("certificate", base + "/acme/cert/" + c));
        }
        if (o.get("error_type") != null) {
            v.put("error", error(o));
        }
        return v;
    }

    private Map<String, Object> authzView(String base, Map<String, Object> a, String thumbprint) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("status", a.get("status"));
        v.put("expires", instant(a.get("expires_at")));
        v.put("identifier", Map.of("type", "dns", "value", a.get("identifier")));
        if (Boolean.TRUE.equals(a.get("wildcard"))) {
            v.put("wildcard", true);
        }
        v.put("challenges", challengeTypes(a).stream().map(t -> challengeView(base, a, t, thumbprint)).toList());
        return v;
    }

    private static Map<String, Object> challengeView(String base, Map<String, Object> a, String type, String thumbprint) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("type", type);
        v.put("url", base + "/acme/chall/" + a.get("id") + "/" + type);
        v.put("token", a.get("token"));
        boolean tried = type.equals(a.get("challenge_type"));
        // requested and not decided yet: the hub validates it (AcmeChallenges); decided: the authorization's outcome
        v.put("status", !tried ? "pending" : "pending".equals(a.get("status")) ? "processing" : a.get("status"));
        if (tried && a.get("validated_at") != null) {
            v.put("validated", instant(a.get("validated_at")));
        }
        if (tried && a.get("error_type") != null) {
            v.put("error", error(a));
        }
        return v;
    }

    private static Map<String, Object> error(Map<String, Object> row) {
        return Map.of("type", AcmeProblem.URN + row.get("error_type"), "detail", String.valueOf(row.get("error_detail")));
    }

    private boolean expired(Object t) {
        Instant i = t instanceof Timestamp ts ? ts.toInstant() : t instanceof java.time.OffsetDateTime odt ? odt.toInstant() : null;
        return i != null && !clock.instant().isBefore(i);
    }

    /** Longest error detail kept ({@code error_detail} columns of V31). */
    static final int MAX_DETAIL = 1000;

    /**
     * @param detail an error detail
     * @return it cut to {@value #MAX_DETAIL} characters (an ellipsis marks the cut)
     */
    static String clip(String detail) {
        return detail == null || detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL - 1) + "\u2026";
    }

    /** @return a timestamp column's value (H2 answers OffsetDateTime, PostgreSQL Timestamp) in RFC 3339, or null */
    private static String instant(Object t) {
        Instant i = t instanceof Timestamp ts ? ts.toInstant() : t instanceof java.time.OffsetDateTime odt ? odt.toInstant() : null;
        return i == null ? null : i.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
