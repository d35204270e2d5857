package io.certhub.order;

import io.certhub.certificate.CertificateInventory;
import io.certhub.csr.CsrParser;
import io.certhub.pki.CertificateChecker;
import io.certhub.pki.Chain;
import io.certhub.pki.ChainBuilder;
import io.certhub.pki.CheckResult;
import io.certhub.pki.PkiException;
import io.certhub.pki.TrustedRoots;
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
     *                  {@code CERTIFICATE_OF_ANOTHER_ORDER}: the same leaf is already stored for another order)
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
     * @param events    publisher of the webhook event {@code certificate.issued} (inside the completing transaction)
     */
    public OrderCompletion(OrderRepository repo, OrderService orders, CsrParser csrParser, TrustedRoots roots, JdbcTemplate jdbc,
                           TransactionTemplate tx, Clock clock, DeliveryQueue deliveries, CertificateInventory inventory,
                           org.springframework.context.ApplicationEventPublisher events) {
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
        Order order = repo.find(orderId).orElseThrow(() -> new IllegalArgumentException("no order " + orderId));
        if (order.state() == OrderState.COMPLETED) {
            return new Result(true, false, "OK", "order " + orderId + " was already completed");
        }
        Chain chain;
        try {
            chain = ChainBuilder.build(certificates);
        } catch (PkiException e) {
            return new Result(false, false, e.code(), e.getMessage());
        }
        CheckResult check = checker.check(chain, csrParser.parse(order.csr()).publicKey(), order.names(), roots.get(), checkTime());
        if (!check.accepted()) {
            return new Result(false, false, check.code(), check.detail());
        }
        if (order.state() != OrderState.IN_PROGRESS) {
            return new Result(true, false, "INVALID_STATE", "order " + orderId + " is " + order.state() + "; the certificate is not applied");
        }
        Boolean done = tx.execute(s -> {
            Integer stored = jdbc.queryForObject("select count(*) from certificate where order_id = ?", Integer.class, orderId);
            if (stored == 0) {
                String owner = inventory.orderOf(sha256(chain.leaf())).orElse(null);
                if (owner != null) {
                    // the same certificate is already in the inventory for another order (same CSR key); never stored twice
                    return null;
                }
                String certificateId = inventory.store(orderId, order.accountId(), chain, source, clock.instant());
                certificateIssued(order, certificateId, chain);
            }
            boolean completed = orders.complete(orderId, source.equals("mailbox") ? "vendor-mail" : "vendor",
                "certificate issued (serial " + io.certhub.pki.CertificateFacts.serialHex(chain.leaf().getSerialNumber()) + ", via " + source + "); hold captured");
            if (completed) {
                deliveries.queue(orderId);
            }
            return completed;
        });
        if (done == null) {
            return new Result(false, false, "CERTIFICATE_OF_ANOTHER_ORDER", "certificate " + sha256(chain.leaf())
                + " is already stored for another order; order " + orderId + " is not completed with it");
        }
        return new Result(true, done, "OK", "certificate accepted");
    }

    /** Publishes {@code certificate.issued} inside the completing transaction (issue 13 §4). */
    private void certificateIssued(Order order, String certificateId, Chain chain) {
        java.util.Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("id", certificateId);
        c.put("serialNumber", io.certhub.pki.CertificateFacts.serialHex(chain.leaf().getSerialNumber()));
        c.put("notAfter", chain.leaf().getNotAfter().toInstant().toString());
        events.publishEvent(new io.certhub.webhook.HubEvent(io.certhub.webhook.WebhookEventType.CERTIFICATE_ISSUED, order.accountId(),
            order.id(), java.util.Map.of("certificate", c)));
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
