package io.certhub.webhook;

import io.certhub.cluster.HubInstance;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * JDBC access to the webhook tables of migration V17: {@code webhook} (endpoints),
 * {@code webhook_event} (the outbox), {@code webhook_delivery} (one event to one endpoint, with
 * its claim) and {@code webhook_attempt} (the delivery log, one row per try). Joins the caller's
 * transaction when there is one.
 */
@Repository
public class WebhookRepository {

    /** A registered endpoint. @param id id @param accountId account @param url URL @param events subscribed wire names @param createdAt registration time */
    public record Webhook(String id, String accountId, String url, List<String> events, Instant createdAt) { }

    /**
     * A delivery about to be sent.
     *
     * @param deliveryId delivery id
     * @param webhookId  endpoint id
     * @param eventId    event id ({@code webhook-id})
     * @param type       event type (wire name)
     * @param url        endpoint URL
     * @param secret     endpoint secret
     * @param payload    the JSON body
     * @param attempts   tries so far
     * @param state      the delivery's state
     * @param webhookDeleted whether the endpoint was deleted meanwhile
     */
    public record Outgoing(long deliveryId, String webhookId, String eventId, String type, String url, String secret, String payload,
                           int attempts, String state, boolean webhookDeleted) { }

    /**
     * One try of the delivery log.
     *
     * @param id         row id
     * @param deliveryId delivery
     * @param eventId    event id
     * @param type       event type
     * @param attempt    try number of that delivery (1 = first)
     * @param statusCode HTTP status, or null when there was no answer
     * @param error      what failed (no answer, or a non-2xx status), or null
     * @param durationMs time of the try, ms
     * @param at         when the try started
     * @param deliveryState the delivery's state now
     */
    public record Attempt(long id, long deliveryId, String eventId, String type, int attempt, Integer statusCode, String error,
                          long durationMs, Instant at, String deliveryState) { }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final HubInstance instance;

