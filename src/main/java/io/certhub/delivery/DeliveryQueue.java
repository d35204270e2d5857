package io.certhub.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.cluster.HubInstance;
import io.certhub.problem.HubProblem;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The delivery outbox (table {@code delivery}): one row per certificate email to an order's
 * admin contact. Rows are written in the transaction that completes the order (or by a resend)
 * and sent by the admin-delivery route; state PENDING → SENT, attempts and the last SMTP error
 * kept on the row and shown on the order ({@code delivery: {state, attempts, lastError}}).
 */
@Repository
public class DeliveryQueue {

    /**
     * One outbox row.
     *
     * @param id        row id
     * @param orderId   order id
     * @param recipient admin contact address
     * @param state     PENDING or SENT
     * @param attempts  sending attempts so far
     * @param lastError last SMTP failure, or null
     * @param certificateId the certificate the email carries, or null (then the order's newest)
     */
    public record Delivery(long id, String orderId, String recipient, String state, int attempts, String lastError, String certificateId,
                           String kind, Integer reminderDays) {

        /** @return whether this is a renewal reminder ({@link #REMINDER}), not a certificate email */
        public boolean reminder() {
            return REMINDER.equals(kind);
        }
    }

    /** {@code delivery.kind} of the certificate email (the default). */
    public static final String CERTIFICATE = "CERTIFICATE";
    /** {@code delivery.kind} of a renewal reminder (issue 13 §3; V21). */
    public static final String REMINDER = "RENEWAL_REMINDER";

    private static Delivery row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Delivery(rs.getLong("id"), rs.getString("order_id"), rs.getString("recipient"), rs.getString("state"), rs.getInt("attempts"),
            rs.getString("last_error"), rs.getString("certificate_id"), rs.getString("kind"), (Integer) rs.getObject("reminder_days", Integer.class));
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ObjectMapper json;
    private final HubInstance instance;

