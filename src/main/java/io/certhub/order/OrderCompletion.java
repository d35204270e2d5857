package io.certhub.order;

import io.certhub.certificate.CertificateInventory;
import io.certhub.csr.CsrParser;
import io.certhub.delivery.DeliveryQueue;
import io.certhub.pki.CertificateChecker;
import io.certhub.pki.Chain;
import io.certhub.pki.ChainBuilder;
import io.certhub.pki.CheckResult;
import io.certhub.pki.PkiException;
import io.certhub.pki.TrustedRoots;
import io.certhub.term.TermService;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one completion operation: the vendor path ({@code get_cert}) and the mailbox path both
 * hand the issued certificate here; whichever comes first completes the order, the other is a
 * no-op.
 *
 * <p>A certificate is accepted only if (mailbox issue; shared/DESIGN.md): its public key equals
 * the CSR's, its names cover every ordered name, it is valid now, and its chain builds to a root
 * of {@link TrustedRoots} ({@link CertificateChecker}, PKIX per RFC 5280 §6). On acceptance, in
 * one transaction: the leaf and its intermediates are stored with their facts (table {@code certificate}, the
 * inventory: {@link CertificateInventory#store}), the
 * hold is captured, the order becomes COMPLETED with its history entry, and the email to the
 * admin contact is queued in the delivery outbox.
 *
 * <p>A COMPLETED order takes further certificates of its paid term (issue 13 §2, the vendor's
 * reissues): see {@link #reissue}. The same certificate again changes nothing.
 */
@Service
public class OrderCompletion {

    /**
     * Outcome of {@link #complete}.
     *
     * @param accepted  whether the certificate passed every check
     * @param completed whether this call completed the order (false: it was already completed, or refused)
     * @param code      {@code OK} or the refusal code ({@code KEY_MISMATCH}, {@code NAMES_NOT_COVERED},
     *                  {@code NOT_VALID_AT_TIME}, {@code CHAIN_UNTRUSTED}, {@code LEAF_MISSING}, {@code INVALID_STATE},
     *                  {@code CERTIFICATE_OF_ANOTHER_ORDER}: the same leaf is already stored for another order,
     *                  {@code TERM_OVER}: a new certificate for a COMPLETED order whose paid term has ended,
     *                  {@code NOT_A_REISSUE}: a new certificate for a COMPLETED order matched by key only)
     * @param detail    human detail (with both key fingerprints for a key mismatch)
     */
    public record Result(boolean accepted, boolean completed, String code, String detail) { }

    private final OrderRepository repo;
    private final OrderService orders;
    private final CsrParser csrParser;
    private final TrustedRoots roots;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final CertificateChecker checker = new CertificateChecker();
    private final DeliveryQueue deliveries;
    private final CertificateInventory inventory;
    private final org.springframework.context.ApplicationEventPublisher events;
    private final TermService terms;
    private final OrderReissue reissues;
    @org.springframework.beans.factory.annotation.Value("${hub.mailbox.check-time:}")
    private String checkTime;

    /**
     * @param repo      orders
     * @param orders    lifecycle (capture)
     * @param csrParser CSR parser (the order's key)
     * @param roots     trusted vendor roots
     * @param jdbc      template on the hub database
     * @param tx        transaction template
     * @param clock     time of the validity check
     * @param deliveries delivery outbox (the admin email is queued in the completing transaction)
     * @param inventory the certificate inventory (the certificate and its facts are stored in the completing transaction)
     * @param terms     the order's paid term (issue 13 §2: reissued certificates of a COMPLETED order)
     * @param reissues  reissues on request (issue 13 §5): a certificate for an open request's new CSR completes it
     * @param events    publisher of the webhook events {@code certificate.issued} and {@code certificate.reissued}
     *                  (inside the storing transaction)
     */
    public OrderCompletion(OrderRepository repo, OrderService orders, CsrParser csrParser, TrustedRoots roots, JdbcTemplate jdbc,
                           TransactionTemplate tx, Clock clock, DeliveryQueue deliveries, CertificateInventory inventory, TermService terms,
                           OrderReissue reissues, org.springframework.context.ApplicationEventPublisher events) {
        this.reissues = reissues;
        this.terms = terms;
        this.events = events;
        this.repo = repo;
        this.orders = orders;
        this.csrParser = csrParser;
        this.roots = roots;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.deliveries = deliveries;
        this.inventory = inventory;
    }

    /**
     * Checks and, if acceptable, completes.
     *
     * @param orderId      the order the certificate was matched to
     * @param certificates leaf and CA certificates in any order (roots are ignored for trust)
     * @param source       {@code vendor-api} or {@code mailbox}
     * @return the outcome; never throws for a bad certificate
     */
    public Result complete(String orderId, List<X509Certificate> certificates, String source) {
        return complete(orderId, certificates, source, true);
    }

    /**
     * Checks and, if acceptable, completes; or, for a COMPLETED order and {@code reissueAllowed},
     * stores the next certificate of its term.
     *
     * @param orderId        the order the certificate was matched to
     * @param certificates   leaf and CA certificates in any order (roots are ignored for trust)
     * @param source         {@code vendor-api} or {@code mailbox}
     * @param reissueAllowed whether a new certificate may be a reissue of a COMPLETED order: only when
     *                       the order was matched by its vendor order id (a match by the CSR key alone
     *                       may be another order reusing the key); when false such a certificate is
     *                       refused with {@code NOT_A_REISSUE}
     * @return the outcome; never throws for a bad certificate
     */
    public Result complete(String orderId, List<X509Certificate> certificates, String source, boolean reissueAllowed) {
        Order order = repo.find(orderId).orElseThrow(() -> new IllegalArgumentException("no order " + orderId));
        Chain chain;
        try {
            chain = ChainBuilder.build(certificates);
        } catch (PkiException e) {
            return new Result(false, false, e.code(), e.getMessage());
        }
        if (order.state() == OrderState.COMPLETED) {
            String owner = inventory.orderOf(sha256(chain.leaf())).orElse(null);
            if (orderId.equals(owner)) {
                // the same certificate again (a repeated vendor mail, the vendor API after the mailbox): nothing changes
                return new Result(true, false, "OK", "order " + orderId + " already holds certificate " + sha256(chain.leaf()));
            }
            if (!reissueAllowed) {
                return new Result(false, false, "NOT_A_REISSUE", "order " + orderId + " is completed and matched by its CSR key only;"
                    + " a reissued certificate is taken only for the order its vendor order id names");
            }
            return reissue(order, chain, source);
        }
        CheckResult check = checker.check(chain, csrParser.parse(order.csr()).publicKey(), order.names(), roots.get(), checkTime());
        if (!check.accepted()) {
            return new Result(false, false, check.code(), check.detail());
        }
        if (order.state() != OrderState.IN_PROGRESS) {
            return new Result(true, false, "INVALID_STATE", "order " + orderId + " is " + order.state() + "; the certificate is not applied");
        }
        Boolean done = tx.execute(s -> {
            String certificateId = jdbc.query("select id from certificate where order_id = ? order by received_at desc, id desc fetch first 1 rows only",
                (rs, i) -> rs.getString(1), orderId).stream().findFirst().orElse(null);
            if (certificateId == null) {
                String owner = inventory.orderOf(sha256(chain.leaf())).orElse(null);
                if (owner != null) {
                    // the same certificate is already in the inventory for another order (same CSR key); never stored twice
                    return null;
                }
                certificateId = inventory.store(orderId, order.accountId(), chain, source, clock.instant());
                certificateEvent(io.certhub.webhook.WebhookEventType.CERTIFICATE_ISSUED, order, certificateId, chain);
            }
            boolean completed = orders.complete(orderId, source.equals("mailbox") ? "vendor-mail" : "vendor",
                "certificate issued (serial " + io.certhub.pki.CertificateFacts.serialHex(chain.leaf().getSerialNumber()) + ", via " + source + "); hold captured");
            if (completed) {
                deliveries.queue(orderId, certificateId, true);
            }
            return completed;
        });
        if (done == null) {
            return new Result(false, false, "CERTIFICATE_OF_ANOTHER_ORDER", "certificate " + sha256(chain.leaf())
                + " is already stored for another order; order " + orderId + " is not completed with it");
        }
        return new Result(true, done, "OK", "certificate accepted");
    }

    /** Publishes {@code certificate.issued} / {@code certificate.reissued} inside the storing transaction (issue 13 §4). */
    private void certificateEvent(io.certhub.webhook.WebhookEventType type, Order order, String certificateId, Chain chain) {
        java.util.Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("id", certificateId);
        c.put("serialNumber", io.certhub.pki.CertificateFacts.serialHex(chain.leaf().getSerialNumber()));
        c.put("notAfter", chain.leaf().getNotAfter().toInstant().toString());
        events.publishEvent(new io.certhub.webhook.HubEvent(type, order.accountId(), order.id(), java.util.Map.of("certificate", c)));
    }

    /**
     * The next certificate of a COMPLETED order's paid term (issue 13 §2: the vendor reissues a
     * multi-year term as a chain of certificates and emails each one). Checked like the first
     * (chain to a trusted root, the order's CSR key, its names, valid now); accepted only while the
     * term is not over (now before {@link TermService#paidUntil}). In one transaction: stored as
     * ACTIVE, the order's previous ACTIVE certificates (issued before it) become SUPERSEDED (a
     * certificate older than the ACTIVE one, mailed late, is stored SUPERSEDED and not delivered),
     * its delivery to the admin contact is queued (once per certificate: {@link DeliveryQueue#queue(String, String, boolean)}),
     * and one history entry {@code certificate reissued (n of m)} is written. No ledger entry: the
     * whole term was held at submit and captured at the first issuance.
     *
     * <p>A certificate for the new CSR of the order's open reissue request ({@link OrderReissue},
     * issue 13 §5) is checked against that CSR, stored the same way, completes the request and makes
     * its CSR the order's ({@code certificate reissued on request …}). Any other certificate is checked
     * against the order's CSR and refused with {@code CHAIN_REVOKED} when the order's current
     * certificate was revoked: no automatic reissue of a revoked chain.
     *
     * @return accepted and stored ({@code OK}), or refused: a check's code, {@code TERM_OVER},
     *         {@code CERTIFICATE_OF_ANOTHER_ORDER}, {@code CHAIN_REVOKED}
     */
    private Result reissue(Order order, Chain chain, String source) {
        String orderId = order.id();
        String leafSha = sha256(chain.leaf());
        if (inventory.orderOf(leafSha).isPresent()) {
            return new Result(false, false, "CERTIFICATE_OF_ANOTHER_ORDER", "certificate " + leafSha
                + " is already stored for another order; it is not a reissue of order " + orderId);
        }
        // a reissue on request (issue 13 §5) brings a certificate for its new CSR; any other is the term's next one for the order's CSR
        OrderReissue.Open open = reissues.open(orderId).orElse(null);
        boolean onRequest = open != null
            && checker.check(chain, csrParser.parse(open.csr()).publicKey(), order.names(), roots.get(), checkTime()).accepted();
        if (!onRequest) {
            CheckResult check = checker.check(chain, csrParser.parse(order.csr()).publicKey(), order.names(), roots.get(), checkTime());
            if (!check.accepted()) {
                return new Result(false, false, check.code(), check.detail());
            }
            if ("REVOKED".equals(currentState(orderId))) {
                return new Result(false, false, "CHAIN_REVOKED", "order " + orderId + ": its current certificate was revoked; a revoked chain"
                    + " is not reissued automatically (the reseller reissues it explicitly); certificate " + leafSha + " is not applied");
            }
        }
        java.time.Instant now = clock.instant();
        java.time.Instant paidUntil = terms.paidUntil(orderId, order.period()).orElse(null);
        if (paidUntil == null || !now.isBefore(paidUntil)) {
            return new Result(false, false, "TERM_OVER", "order " + orderId + " is completed and its term "
                + (paidUntil == null ? "has no certificate" : "ended at " + paidUntil) + "; certificate " + leafSha + " is not applied");
        }
        String serial = io.certhub.pki.CertificateFacts.serialHex(chain.leaf().getSerialNumber());
        String detail;
        try {
            detail = tx.execute(s -> {
                java.time.Instant notBefore = chain.leaf().getNotBefore().toInstant();
                Integer newer = jdbc.queryForObject("select count(*) from certificate where order_id = ? and state = 'ACTIVE' and not_before > ?",
                    Integer.class, orderId, java.sql.Timestamp.from(notBefore));
                String id = inventory.store(orderId, order.accountId(), chain, source, now);
                if (newer != null && newer > 0) {
                    jdbc.update("update certificate set state = 'SUPERSEDED' where id = ?", id);
                    orders.note(orderId, "vendor-mail", "certificate " + serial + " received after a newer one; stored as SUPERSEDED, not delivered");
                    return "an older certificate of the term; stored as SUPERSEDED";
                }
                jdbc.update("update certificate set state = 'SUPERSEDED' where order_id = ? and state = 'ACTIVE' and id <> ?", orderId, id);
                deliveries.queue(orderId, id, true);
                certificateEvent(io.certhub.webhook.WebhookEventType.CERTIFICATE_REISSUED, order, id, chain);
                if (onRequest) {
                    reissues.completed(open, orderId, id);
                }
                TermService.Term term = terms.term(orderId, order.period());
                String entry = "certificate reissued " + (onRequest ? "on request (reissue " + open.id() + ") " : "") + "(" + term.certificatesIssued() + " of " + terms.plannedTotal(order.productType(), term)
                    + ") (serial " + serial + ", valid until " + chain.leaf().getNotAfter().toInstant() + ", via " + source
                    + "); term paid until " + term.paidUntil() + "; no charge";
                orders.note(orderId, source.equals("mailbox") ? "vendor-mail" : "vendor", entry);
                terms.reissued(orderId, serial);
                return entry;
            });
        } catch (org.springframework.dao.DuplicateKeyException raced) {
            // the same certificate stored (or queued) meanwhile by another reader: its first record stands
            return new Result(true, false, "OK", "certificate " + leafSha + " was stored meanwhile");
        }
        return new Result(true, false, "OK", detail);
    }

    /** @return the state of the order's newest certificate that is not SUPERSEDED (ACTIVE or REVOKED), or null */
    private String currentState(String orderId) {
        return jdbc.queryForList("select state from certificate where order_id = ? and state <> 'SUPERSEDED'"
            + " order by not_before desc, id desc fetch first 1 rows only", String.class, orderId).stream().findFirst().orElse(null);
    }

    /** @return the time certificates are checked at: {@code hub.mailbox.check-time} when set (tests, replays), else now */
    private java.time.Instant checkTime() {
        return checkTime == null || checkTime.isBlank() ? clock.instant() : java.time.Instant.parse(checkTime.trim());
    }

    private static String sha256(X509Certificate c) {
        try {
            return com.google.common.hash.Hashing.sha256().hashBytes(c.getEncoded()).toString();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