    /**
     * @param jdbc     template on the hub database
     * @param clock    time source
     * @param instance this hub instance (names its claims; a dead instance's claims are free)
     */
    public WebhookRepository(JdbcTemplate jdbc, Clock clock, HubInstance instance) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.instance = instance;
    }

    /**
     * @param w      the endpoint
     * @param secret its signing secret
     */
    public void insert(Webhook w, String secret) {
        jdbc.update("insert into webhook(id, account_id, url, events, secret, created_at) values (?, ?, ?, ?, ?, ?)",
            w.id(), w.accountId(), w.url(), "," + String.join(",", w.events()) + ",", secret, Timestamp.from(w.createdAt()));
    }

    /** @param accountId account @return its endpoints (not deleted), oldest first */
    public List<Webhook> list(String accountId) {
        return jdbc.query("select * from webhook where account_id = ? and deleted_at is null order by created_at, id", WebhookRepository::webhook,
            accountId);
    }

    /** @param accountId account @return how many endpoints it has (not deleted) */
    public int count(String accountId) {
        return jdbc.queryForObject("select count(*) from webhook where account_id = ? and deleted_at is null", Integer.class, accountId);
    }

    /**
     * @param accountId account
     * @param id        endpoint id
     * @return the endpoint when it exists, is not deleted and is the account's
     */
    public Optional<Webhook> find(String accountId, String id) {
        return jdbc.query("select * from webhook where account_id = ? and id = ? and deleted_at is null", WebhookRepository::webhook, accountId, id)
            .stream().findFirst();
    }

    /**
     * Deletes an endpoint (kept with {@code deleted_at}, so its log stays) and cancels its PENDING
     * deliveries. Joins the caller's transaction.
     *
     * @param accountId account
     * @param id        endpoint id
     * @return whether it existed (not deleted) and was the account's
     */
    public boolean delete(String accountId, String id) {
        Timestamp now = Timestamp.from(clock.instant());
        if (jdbc.update("update webhook set deleted_at = ? where account_id = ? and id = ? and deleted_at is null", now, accountId, id) != 1) {
            return false;
        }
        jdbc.update("update webhook_delivery set state = 'CANCELLED', claimed_until = null, claimed_by = null where webhook_id = ? and state = 'PENDING'", id);
        return true;
    }

    /**
     * @param accountId account
     * @param type      event type
     * @return ids of the account's endpoints (not deleted) subscribed to {@code type}
     */
    public List<String> subscribed(String accountId, WebhookEventType type) {
        return jdbc.query("select id, events from webhook where account_id = ? and deleted_at is null", (rs, i) ->
            rs.getString("events").contains("," + type.wire() + ",") ? rs.getString("id") : null, accountId)
            .stream().filter(java.util.Objects::nonNull).toList();
    }

    /**
     * Writes an event of the outbox and one PENDING delivery, due now, per endpoint (joins the
     * caller's transaction).
     *
     * @param eventId    event id (UUID)
     * @param accountId  account
     * @param type       type
     * @param orderId    order, or null
     * @param payload    the JSON body
     * @param at         event time
     * @param webhookIds the subscribed endpoints
     */
    public void insertEvent(String eventId, String accountId, WebhookEventType type, String orderId, String payload, Instant at,
                            List<String> webhookIds) {
        Timestamp ts = Timestamp.from(at);
        jdbc.update("insert into webhook_event(id, account_id, type, order_id, payload, created_at) values (?, ?, ?, ?, ?, ?)",
            eventId, accountId, type.wire(), orderId, payload, ts);
        jdbc.batchUpdate("insert into webhook_delivery(webhook_id, event_id, state, attempts, next_at, created_at) values (?, ?, 'PENDING', 0, ?, ?)",
            webhookIds.stream().map(w -> new Object[] {w, eventId, ts, ts}).toList());
    }

    /**
     * Queues an event again for one endpoint (replay): a new PENDING delivery due now, unless one of
     * that event to that endpoint is still PENDING (then that one is returned).
     *
     * @param webhookId endpoint
     * @param eventId   event
     * @return the PENDING delivery's id, or empty when that event was never for that endpoint
     */
    public Optional<Long> replay(String webhookId, String eventId) {
        List<String> states = jdbc.queryForList("select state from webhook_delivery where webhook_id = ? and event_id = ?", String.class,
            webhookId, eventId);
        if (states.isEmpty()) {
            return Optional.empty();
        }
        List<Long> pending = jdbc.queryForList("select id from webhook_delivery where webhook_id = ? and event_id = ? and state = 'PENDING'",
            Long.class, webhookId, eventId);
        if (!pending.isEmpty()) {
            return Optional.of(pending.get(0));
        }
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("insert into webhook_delivery(webhook_id, event_id, state, attempts, next_at, created_at) values (?, ?, 'PENDING', 0, ?, ?)",
            webhookId, eventId, now, now);
        return Optional.of(jdbc.queryForObject("select max(id) from webhook_delivery where webhook_id = ? and event_id = ?", Long.class,
            webhookId, eventId));
    }

    /**
     * @param limit most rows
     * @return ids of PENDING deliveries due now and not claimed (or claimed by an instance whose
     *         claim ran out or that stopped beating), oldest due first
     */
    public List<Long> due(int limit) {
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.queryForList("select id from webhook_delivery where state = 'PENDING' and next_at <= ?"
            + " and (claimed_until is null or claimed_until < ? or " + HubInstance.claimantDead("webhook_delivery.claimed_by") + ")"
            + " order by next_at limit ?", Long.class, now, now, instance.deadBefore(), limit);
    }

    /**
     * Claims a due delivery for one try in this instance's name until {@code now + lease}: a guarded
     * {@code UPDATE}, so of several threads or hub instances that read the same row only one gets it.
     *
     * @param id    delivery id
     * @param lease how long the try may take
     * @return whether this caller now holds it
     */
    public boolean claim(long id, Duration lease) {
        Instant now = clock.instant();
        return jdbc.update("update webhook_delivery set claimed_until = ?, claimed_by = ? where id = ? and state = 'PENDING' and next_at <= ?"
                + " and (claimed_until is null or claimed_until < ? or " + HubInstance.claimantDead("webhook_delivery.claimed_by") + ")",
            Timestamp.from(now.plus(lease)), instance.id(), id, Timestamp.from(now), Timestamp.from(now), instance.deadBefore()) == 1;
    }

    /** @param id delivery id @return what to send, or empty for an unknown id */
    public Optional<Outgoing> outgoing(long id) {
        return jdbc.query("select d.id, d.webhook_id, d.event_id, d.attempts, d.state, e.type, e.payload, w.url, w.secret, w.deleted_at"
            + " from webhook_delivery d join webhook_event e on e.id = d.event_id join webhook w on w.id = d.webhook_id where d.id = ?",
            (rs, i) -> new Outgoing(rs.getLong("id"), rs.getString("webhook_id"), rs.getString("event_id"), rs.getString("type"),
                rs.getString("url"), rs.getString("secret"), rs.getString("payload"), rs.getInt("attempts"), rs.getString("state"),
                rs.getTimestamp("deleted_at") != null), id).stream().findFirst();
    }

    /**
     * Records one try in the log and its outcome on the delivery, in the caller's transaction:
     * {@code next} null and a 2xx → DELIVERED; else PENDING due after {@code retryIn}, or FAILED when
     * {@code retryIn} is null. The claim is given back. Only a delivery still PENDING and claimed by
     * this instance is changed.
     *
     * @param o          the delivery as sent
     * @param statusCode the answer's status, or null
     * @param error      what failed, or null
     * @param startedAt  start of the try
     * @param durationMs its length
     * @param delivered  whether it was delivered (2xx)
     * @param retryIn    wait before the next try, or null for none (delivered, or given up)
     * @return whether the delivery was still this instance's (false: nothing was written)
     */
    public boolean recordTry(Outgoing o, Integer statusCode, String error, Instant startedAt, long durationMs, boolean delivered, Duration retryIn) {
        Instant now = clock.instant();
        String cut = error == null ? null : error.substring(0, Math.min(error.length(), 1900));
        String state = delivered ? "DELIVERED" : retryIn == null ? "FAILED" : "PENDING";
        int n = jdbc.update("update webhook_delivery set state = ?, attempts = attempts + 1, last_status = ?, last_error = ?, next_at = ?,"
                + " delivered_at = ?, claimed_until = null, claimed_by = null where id = ? and state = 'PENDING' and claimed_by = ?",
            state, statusCode, cut, Timestamp.from(retryIn == null ? now : now.plus(retryIn)), delivered ? Timestamp.from(now) : null,
            o.deliveryId(), instance.id());
        if (n != 1) {
            return false;
        }
        jdbc.update("insert into webhook_attempt(delivery_id, webhook_id, event_id, event_type, attempt, status_code, error, duration_ms, at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            o.deliveryId(), o.webhookId(), o.eventId(), o.type(), o.attempts() + 1, statusCode, cut, durationMs, Timestamp.from(startedAt));
        return true;
    }

    /** Cancels a PENDING delivery whose endpoint was deleted. @param id delivery id */
    public void cancel(long id) {
        jdbc.update("update webhook_delivery set state = 'CANCELLED', claimed_until = null, claimed_by = null where id = ? and state = 'PENDING'", id);
    }

    /**
     * @param webhookId endpoint
     * @param page      0-based page
     * @param size      page size
     * @return its delivery log, newest try first
     */
    public List<Attempt> log(String webhookId, int page, int size) {
        return jdbc.query("select a.*, d.state as delivery_state from webhook_attempt a join webhook_delivery d on d.id = a.delivery_id"
            + " where a.webhook_id = ? order by a.id desc limit ? offset ?", (rs, i) -> new Attempt(rs.getLong("id"), rs.getLong("delivery_id"),
            rs.getString("event_id"), rs.getString("event_type"), rs.getInt("attempt"), (Integer) rs.getObject("status_code", Integer.class),
            rs.getString("error"), rs.getLong("duration_ms"), rs.getTimestamp("at").toInstant(), rs.getString("delivery_state")),
            webhookId, size, (long) page * size);
    }

    /** @param webhookId endpoint @return tries in its log */
    public long logCount(String webhookId) {
        return jdbc.queryForObject("select count(*) from webhook_attempt where webhook_id = ?", Long.class, webhookId);
    }

    private static Webhook webhook(ResultSet rs, int i) throws SQLException {
        List<String> events = Arrays.stream(rs.getString("events").split(",")).filter(s -> !s.isEmpty()).toList();
        return new Webhook(rs.getString("id"), rs.getString("account_id"), rs.getString("url"), events, rs.getTimestamp("created_at").toInstant());
    }

    /**
     * Deletes one batch of old webhook history: events created before {@code before} none of whose
     * deliveries is still PENDING, with their deliveries and their tries (the delivery log), in one
     * transaction of the caller. Portable SQL (no {@code DELETE ... LIMIT}: the batch is chosen by a
     * {@code select ... limit}).
     *
     * @param before events older than this go (with everything sent for them)
     * @param limit  most events deleted by this call
     * @return the number of events deleted (less than {@code limit}: nothing older is left)
     */
    public int prune(Instant before, int limit) {
        List<String> ids = jdbc.queryForList("select e.id from webhook_event e where e.created_at < ? and not exists"
            + " (select 1 from webhook_delivery d where d.event_id = e.id and d.state = 'PENDING') order by e.created_at limit ?",
            String.class, Timestamp.from(before), limit);
        if (ids.isEmpty()) {
            return 0;
        }
        String in = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        Object[] args = ids.toArray();
        jdbc.update("delete from webhook_attempt where delivery_id in (select id from webhook_delivery where event_id in (" + in + "))", args);
        jdbc.update("delete from webhook_delivery where event_id in (" + in + ")", args);
        return jdbc.update("delete from webhook_event where id in (" + in + ")", args);
    }
}