    /**
     * @param jdbc     template on the hub database
     * @param clock    time source
     * @param json     Jackson mapper (contacts)
     * @param instance this hub instance: claims name it, and a dead instance's claims are free
     */
    public DeliveryQueue(JdbcTemplate jdbc, Clock clock, ObjectMapper json, HubInstance instance) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.json = json;
        this.instance = instance;
    }

    /**
     * Queues an email of the order's certificate to its admin contact (joins the caller's transaction).
     *
     * @param orderId a COMPLETED (or completing) order
     * @return the new row id
     * @throws HubProblem 409 INVALID_STATE when the order has no admin email
     */
    public long queue(String orderId) {
        String newest = jdbc.query("select id from certificate where order_id = ? order by received_at desc, id desc fetch first 1 rows only",
            (rs, i) -> rs.getString(1), orderId).stream().findFirst().orElse(null);
        return queue(orderId, newest, false);
    }

    /**
     * Queues an email of one certificate of the order to its admin contact (joins the caller's
     * transaction). The delivery that announces a newly stored certificate ({@code issuance}: the
     * first issuance or a reissue, issue 13 §2) is recorded as that certificate's own
     * ({@code delivery.issued_certificate_id}, unique): a certificate is queued for delivery at most
     * once, so the transaction of a second attempt fails with a duplicate key and changes nothing.
     *
     * @param orderId       a COMPLETED (or completing) order
     * @param certificateId the certificate the email carries (null: the order's newest when sent)
     * @param issuance      whether this is the announcement of a newly stored certificate (not a resend)
     * @return the new row id
     * @throws HubProblem 409 INVALID_STATE when the order has no admin email
     * @throws org.springframework.dao.DuplicateKeyException when the certificate's issuance delivery exists already
     */
    public long queue(String orderId, String certificateId, boolean issuance) {
        String recipient = adminEmail(orderId);
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("insert into delivery(order_id, recipient, state, attempts, next_at, created_at, certificate_id, issued_certificate_id)"
                + " values (?, ?, 'PENDING', 0, ?, ?, ?, ?)",
            orderId, recipient, now, now, certificateId, issuance ? certificateId : null);
        return jdbc.queryForObject("select max(id) from delivery where order_id = ?", Long.class, orderId);
    }

    /** @return the order's admin contact email; @throws HubProblem 409 INVALID_STATE when it has none */
    private String adminEmail(String orderId) {
        String contacts = jdbc.queryForObject("select contacts from orders where id = ?", String.class, orderId);
        String recipient;
        try {
            JsonNode admin = json.readTree(contacts).path("admin");
            recipient = admin.path("email").asText(null);
        } catch (Exception e) {
            recipient = null;
        }
        if (recipient == null || recipient.isBlank()) {
            throw new HubProblem(409, "INVALID_STATE", "contacts.admin.email", "order " + orderId + " has no admin contact email");
        }
        return recipient;
    }

    /**
     * Queues a renewal reminder email to the order's admin contact (issue 13 §3; joins the caller's
     * transaction): {@code kind} {@link #REMINDER}, no attachments, sent by the same sweep, retries
     * and Message-ID rules as a certificate email.
     *
     * @param orderId       the COMPLETED order whose term ends
     * @param certificateId the order's ACTIVE certificate (the one that ends with the term)
     * @param days          the interval reached (days before the end of the term)
     * @return the new row id
     * @throws HubProblem 409 INVALID_STATE when the order has no admin email
     */
    public long queueReminder(String orderId, String certificateId, int days) {
        String recipient = adminEmail(orderId);
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("insert into delivery(order_id, recipient, state, attempts, next_at, created_at, certificate_id, kind, reminder_days)"
            + " values (?, ?, 'PENDING', 0, ?, ?, ?, ?, ?)", orderId, recipient, now, now, certificateId, REMINDER, days);
        return jdbc.queryForObject("select max(id) from delivery where order_id = ? and kind = ?", Long.class, orderId, REMINDER);
    }

    /**
     * @param limit most rows
     * @return ids of PENDING rows due now (or claimed by a dead instance), oldest first
     */
    public List<Long> due(int limit) {
        return jdbc.queryForList("select id from delivery where state = 'PENDING' and (next_at <= ? or "
            + HubInstance.claimantDead("delivery.claimed_by") + ") order by next_at limit ?", Long.class,
            Timestamp.from(clock.instant()), instance.deadBefore(), limit);
    }

    /**
     * @param id row id
     * @return the row
     */
    public Optional<Delivery> find(long id) {
        return jdbc.query("select * from delivery where id = ?", (rs, i) -> row(rs), id).stream().findFirst();
    }

    /**
     * @param orderId order id
     * @return its latest certificate email (renewal reminders are not the order's delivery), if any
     */
    public Optional<Delivery> latest(String orderId) {
        return jdbc.query("select * from delivery where order_id = ? and kind = 'CERTIFICATE' order by id desc limit 1", (rs, i) -> row(rs),
            orderId).stream().findFirst();
    }

    /**
     * Claims a PENDING row for one sending attempt in this instance's name: pushes its due time
     * by {@code lease} so another sweep does not take it meanwhile. A row claimed by an instance
     * that stopped beating ({@code hub.cluster.claim-takeover}) is taken at once.
     *
     * @param id    row id
     * @param lease how long the attempt may take
     * @return whether it was PENDING and due (or its claimant dead)
     */
    public boolean claim(long id, Duration lease) {
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.update("update delivery set next_at = ?, claimed_by = ? where id = ? and state = 'PENDING' and (next_at <= ? or "
                + HubInstance.claimantDead("delivery.claimed_by") + ")",
            Timestamp.from(clock.instant().plus(lease)), instance.id(), id, now, instance.deadBefore()) == 1;
    }

    /** Marks a row sent. @param id row id */
    public void sent(long id) {
        jdbc.update("update delivery set state = 'SENT', attempts = attempts + 1, last_error = null, sent_at = ? where id = ? and state = 'PENDING'",
            Timestamp.from(clock.instant()), id);
    }

    /**
     * Records a failed attempt and when to try again.
     *
     * @param id    row id
     * @param error what failed
     * @param wait  delay before the next attempt
     */
    public void failed(long id, String error, Duration wait) {
        jdbc.update("update delivery set attempts = attempts + 1, last_error = ?, next_at = ?, claimed_by = null where id = ? and state = 'PENDING'",
            error == null ? null : error.substring(0, Math.min(error.length(), 1900)), Timestamp.from(clock.instant().plus(wait)), id);
    }
}
