package io.certhub.webhook;

import java.util.Map;

/**
 * A fact about an account's order that the account's webhooks may subscribe to, published as a
 * Spring application event <em>inside</em> the transaction of the state change (e.g. by
 * {@code OrderService}); {@link WebhookOutbox} turns it into outbox rows before that transaction
 * commits. Published outside a transaction it is dropped (there is nothing to commit it with).
 *
 * @param type      the event type
 * @param accountId the account whose webhooks get it
 * @param orderId   the order it is about (its id, clientReference, state, price are added to
 *                  {@code data} when the event is written), or null
 * @param data      more {@code data} fields of the payload (e.g. {@code hold}, {@code certificate}),
 *                  JSON-serialisable; never null
 */
public record HubEvent(WebhookEventType type, String accountId, String orderId, Map<String, Object> data) {

    /**
     * @param type      event type
     * @param accountId account
     * @param orderId   order, or null
     * @param data      more data fields (null: none)
     */
    public HubEvent {
        data = data == null ? Map.of() : data;
    }
}
