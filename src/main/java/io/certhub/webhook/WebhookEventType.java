package io.certhub.webhook;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The event types an endpoint may subscribe to (issue 13 §4), with their wire names. Every type is
 * accepted in a subscription; {@link #emitted()} says whether the hub has the trigger today.
 */
public enum WebhookEventType {

    /** An order went to IN_PROGRESS with its hold (created with {@code handle: process}, or submitted). */
    ORDER_SUBMITTED("order.submitted", true),
    /** An order was completed (certificate accepted, hold captured). */
    ORDER_COMPLETED("order.completed", true),
    /** An order was cancelled (by the reseller, or the vendor confirmed a cancellation). */
    ORDER_CANCELLED("order.cancelled", true),
    /** The vendor declined an order (hold released). */
    ORDER_DECLINED("order.declined", true),
    /** A certificate was stored for an order (inventory, issue 13 §1). */
    CERTIFICATE_ISSUED("certificate.issued", true),
    /** The next certificate of an order's paid term was stored (issue 13 §2, {@code OrderCompletion}); {@code data.certificate} is the new one. */
    CERTIFICATE_REISSUED("certificate.reissued", true),
    /** A certificate was revoked on the reseller's request (issue 13 §5, {@code CertificateRevocation}); {@code data.certificate} has {@code revokedAt} and {@code reason}. */
    CERTIFICATE_REVOKED("certificate.revoked", true),
    /** The paid term of an order ends in one of {@code hub.lifecycle.reminder-days} (issue 13 §3, {@code RenewalReminders}). */
    CERTIFICATE_EXPIRING("certificate.expiring", true),
    /** An order's hold was captured (the price left the balance). */
    HOLD_CAPTURED("hold.captured", true),
    /** An order's hold was released (cancel, decline). */
    HOLD_RELEASED("hold.released", true),
    /** The certificate email to the admin contact failed (first failed attempt of a delivery; it is retried). */
    DELIVERY_FAILED("delivery.failed", true);

    private final String wire;
    private final boolean emitted;

    WebhookEventType(String wire, boolean emitted) {
        this.wire = wire;
        this.emitted = emitted;
    }

    /** @return the name on the wire and in subscriptions, e.g. {@code order.submitted} */
    public String wire() {
        return wire;
    }

    /** @return whether the hub emits this type today */
    public boolean emitted() {
        return emitted;
    }

    /**
     * @param wire a wire name, exact (lower case)
     * @return the type, or empty when unknown
     */
    public static Optional<WebhookEventType> of(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
    }

    /** @return every wire name, in declaration order */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(WebhookEventType::wire).toList();
    }
}
