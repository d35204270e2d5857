package io.certhub.certificate;

import io.certhub.order.Order;
import io.certhub.order.OrderService;
import io.certhub.problem.HubProblem;
import io.certhub.term.TermService;
import io.certhub.vendor.VendorAdapter;
import io.certhub.vendor.VendorAdapter.RevocationReason;
import io.certhub.vendor.VendorException;
import io.certhub.vendor.Vendors;
import io.certhub.webhook.HubEvent;
import io.certhub.webhook.WebhookEventType;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * key may be the compromised one). A vendor refusal answers 409 {@code VENDOR_REFUSED}, a vendor
 * that cannot be reached 503 {@code VENDOR_UNAVAILABLE}; the hub then changes nothing (the vendor's
 * revoke is idempotent, so a retry is safe even when its answer was lost).
 *
 * <p>Revoking the order's current certificate ends its automatic reissues: the hub's term shows no
 * next reissue (no ACTIVE certificate), the overdue-reissue warning is cleared, and a later
 * automatic certificate of the vendor is refused ({@code CHAIN_REVOKED}); the reseller restarts the
 * chain with an explicit reissue ({@code POST /api/v1/orders/{id}/reissue}).
 */
@Service
public class CertificateRevocation {

    private final CertificateInventory inventory;
    private final OrderService orders;
    private final Vendors vendors;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    /**
     * @param inventory the certificate inventory
     * @param orders    order lifecycle (history, warnings)
     * @param vendors   the configured vendor adapter
     * @param tx        transactions
     * @param clock     the hub's clock
     * @param events    publisher of {@code certificate.revoked} (inside the revoking transaction)
     */
    public CertificateRevocation(CertificateInventory inventory, OrderService orders, Vendors vendors, TransactionTemplate tx, Clock clock,
                                 ApplicationEventPublisher events) {
        this.inventory = inventory;
        this.orders = orders;
        this.vendors = vendors;
        this.tx = tx;
        this.clock = clock;
        this.events = events;
    }

    /**
     * Revokes a certificate (see the class documentation).
     *
     * @param accountId     the caller's account
     * @param certificateId the certificate
     * @param reason        the RFC 5280 reason
     * @param actor         who asks, e.g. {@code account:demo}
     * @return the certificate as now stored (REVOKED)
     * @throws HubProblem 404 {@code CERTIFICATE_NOT_FOUND}; 409 {@code VENDOR_UNSUPPORTED},
     *                    {@code CERTIFICATE_ALREADY_REVOKED}, {@code CERTIFICATE_EXPIRED}, {@code VENDOR_REFUSED};
     *                    503 {@code VENDOR_UNAVAILABLE}
     */
    public CertificateInventory.Item revoke(String accountId, String certificateId, RevocationReason reason, String actor) {
        CertificateInventory.Item item = inventory.find(accountId, certificateId)
            .orElseThrow(() -> new HubProblem(404, "CERTIFICATE_NOT_FOUND", null, "no certificate " + certificateId));
        VendorAdapter vendor = vendors.active();
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
        try {
            vendor.revoke(order.vendorOrderId(), serial, reason);
        } catch (VendorException e) {
            throw e.toProblem();
        }
        Instant at = clock.instant();
        tx.executeWithoutResult(s -> {
            if (!inventory.revoke(item.id(), reason.rfcName(), at)) {
                throw alreadyRevoked(item);                 // another request revoked it meanwhile; its record stands
            }
            boolean current = item.state() == CertificateInventory.State.ACTIVE;
            orders.note(order.id(), actor, "certificate " + serial + " revoked (reason " + reason.rfcName() + ")"
                + (current ? "; no automatic reissue of a revoked chain: reissue the order to continue its term" : ""));
            if (current) {
                orders.reconcileWarnings(order.id(), TermService.REISSUE_OVERDUE, Map.of(),
                    Map.of(TermService.FIELD, "certificate " + serial + " revoked; no automatic reissue of a revoked chain"), actor);
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", item.id());
            c.put("serialNumber", serial);
            c.put("notAfter", item.facts().notAfter().toString());
            c.put("revokedAt", at.toString());
            c.put("reason", reason.rfcName());
            events.publishEvent(new HubEvent(WebhookEventType.CERTIFICATE_REVOKED, order.accountId(), order.id(), Map.of("certificate", c)));
        });
        return inventory.find(accountId, certificateId).orElseThrow();
    }

    private static HubProblem alreadyRevoked(CertificateInventory.Item item) {
        return new HubProblem(409, "CERTIFICATE_ALREADY_REVOKED", null, "certificate " + item.facts().serialHex() + " is revoked already"
            + (item.revokedAt() == null ? "" : " (at " + item.revokedAt() + ", reason " + item.revocationReason() + ")"));
    }
}
