package io.certhub.certificate;

import io.certhub.issuer.VendorAdapter;
import io.certhub.issuer.VendorAdapter.RevocationReason;
import io.certhub.issuer.VendorException;
import io.certhub.issuer.Vendors;
import io.certhub.order.Order;
import io.certhub.order.OrderService;
import io.certhub.problem.HubProblem;
import io.certhub.term.LifecycleProperties;
import io.certhub.term.TermService;
import io.certhub.webhook.HubEvent;
import io.certhub.webhook.WebhookEventType;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Revocation on request (issue 13 §5, {@code POST /api/v1/certificates/{id}/revoke}): one of the
 * account's certificates is revoked at the vendor ({@link VendorAdapter#revoke}) with an RFC 5280
 * reason a subscriber may request ({@link RevocationReason}), then in one transaction the
 * certificate becomes REVOKED with {@code revoked_at} and {@code revocation_reason} (V22), the
 * order's history gets an entry and the webhook event {@code certificate.revoked} is written to the
 * outbox.
 *
 * <p>Checked before anything is written or sent: the certificate is the caller's (404
 * {@code CERTIFICATE_NOT_FOUND}, also for another account's), the configured vendor offers
 * revocation through its API (409 {@code VENDOR_UNSUPPORTED}), it is not REVOKED already (409
 * {@code CERTIFICATE_ALREADY_REVOKED}) nor expired (409 {@code CERTIFICATE_EXPIRED}: an expired
 * certificate is not revoked). A SUPERSEDED certificate that has not expired may be revoked (its
 * key may be the compromised one).
 *
 * <p>Never lost between the vendor and the hub: the request is recorded on the certificate
 * ({@code revocation_requested_at}, reason, actor; V25) in its own transaction before the vendor is
 * called. A vendor refusal (409 {@code VENDOR_REFUSED}) or a vendor not reached (503
 * {@code VENDOR_UNAVAILABLE}) clears it: nothing changed. A vendor answer that was lost (it may have
 * revoked) keeps it: the caller gets the certificate as it is, with {@code revocationRequestedAt}
 * (202), and {@link #confirmPending} (route {@code revocation-recovery}) asks the vendor again once
 * the request is {@code hub.lifecycle.revocation-recovery-after} old and records the outcome. The
 * same follow-up covers a hub stopped between the vendor's call and the record.
 *
 * <p>Revoking the order's current certificate ends its automatic reissues: the hub's term shows no
 * next reissue (no ACTIVE certificate), the overdue-reissue warning is cleared, and a later
 * automatic certificate of the vendor is refused ({@code CHAIN_REVOKED}); the reseller restarts the
 * chain with an explicit reissue ({@code POST /api/v1/orders/{id}/reissue}).
 */
@Service
public class CertificateRevocation {

    /** Pending revocations followed up per run of {@link #confirmPending}. */
    static final int RECOVERY_BATCH = 100;

    private static final Logger LOG = LoggerFactory.getLogger(CertificateRevocation.class);

    private final CertificateInventory inventory;
    private final OrderService orders;
    private final Vendors vendors;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final LifecycleProperties lifecycle;

    /**
     * @param inventory the certificate inventory
     * @param orders    order lifecycle (history, warnings)
     * @param vendors   the configured vendor adapter
     * @param tx        transactions
     * @param clock     the hub's clock
     * @param events    publisher of {@code certificate.revoked} (inside the revoking transaction)
     * @param lifecycle {@code hub.lifecycle.revocation-recovery-after}
     */
    public CertificateRevocation(CertificateInventory inventory, OrderService orders, Vendors vendors, TransactionTemplate tx, Clock clock,
                                 ApplicationEventPublisher events, LifecycleProperties lifecycle) {
        this.inventory = inventory;
        this.orders = orders;
        this.vendors = vendors;
        this.tx = tx;
        this.clock = clock;
        this.events = events;
        this.lifecycle = lifecycle;
    }

    /**
     * Revokes a certificate (see the class documentation).
     *
     * @param accountId     the caller's account
     * @param certificateId the certificate
     * @param reason        the RFC 5280 reason
     * @param actor         who asks, e.g. {@code account:demo}
     * @return the certificate as now stored: REVOKED, or (the vendor's answer lost) as it was with
     *         {@code revocationRequestedAt} set, to be confirmed by {@link #confirmPending}
     * @throws HubProblem 404 {@code CERTIFICATE_NOT_FOUND}; 409 {@code VENDOR_UNSUPPORTED},
     *                    {@code CERTIFICATE_ALREADY_REVOKED}, {@code REVOCATION_IN_PROGRESS} (a request awaits the vendor's outcome),
     *                    {@code CERTIFICATE_EXPIRED}, {@code VENDOR_REFUSED};
     *                    503 {@code VENDOR_UNAVAILABLE}
     */
    public CertificateInventory.Item revoke(String accountId, String certificateId, RevocationReason reason, String actor) {
        CertificateInventory.Item item = inventory.find(accountId, certificateId)
            .orElseThrow(() -> new HubProblem(404, "CERTIFICATE_NOT_FOUND", null, "no certificate " + certificateId));
        VendorAdapter vendor = vendors.forOrder(orders.get(accountId, item.orderId()));
        if (!vendor.supports(VendorAdapter.LifecycleAction.REVOKE)) {
            throw new HubProblem(409, "VENDOR_UNSUPPORTED", null, "the configured vendor (" + vendor.name() + ") does not offer revocation"
                + " through its API: OpenSRS offers it only through its CA portal; nothing was changed");
        }
        String serial = item.facts().serialHex();
        if (item.state() == CertificateInventory.State.REVOKED) {
            throw alreadyRevoked(item);
        }
        if (item.state() == CertificateInventory.State.EXPIRED) {
            throw new HubProblem(409, "CERTIFICATE_EXPIRED", null, "certificate " + serial + " expired at " + item.facts().notAfter()
                + "; an expired certificate is not revoked");
        }
        Order order = orders.get(accountId, item.orderId());
        String why = reason.rfcName();
        Instant requestedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        tx.executeWithoutResult(s -> {
            if (!inventory.requestRevocation(item.id(), why, actor, requestedAt)) {
                CertificateInventory.Item now = inventory.find(accountId, certificateId).orElse(item);
                throw now.state() == CertificateInventory.State.REVOKED ? alreadyRevoked(now) : revocationInProgress(now);
            }
        });
        try {
            vendor.revoke(order.vendorOrderId(), serial, reason);
        } catch (VendorException e) {
            if (e.kind() == VendorException.Kind.AMBIGUOUS) {
                // the vendor may have revoked: the request stays recorded and revocation-recovery confirms it
                orders.note(order.id(), actor, "revocation of certificate " + serial + " (reason " + why + ") asked of the vendor;"
                    + " its answer was lost (" + e.code() + "): the hub asks again and records the outcome");
                return inventory.find(accountId, certificateId).orElseThrow();
            }
            inventory.clearRevocationRequest(item.id(), requestedAt);
            throw e.toProblem();
        }
        record(order, item, reason, actor, "");
        return inventory.find(accountId, certificateId).orElseThrow();
    }

    /**
     * Follows up the revocations asked of the vendor whose outcome was not recorded (the vendor's
     * answer was lost, or the hub stopped between the call and the record; V25) once they are
     * {@code hub.lifecycle.revocation-recovery-after} old: asks the vendor again (its revoke is
     * idempotent: a certificate it revoked already is answered with success) and records the
     * certificate REVOKED with history and {@code certificate.revoked}, as {@link #revoke} would have.
     * A vendor refusal forgets the request and says so in the order's history (the certificate stays
     * as it was); a vendor that cannot be reached leaves it for the next run. Run by the route
     * {@code revocation-recovery} on a clustered Quartz schedule ({@code hub.lifecycle.revocation-recovery-cron}):
     * one instance per fire; the record is written once anyway.
     *
     * @return how many revocations were recorded
     */
    public int confirmPending() {
        int recorded = 0;
        for (CertificateInventory.PendingRevocation p : inventory.pendingRevocations(clock.instant().minus(lifecycle.getRevocationRecoveryAfter()),
                RECOVERY_BATCH)) {
            RevocationReason reason = RevocationReason.of(p.reason()).orElse(RevocationReason.UNSPECIFIED);
            Order order = orders.get(p.accountId(), p.orderId());
            try {
                vendors.forOrder(order).revoke(order.vendorOrderId(), p.serialHex(), reason);
            } catch (VendorException e) {
                if (e.kind() == VendorException.Kind.REFUSED || e.kind() == VendorException.Kind.NOT_FOUND) {
                    tx.executeWithoutResult(s -> {
                        inventory.clearRevocationRequest(p.certificateId(), p.requestedAt());
                        orders.note(order.id(), "system", "revocation of certificate " + p.serialHex() + " asked at " + p.requestedAt()
                            + " by " + p.actor() + " was not carried out: the vendor refused (" + e.code() + ": " + e.getMessage()
                            + "); the certificate is not revoked");
                    });
                } else {
                    LOG.warn("revocation of certificate {} (order {}) still unconfirmed: the vendor could not be reached ({}); asked again on"
                        + " the next run", p.serialHex(), order.id(), e.getMessage());
                }
                continue;
            }
            CertificateInventory.Item item = inventory.find(p.accountId(), p.certificateId()).orElseThrow();
            if (record(order, item, reason, p.actor(), "; confirmed by the hub after the vendor's answer was lost (asked at "
                    + p.requestedAt() + ")")) {
                recorded++;
            }
        }
        return recorded;
    }

    /**
     * Records a revocation the vendor carried out: in one transaction the certificate REVOKED (its
     * request cleared), a history entry, the overdue-reissue warning cleared for the current
     * certificate, and the webhook event {@code certificate.revoked}.
     *
     * @return false when the certificate was REVOKED already (another request or the recovery recorded it; its record stands)
     */
    private boolean record(Order order, CertificateInventory.Item item, RevocationReason reason, String actor, String how) {
        Instant at = clock.instant();
        String serial = item.facts().serialHex();
        Boolean done = tx.execute(s -> {
            if (!inventory.revoke(item.id(), reason.rfcName(), at)) {
                return false;
            }
            boolean current = item.state() == CertificateInventory.State.ACTIVE;
            orders.note(order.id(), actor, "certificate " + serial + " revoked (reason " + reason.rfcName() + ")" + how
                + (current ? "; no automatic reissue of a revoked chain: reissue the order to continue its term" : ""));
            if (current) {
                orders.reconcileWarnings(order.id(), TermService.REISSUE_OVERDUE, Map.of(),
                    Map.of(TermService.FIELD, "certificate " + serial + " revoked; no automatic reissue of a revoked chain"), actor);
                orders.reconcileWarnings(order.id(), TermService.DCV_REVALIDATION_DUE, Map.of(),
                    Map.of(TermService.FIELD, "certificate " + serial + " revoked; no automatic reissue of a revoked chain"), actor);
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", item.id());
            c.put("serialNumber", serial);
            c.put("notAfter", item.facts().notAfter().toString());
            c.put("revokedAt", at.toString());
            c.put("reason", reason.rfcName());
            events.publishEvent(new HubEvent(WebhookEventType.CERTIFICATE_REVOKED, order.accountId(), order.id(), Map.of("certificate", c)));
            return true;
        });
        return Boolean.TRUE.equals(done);
    }

    private static HubProblem revocationInProgress(CertificateInventory.Item item) {
        return new HubProblem(409, "REVOCATION_IN_PROGRESS", null, "a revocation of certificate " + item.facts().serialHex()
            + " was asked of the vendor" + (item.revocationRequestedAt() == null ? "" : " at " + item.revocationRequestedAt())
            + " and awaits its outcome; the hub records it (route revocation-recovery), nothing was changed");
    }

    private static HubProblem alreadyRevoked(CertificateInventory.Item item) {
        return new HubProblem(409, "CERTIFICATE_ALREADY_REVOKED", null, "certificate " + item.facts().serialHex() + " is revoked already"
            + (item.revokedAt() == null ? "" : " (at " + item.revokedAt() + ", reason " + item.revocationReason() + ")"));
    }
}
