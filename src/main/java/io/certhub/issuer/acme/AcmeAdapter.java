package io.certhub.issuer.acme;

import io.certhub.issuer.VendorAdapter;
import io.certhub.issuer.VendorException;
import io.certhub.net.DnsLookup;
import io.certhub.net.HttpTokenCheck;
import io.certhub.order.Order;
import io.certhub.order.OrderRepository;
import io.certhub.pki.Certificates;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.exception.AcmeUnauthorizedException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@code acme} vendor adapter (issue 15 §1): orders certificates from an RFC 8555 CA through
 * acme4j, so one hub sells OpenSRS and ACME products side by side
 * ({@code hub.catalog.products.<code>.issuer: acme}). The order's life maps onto the hub's vendor
 * states, which the submission and the status poll ({@code VendorSubmission},
 * {@code VendorTracking}) drive as for any vendor:
 * <ul>
 *   <li>{@link #place}: the reseller account's own ACME account at the CA (made once per reseller
 *       account, with its External Account Binding when the CA requires it: RFC 8555 §7.3.4,
 *       {@code hub.vendor.acme.accounts.<account>.eab-*} or the hub's {@code eab-*}; key pair and account URL in table
 *       {@code acme_account}) creates an ACME order for the order's names (§7.4); its URL is kept in {@code acme_order}
 *       under a vendor order id of the hub's own ({@code A} + 20 digits); with the product's ACME
 *       profile ({@code hub.catalog.products.<code>.acme-profile}, draft-aaron-acme-profiles) when it
 *       names one: one the directory does not offer is REFUSED {@code PROFILE_NOT_OFFERED} (the order
 *       is declined, its hold released);</li>
 *   <li>{@link #submit}: nothing more to send: {@code pending};</li>
 *   <li>{@link #info}: the ACME order's state: {@code pending} while an authorization waits for its
 *       DCV, with what the customer must publish in {@code dcv} — dns-01: the TXT record
 *       {@code _acme-challenge.<name>} and its value (RFC 8555 §8.4); http-01: the file at
 *       {@code http://<name>/.well-known/acme-challenge/<token>} and its content (§8.3), by the
 *       order's {@code dcvMethod}; once the hub sees the record in DNS
 *       ({@code hub.vendor.acme.dns-resolver}) or fetches the file ({@link HttpTokenCheck}) it asks
 *       the CA to validate (§7.5.1) — never before, as a validation that fails makes the whole ACME
 *       order invalid; {@code ready} →
 *       finalized with the order's CSR (§7.4) → {@code processing}; {@code valid} →
 *       {@code completed}; {@code invalid} → {@code declined} (the hold is released);</li>
 *   <li>{@link #certificate}: the chain from the order's certificate URL (§7.4.2);</li>
 *   <li>{@link #cancel}: ACME has no order cancellation; the order's pending authorizations are
 *       deactivated (§7.5.2) and the order left to expire: {@code cancelled}.</li>
 *   <li>{@link #revoke}: the certificate (the hub's stored copy) is revoked with the key of the
 *       ACME account that ordered it (§7.6); {@code alreadyRevoked} counts as revoked. Reissue is
 *       not offered ({@link #supports}).</li>
 * </ul>
 * DCV by dns-01 or http-01 (a product's {@code dcv-methods: [dns, http]}); an ACME CA has no
 * approver email. Failures map to {@link VendorException}: the CA unreachable or rate-limiting →
 * TRANSIENT (with its Retry-After); {@code unauthorized}/{@code externalAccountRequired} →
 * AUTH_FAILED; other problem documents → REFUSED with the RFC 8555 error type. A reseller account whose
 * ACME account the CA refuses to register (its EAB key wrong or spent) → TRANSIENT
 * {@code ACME_ACCOUNT_REFUSED}: that account's orders wait with the reason on them, the others go on.
 */
@Component
public class AcmeAdapter implements VendorAdapter, org.springframework.beans.factory.DisposableBean {

    /** The adapter's name in {@code hub.vendor.name} / {@code hub.catalog.products.<code>.issuer}: {@value}. */
    public static final String NAME = "acme";

    private static final Logger LOG = LoggerFactory.getLogger(AcmeAdapter.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AcmeProperties props;
    private final JdbcTemplate jdbc;
    private final OrderRepository orders;
    private final io.certhub.order.ProductCatalog catalog;
    private final Clock clock;
    private final DnsLookup dns;
    private final HttpTokenCheck http;
    /** Logins by reseller account id (see {@link #login(String)}). */
    private final java.util.Map<String, Login> logins = new java.util.concurrent.ConcurrentHashMap<>();
    /** One lock per reseller account while its login is made (a registration of one does not hold up the others). */
    private final java.util.Map<String, Object> registering = new java.util.concurrent.ConcurrentHashMap<>();
    /** The session with the CA, shared by every account's login (thread-safe since acme4j 4.0). */
    private volatile Session session;

    /**
     * @param props  {@code hub.vendor.acme.*}
     * @param jdbc   the hub database ({@code acme_account}, {@code acme_order})
     * @param orders  order storage (an order's names and CSR)
     * @param catalog the products (a product's ACME profile)
     * @param clock   the hub's clock
     */
    public AcmeAdapter(AcmeProperties props, JdbcTemplate jdbc, OrderRepository orders, io.certhub.order.ProductCatalog catalog, Clock clock) {
        this.props = props;
        this.jdbc = jdbc;
        this.orders = orders;
        this.catalog = catalog;
        this.clock = clock;
        this.dns = new DnsLookup(props.getDnsResolver());
        this.http = new HttpTokenCheck(dns, props.getHttpPort(), props.isHttpCheckPrivateAddresses());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Closes the http-01 check's connections. @throws IOException when closing fails */
    @Override
    public void destroy() throws IOException {
        http.close();
    }

    /**
     * Creates the ACME order for the order's names.
     *
     * @param order the hub order
     * @return the hub's vendor order id for it
     * @throws VendorException see the class documentation
     */
    @Override
    public String place(Order order) {
        return call(() -> {
            Login login = login(order.accountId());
            org.shredzone.acme4j.OrderBuilder builder = login.getAccount().newOrder().domains(order.names());
            String profile = catalog.find(order.productType()).map(io.certhub.order.Product::acmeProfile).orElse(null);
            if (profile != null) {
                org.shredzone.acme4j.Metadata meta = login.getSession().getMetadata();
                if (!meta.isProfileAllowed(profile)) {
                    throw new VendorException(VendorException.Kind.REFUSED, "PROFILE_NOT_OFFERED", "product " + order.productType()
                        + " is ordered with ACME profile " + profile + ", which the CA's directory does not offer (it offers: "
                        + (meta.getProfiles().isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(meta.getProfiles()))) + ")");
                }
                builder.profile(profile);
            }
            org.shredzone.acme4j.Order acme = builder.create();
            String id = "A" + String.format(Locale.ROOT, "%020d", Math.floorMod(RANDOM.nextLong(), 100_000_000_000_000_000L));
            jdbc.update("insert into acme_order(id, order_id, account_id, location, created_at) values (?, ?, ?, ?, ?)", id, order.id(),
                order.accountId(), acme.getLocation().toString(), Timestamp.from(clock.instant()));
            LOG.info("order {}: ACME order {} created at {} for {}", order.id(), id, acme.getLocation(), order.names());
            return id;
        });
    }

    @Override
    public String submit(Order order, String vendorOrderId) {
        return "pending";
    }

    /**
     * The ACME order's state (see the class documentation); asks the CA to validate a challenge
     * whose record is published, and finalizes a ready order.
     *
     * @param vendorOrderId the hub's vendor order id
     * @return the state and, while DCV is pending, what to publish
     * @throws VendorException NOT_FOUND for an id the hub did not make; else see the class documentation
     */
    @Override
    public VendorOrder info(String vendorOrderId) {
        return call(() -> {
            org.shredzone.acme4j.Order acme = bind(vendorOrderId);
            acme.fetch();
            Order order = hubOrder(vendorOrderId);
            Dcv dcv = null;
            switch (acme.getStatus()) {
                case PENDING -> {
                    for (Authorization auth : acme.getAuthorizations()) {
                        if (auth.getStatus() != Status.PENDING) {
                            continue;
                        }
                        String domain = auth.getIdentifier().getDomain();
                        if ("http".equals(order.dcvMethod())) {
                            Http01Challenge ch = auth.findChallenge(Http01Challenge.class).orElseThrow(() ->
                                new VendorException(VendorException.Kind.REFUSED, "NO_HTTP01", "the CA offers no http-01 challenge for " + domain));
                            if (dcv == null) {
                                dcv = new Dcv("http", null, null, null, null, HttpTokenCheck.url(domain, ch.getToken()), ch.getAuthorization());
                            }
                            if (ch.getStatus() == Status.PENDING && http.serves(domain, ch.getToken(), ch.getAuthorization())) {
                                ch.trigger();
                                LOG.info("order {}: http-01 file of {} served; the CA was asked to validate it", order.id(), domain);
                            }
                            continue;
                        }
                        Dns01Challenge ch = auth.findChallenge(Dns01Challenge.class).orElseThrow(() ->
                            new VendorException(VendorException.Kind.REFUSED, "NO_DNS01", "the CA offers no dns-01 challenge for " + domain));
                        String name = ch.getRRName(auth.getIdentifier());
                        String host = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
                        if (dcv == null) {
                            dcv = new Dcv("dns", null, host, "TXT", ch.getDigest(), null, null);
                        }
                        if (ch.getStatus() == Status.PENDING && dns.has(host, ch.getDigest())) {
                            ch.trigger();
                            LOG.info("order {}: TXT {} found; the CA was asked to validate {}", order.id(), host, domain);
                        }
                    }
                    return new VendorOrder(vendorOrderId, "pending", null, dcv);
                }
                case READY -> {
                    acme.execute(csrDer(order.csr()));
                    LOG.info("order {}: ACME order {} finalized with the order's CSR", order.id(), vendorOrderId);
                    return new VendorOrder(vendorOrderId, "processing", null, null);
                }
                case PROCESSING -> {
                    return new VendorOrder(vendorOrderId, "processing", null, null);
                }
                case VALID -> {
                    return new VendorOrder(vendorOrderId, "completed", vendorOrderId, null);
                }
                case INVALID -> {
                    LOG.warn("order {}: ACME order {} is invalid: {}", order.id(), vendorOrderId,
                        acme.getError().map(Object::toString).orElse("no reason given"));
                    return new VendorOrder(vendorOrderId, "declined", null, null);
                }
                default -> {
                    return new VendorOrder(vendorOrderId, acme.getStatus().name().toLowerCase(Locale.ROOT), null, null);
                }
            }
        });
    }

    /**
     * Downloads the issued chain of a valid ACME order.
     *
     * @param vendorOrder the order, {@code completed}
     * @return the leaf and the CA certificates, PEM
     * @throws VendorException see the class documentation
     */
    @Override
    public IssuedCertificate certificate(VendorOrder vendorOrder) {
        return call(() -> {
            List<X509Certificate> chain = bind(vendorOrder.vendorOrderId()).getCertificate().getCertificateChain();
            List<String> cas = new ArrayList<>();
            for (X509Certificate c : chain.subList(1, chain.size())) {
                cas.add(Certificates.toPem(List.of(c)));
            }
            return new IssuedCertificate(Certificates.toPem(List.of(chain.get(0))), cas);
        });
    }

    /**
     * Deactivates the order's pending authorizations (ACME has no order cancellation).
     *
     * @param vendorOrderId the hub's vendor order id
     * @param saved         ignored (there is no saved state at an ACME CA)
     * @return {@code cancelled}
     * @throws VendorException see the class documentation
     */
    @Override
    public String cancel(String vendorOrderId, boolean saved) {
        return call(() -> {
            for (Authorization auth : bind(vendorOrderId).getAuthorizations()) {
                if (auth.getStatus() == Status.PENDING) {
                    auth.deactivate();
                }
            }
            return "cancelled";
        });
    }

    /**
     * The states of an ACME order's authorizations as the CA has them now (for the operator and tests).
     *
     * @param vendorOrderId the hub's vendor order id
     * @return each authorization's RFC 8555 status in lower case, e.g. {@code pending}, {@code deactivated}
     * @throws VendorException see the class documentation
     */
    public List<String> authorizationStates(String vendorOrderId) {
        return call(() -> {
            List<String> states = new ArrayList<>();
            for (Authorization auth : bind(vendorOrderId).getAuthorizations()) {
                auth.fetch();
                states.add(auth.getStatus().name().toLowerCase(Locale.ROOT));
            }
            return states;
        });
    }

    /** @return true for {@link LifecycleAction#REVOKE} (RFC 8555 §7.6); reissue is not offered (a new ACME order would need a new DCV) */
    @Override
    public boolean supports(LifecycleAction action) {
        return action == LifecycleAction.REVOKE;
    }

    /**
     * Revokes the certificate of an ACME order at the CA, signed with the key of the ACME account
     * that ordered it (RFC 8555 §7.6). A certificate the CA already revoked counts as revoked (a
     * retry after a lost reply must not fail).
     *
     * @param vendorOrderId the hub's vendor order id of the ACME order
     * @param serialHex     the certificate's serial, lower-case hex
     * @param reason        the RFC 5280 reason
     * @return {@code revoked}
     * @throws VendorException NOT_FOUND when the ACME order is unknown or its certificate has another
     *                         serial; else see the class documentation
     */
    @Override
    public String revoke(String vendorOrderId, String serialHex, RevocationReason reason) {
        return call(() -> {
            List<java.util.Map<String, Object>> row = jdbc.queryForList("select a.account_id, a.order_id from acme_order a where a.id = ?", vendorOrderId);
            if (row.isEmpty()) {
                throw new VendorException(VendorException.Kind.NOT_FOUND, "NOT_FOUND", "no ACME order " + vendorOrderId);
            }
            // the hub's own copy of the certificate (no download from the CA, which may no longer serve a revoked one)
            java.math.BigInteger serial = new java.math.BigInteger(serialHex, 16);
            X509Certificate leaf = jdbc.queryForList("select leaf_pem from certificate where order_id = ?", String.class, row.get(0).get("order_id"))
                .stream().map(pem -> Certificates.parsePem(pem).get(0)).filter(c -> c.getSerialNumber().equals(serial)).findFirst()
                .orElseThrow(() -> new VendorException(VendorException.Kind.NOT_FOUND, "NOT_FOUND", "ACME order " + vendorOrderId
                    + " holds no certificate with serial " + serialHex + " in the hub"));
            try {
                org.shredzone.acme4j.Certificate.revoke(login((String) row.get(0).get("account_id")), leaf,
                    org.shredzone.acme4j.RevocationReason.code(reason.code()));
            } catch (AcmeServerException e) {
                if (!String.valueOf(e.getType()).endsWith(":alreadyRevoked")) {
                    throw e;
                }
                LOG.info("ACME order {}: certificate {} was already revoked at the CA", vendorOrderId, serialHex);
            }
            LOG.info("ACME order {}: certificate {} revoked at the CA ({})", vendorOrderId, serialHex, reason.rfcName());
            return "revoked";
        });
    }

    /**
     * The CA's renewal window of a certificate (RFC 9773 §4.2).
     *
     * @param start       suggested window start
     * @param end         suggested window end
     * @param explanation the CA's explanation URL, or null
     * @param retryAfter  when the CA may be asked again (its Retry-After), or null when it gave none
     */
    public record RenewalWindow(Instant start, Instant end, String explanation, Instant retryAfter) { }

    /**
     * Reads the CA's ACME Renewal Information of a certificate issued for an order (RFC 9773),
     * with the key of the ACME account that ordered it.
     *
     * @param orderId the hub order the certificate was issued for
     * @param leaf    the certificate (its AKI and serial name it to the CA, RFC 9773 §4.1)
     * @return the window, or empty when the CA's directory offers no {@code renewalInfo}
     * @throws VendorException NOT_FOUND when the order was not placed at the ACME CA; else see the class documentation
     */
    public Optional<RenewalWindow> renewalInfo(String orderId, X509Certificate leaf) {
        return call(() -> {
            List<String> account = jdbc.queryForList("select account_id from acme_order where order_id = ? order by created_at desc",
                String.class, orderId);
            if (account.isEmpty()) {
                throw new VendorException(VendorException.Kind.NOT_FOUND, "NOT_FOUND", "order " + orderId + " was not placed at the ACME CA");
            }
            Login l = login(account.get(0));
            if (l.getSession().resourceUrlOptional(org.shredzone.acme4j.connector.Resource.RENEWAL_INFO).isEmpty()) {
                return Optional.empty();
            }
            org.shredzone.acme4j.RenewalInfo info = l.bindRenewalInfo(leaf);
            Optional<Instant> retryAfter = info.fetch();
            return Optional.of(new RenewalWindow(info.getSuggestedWindowStart(), info.getSuggestedWindowEnd(),
                info.getExplanation().map(URL::toString).orElse(null), retryAfter.orElse(null)));
        });
    }

    /** @return none: an ACME CA validates by challenge, not by approver email */
    @Override
    public List<Approver> approvers(String domain, String productType) {
        return List.of();
    }

    /** @throws VendorException always REFUSED: an ACME CA sends no approval email */
    @Override
    public void resendApproval(String vendorOrderId) {
        throw new VendorException(VendorException.Kind.REFUSED, "UNSUPPORTED", "an ACME CA sends no approval email");
    }

    /**
     * Nothing to tell the CA: the challenge follows the order's method when the poll looks again.
     *
     * @throws VendorException REFUSED for a method other than dns or http
     */
    @Override
    public void changeDcv(String vendorOrderId, String method, String approverEmail) {
        if (!"dns".equals(method) && !"http".equals(method)) {
            throw new VendorException(VendorException.Kind.REFUSED, "UNSUPPORTED", "an ACME CA validates by dns-01 or http-01, not " + method);
        }
    }

    private org.shredzone.acme4j.Order bind(String vendorOrderId) throws AcmeException {
        List<java.util.Map<String, Object>> row = jdbc.queryForList("select location, account_id from acme_order where id = ?", vendorOrderId);
        if (row.isEmpty()) {
            throw new VendorException(VendorException.Kind.NOT_FOUND, "NOT_FOUND", "no ACME order " + vendorOrderId);
        }
        // read with the key of the ACME account that made it (RFC 8555 §7.1.3)
        return login((String) row.get(0).get("account_id")).bindOrder(url((String) row.get(0).get("location")));
    }

    private Order hubOrder(String vendorOrderId) {
        String orderId = jdbc.queryForObject("select order_id from acme_order where id = ?", String.class, vendorOrderId);
        return orders.find(orderId).orElseThrow(() -> new IllegalStateException("no order " + orderId));
    }

    /**
     * The login at the CA of a reseller account's ACME account: from {@code acme_account}, or a new
     * one registered with that account's External Account Binding when configured
     * ({@link AcmeProperties#eabKidFor}) and recorded there; a second instance registering one at the
     * same time uses the first recorded. Account {@code ""} is the hub's one account of before V27
     * (only read, for orders it made).
     *
     * @param accountId the reseller account id
     * @return its login
     * @throws AcmeException when the CA refuses or cannot be reached
     * @throws VendorException AUTH_FAILED when no directory is configured
     */
    Login login(String accountId) throws AcmeException {
        Login l = logins.get(accountId);
        if (l != null) {
            return l;
        }
        synchronized (registering.computeIfAbsent(accountId, k -> new Object())) {
            l = logins.get(accountId);
            if (l != null) {
                return l;
            }
            String dir = props.getDirectoryUrl();
            Session session = session();
            String select = "select key_pem, location from acme_account where directory_url = ? and account_id = ?";
            List<java.util.Map<String, Object>> rows = jdbc.queryForList(select, dir, accountId);
            if (rows.isEmpty()) {
                KeyPair key = accountKey();
                AccountBuilder b = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
                if (!props.eabKidFor(accountId).isBlank()) {
                    b.withKeyIdentifier(props.eabKidFor(accountId), props.eabHmacKeyFor(accountId));
                }
                if (!props.contactEmailFor(accountId).isBlank()) {
                    b.addEmail(props.contactEmailFor(accountId));
                }
                Account account;
                try {
                    account = b.create(session);
                } catch (AcmeRateLimitedException e) {
                    throw e;
                } catch (AcmeServerException e) {
                    // this reseller account's binding is refused (a wrong or spent EAB key): its orders wait and
                    // say why; other accounts' orders go on (not AUTH_FAILED, which pauses every placement)
                    throw new VendorException(VendorException.Kind.TRANSIENT, "ACME_ACCOUNT_REFUSED", "the CA refused to register the ACME account of "
                        + "reseller account " + accountId + (props.eabKidFor(accountId).isBlank() ? " (no EAB)" : " (EAB key id " + props.eabKidFor(accountId) + ")")
                        + ": " + e.getType() + " " + e.getMessage(), e);
                }
                try {
                    jdbc.update("insert into acme_account(directory_url, account_id, key_pem, location, created_at) values (?, ?, ?, ?, ?)",
                        dir, accountId, pem(key), account.getLocation().toString(), Timestamp.from(clock.instant()));
                    LOG.info("ACME account {} made at {} for account {}", account.getLocation(), dir, accountId);
                } catch (DuplicateKeyException raced) {
                    rows = jdbc.queryForList(select, dir, accountId);
                }
                if (rows.isEmpty()) {
                    l = session.login(account.getLocation(), key);
                    logins.put(accountId, l);
                    return l;
                }
            }
            l = session.login(url((String) rows.get(0).get("location")), readPem((String) rows.get(0).get("key_pem")));
            logins.put(accountId, l);
            return l;
        }
    }

    /**
     * @return the one session with the CA (its HTTP client and nonce), made at first use
     * @throws VendorException AUTH_FAILED when no directory is configured
     */
    private Session session() {
        Session s = session;
        if (s == null) {
            synchronized (registering) {
                if (session == null) {
                    String dir = props.getDirectoryUrl();
                    if (dir == null || dir.isBlank()) {
                        throw new VendorException(VendorException.Kind.AUTH_FAILED, "NOT_CONFIGURED",
                            "hub.vendor.acme.directory-url is not set: no ACME CA to order from");
                    }
                    session = new Session(URI.create(dir), new TrustingProvider(props));
                }
                s = session;
            }
        }
        return s;
    }

    /** @return a new account key pair: EC P-384 (RFC 7518 ES384), made by the JDK's provider */
    static KeyPair accountKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp384r1"));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-384 key generator in this JVM", e);
        }
    }

    /** A call to the CA whose failures become {@link VendorException}s. */
    private interface AcmeCall<T> {
        T run() throws AcmeException;
    }

    private static <T> T call(AcmeCall<T> c) {
        try {
            try {
                return c.run();
            } catch (org.shredzone.acme4j.exception.AcmeLazyLoadingException e) {
                // a resource acme4j fetched on first use (a certificate, an authorization) failed: map its cause
                if (e.getCause() instanceof AcmeException cause) {
                    throw cause;
                }
                throw e;
            }
        } catch (AcmeRateLimitedException e) {
            VendorException v = new VendorException(VendorException.Kind.TRANSIENT, "RATE_LIMITED", e.getMessage(), e);
            e.getRetryAfter().ifPresent(at -> v.retryAfter(java.time.Duration.between(java.time.Instant.now(), at)));
            throw v;
        } catch (AcmeUnauthorizedException e) {
            throw new VendorException(VendorException.Kind.AUTH_FAILED, "UNAUTHORIZED", e.getMessage(), e);
        } catch (AcmeServerException e) {
            String type = String.valueOf(e.getType());
            if (type.endsWith(":externalAccountRequired") || type.endsWith(":unauthorized") || type.endsWith(":accountDoesNotExist")) {
                throw new VendorException(VendorException.Kind.AUTH_FAILED, type, e.getMessage(), e);
            }
            if (type.endsWith(":serverInternal") || type.endsWith(":badNonce")) {
                throw new VendorException(VendorException.Kind.TRANSIENT, type, e.getMessage(), e);
            }
            throw new VendorException(VendorException.Kind.REFUSED, type, e.getMessage(), e);
        } catch (AcmeNetworkException e) {
            throw new VendorException(VendorException.Kind.TRANSIENT, "NETWORK", e.getMessage(), e);
        } catch (AcmeException e) {
            throw new VendorException(VendorException.Kind.TRANSIENT, "ACME", e.getMessage(), e);
        }
    }

    static byte[] csrDer(String csrPem) {
        String b64 = csrPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(b64.getBytes(StandardCharsets.US_ASCII));
    }

    private static URL url(String s) {
        try {
            return URI.create(s).toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException("not a URL: " + s, e);
        }
    }

    private static String pem(KeyPair key) {
        StringWriter w = new StringWriter();
        try {
            KeyPairUtils.writeKeyPair(key, w);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    private static KeyPair readPem(String pem) {
        try {
            return KeyPairUtils.readKeyPair(new StringReader(pem));
        } catch (IOException e) {
            throw new IllegalStateException("the stored ACME account key cannot be read", e);
        }
    }

    /** acme4j's generic provider with an HTTP client that trusts {@code hub.vendor.acme.trusted-roots} when set. */
    static final class TrustingProvider extends GenericAcmeProvider {
        private final AcmeProperties props;

        TrustingProvider(AcmeProperties props) {
            this.props = props;
        }

        @Override
        public HttpClient createHttpClient(NetworkSettings settings) {
            HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(props.getTimeout());
            javax.net.ssl.SSLContext tls = io.certhub.config.TlsTrust.sslContext("hub.vendor.acme.trusted-roots", props.getTrustedRoots());
            if (tls != null) {
                b.sslContext(tls);
            }
            return b.build();
        }
    }
}
