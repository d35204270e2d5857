package io.certhub.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.order.Order;
import io.certhub.order.OrderRepository;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The transactional outbox of webhooks (issue 13 §4): turns each {@link HubEvent} published inside
 * a transaction into a {@code webhook_event} row and one PENDING {@code webhook_delivery} per
 * endpoint of the account subscribed to its type, <em>before that transaction commits</em>
 * ({@code BEFORE_COMMIT}, on its connection): the event commits with the state change or not at
 * all, so it is never lost and never sent for a change that rolled back. When no endpoint of the
 * account subscribes to the type it writes nothing (one indexed select of the account's
 * {@code webhook} rows, in the same transaction: no extra commit). A failure here fails the
 * transaction of the change (the outbox is part of it).
 *
 * <p>Payload (the body sent, Standard Webhooks' shape): {@code {type, id, createdAt, accountId,
 * data}}; {@code id} the event id (UUID, also {@code webhook-id}); {@code createdAt} ISO 8601 UTC
 * (milliseconds); {@code data} {@code {orderId, clientReference, state, domain, productType,
 * price: {amountMinor, currency}}} of the order as the transaction leaves it, plus the event's own
 * fields ({@code hold: {id, submission, state, amountMinor, currency}} for hold events,
 * {@code certificate: {id, serialNumber, notAfter}} for {@code certificate.issued},
 * {@code delivery: {id, attempts, error}} for {@code delivery.failed}). Amounts are integers in the
 * currency's minor unit (cents).
 */
@Component
public class WebhookOutbox {

    private final WebhookRepository repo;
    private final OrderRepository orders;
    private final ObjectMapper json;
    private final Clock clock;

    /**
     * @param repo   webhook tables
     * @param orders orders (the payload's order fields)
     * @param json   Jackson mapper
     * @param clock  time source
     */
    public WebhookOutbox(WebhookRepository repo, OrderRepository orders, ObjectMapper json, Clock clock) {
        this.repo = repo;
        this.orders = orders;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Writes the event into the outbox when the account subscribes to it; runs just before the
     * publishing transaction commits, in it.
     *
     * (void: a value returned by an event listener would be published as an event itself)
     *
     * @param event the event
     */
    @TransactionalEventListener(phase = TransactionPhase.BEFORE_COMMIT)
    public void write(HubEvent event) {
        List<String> webhooks = repo.subscribed(event.accountId(), event.type());
        if (webhooks.isEmpty()) {
            return;
        }
        String id = UUID.randomUUID().toString();
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        repo.insertEvent(id, event.accountId(), event.type(), event.orderId(), payload(id, at, event), at, webhooks);
    }

    private String payload(String id, Instant at, HubEvent event) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (event.orderId() != null) {
            Order o = orders.find(event.orderId()).orElse(null);
            data.put("orderId", event.orderId());
            if (o != null) {
                data.put("clientReference", o.clientReference());
                data.put("state", o.state().name());
                data.put("domain", o.domain());
                data.put("productType", o.productType());
                data.put("price", money(o.price().minor(), o.price().currency()));
            }
        }
        data.putAll(event.data());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", event.type().wire());
        body.put("id", id);
        body.put("createdAt", at.toString());
        body.put("accountId", event.accountId());
        body.put("data", data);
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("webhook payload of " + event.type().wire() + " is not serialisable", e);
        }
    }

    /**
     * @param minor    amount in the currency's minor unit
     * @param currency ISO 4217 code
     * @return {@code {amountMinor, currency}}
     */
    public static Map<String, Object> money(long minor, String currency) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("amountMinor", minor);
        m.put("currency", currency);
        return m;
    }
}
