package io.certhub.term;

import io.certhub.order.DeliveryQueue;
import io.certhub.order.OrderService;
import io.certhub.webhook.HubEvent;
import io.certhub.webhook.WebhookEventType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Renewal reminders (issue 13 §3): before the paid term of a COMPLETED order ends, its admin
 * contact is emailed ("ends in N days: renew it") and the account's webhooks get
 * {@code certificate.expiring}, at each of {@code hub.lifecycle.reminder-days} (default 30, 7, 1
 * days before the end; the practice of Lemur, {@code ../shared/reference/lifecycle-and-acme.md}).
 *
 * <p>The end of the term is {@link TermService#paidUntil}; a certificate that ends before it is
 * followed by the vendor's reissue (issue 13 §2), so only the certificate that ends with the term
 * (its notAfter within a day of the end) gets reminders. Never twice: one {@code renewal_reminder}
 * row per (certificate, interval), unique; when several intervals are due at one sweep (the hub was
 * down) only the shortest is sent and the longer ones are recorded SKIPPED. Suppressed while a
 * renewal of the order ({@link OrderService#renew}) is PENDING, IN_PROGRESS or COMPLETED (a renewal
 * cancelled or declined lets the reminders resume). Each reminder is one transaction: its record,
 * the email in the delivery outbox ({@link DeliveryQueue#queueReminder}, kind RENEWAL_REMINDER), the
 * webhook event and a history entry. Run by the route {@code renewal-reminders} on a clustered
 * Quartz schedule ({@code hub.lifecycle.reminder-cron}): one instance per fire; the unique record
 * settles a race anyway.
 *
 * <p>Metrics: each sweep is timed by {@value LifecycleScans#TIMER} (tag {@code scan=renewal-reminders}),
 * and the reminders it queued are counted by {@value LifecycleScans#REMINDERS_QUEUED}.
 */
@Component("renewalReminders")
public class RenewalReminders {

    private static final Logger LOG = LoggerFactory.getLogger(RenewalReminders.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final TermService terms;
    private final LifecycleProperties props;
    private final DeliveryQueue deliveries;
    private final OrderService orders;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final MeterRegistry meters;

    /**
     * @param jdbc       hub database (certificates, orders, {@code renewal_reminder})
     * @param tx         one transaction per reminder
     * @param terms      the end of an order's paid term
     * @param props      {@code hub.lifecycle.reminder-days}
     * @param deliveries the delivery outbox (the reminder email)
     * @param orders     history notes
     * @param events     webhook event {@code certificate.expiring}
     * @param clock      time source
     * @param meters     the scan's timer and counter ({@link LifecycleScans})
     */
    public RenewalReminders(JdbcTemplate jdbc, TransactionTemplate tx, TermService terms, LifecycleProperties props, DeliveryQueue deliveries,
                            OrderService orders, ApplicationEventPublisher events, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.terms = terms;
        this.props = props;
        this.deliveries = deliveries;
        this.orders = orders;
        this.events = events;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * The interval a term is in: the shortest configured interval not shorter than what is left.
     *
     * @param left     time until the end of the term (positive)
     * @param days     the configured intervals in days
     * @return that interval in days, or null when the end is further away than every interval
     */
    static Integer dueInterval(Duration left, List<Integer> days) {
        Integer due = null;
        for (Integer d : days) {
            if (left.compareTo(Duration.ofDays(d)) <= 0 && (due == null || d < due)) {
                due = d;
            }
        }
        return due;
    }

    /**
     * Sends the reminders that are due now, timed by {@value LifecycleScans#TIMER} (tag
     * {@code scan=renewal-reminders}).
     *
     * @return how many reminders were queued
     */
    public int sweep() {
        Timer.Sample sample = Timer.start(meters);
        try {
            int sent = sweepNow();
            meters.counter(LifecycleScans.REMINDERS_QUEUED).increment(sent);
            return sent;
        } finally {
            sample.stop(LifecycleScans.timer(meters, LifecycleScans.RENEWAL_REMINDERS));
        }
    }

    private int sweepNow() {
        Instant now = clock.instant();
        List<Integer> days = props.getReminderDays();
        int longest = days.stream().mapToInt(Integer::intValue).max().orElse(0);
        List<Map<String, Object>> candidates = jdbc.queryForList("select c.id as certificate_id, c.order_id, c.not_after, o.period, o.account_id"
            + " from certificate c join orders o on o.id = c.order_id where c.state = 'ACTIVE' and o.state = 'COMPLETED'"
            + " and c.not_after > ? and c.not_after <= ? order by c.not_after",
            Timestamp.from(now), Timestamp.from(now.plus(Duration.ofDays(longest)).plus(Duration.ofDays(1))));
        int sent = 0;
        for (Map<String, Object> c : candidates) {
            String certificateId = (String) c.get("certificate_id");
            String orderId = (String) c.get("order_id");
            Instant notAfter = instant(c.get("not_after"));
            Instant end = terms.paidUntil(orderId, ((Number) c.get("period")).intValue()).orElse(notAfter);
            if (end.isAfter(notAfter.plus(Duration.ofDays(1)))) {
                continue;                                    // the vendor reissues within the term: not its last certificate
            }
            if (!now.isBefore(end)) {
                continue;
            }
            Integer due = dueInterval(Duration.between(now, end), days);
            if (due == null || liveRenewal(orderId)) {
                continue;
            }
            try {
                if (Boolean.TRUE.equals(tx.execute(s -> remind(certificateId, orderId, (String) c.get("account_id"), notAfter, end, due, days, now)))) {
                    sent++;
                }
            } catch (DuplicateKeyException raced) {
                // another sweep recorded this reminder at the same time: its record stands
            } catch (RuntimeException e) {
                LOG.warn("renewal reminder of order {} (certificate {}) not queued: {}", orderId, certificateId, e.toString());
            }
        }
        if (sent > 0) {
            LOG.info("renewal reminders: {} queued", sent);
        }
        return sent;
    }

    /** A timestamp column as read by JDBC: {@link Timestamp} (PostgreSQL) or {@link java.time.OffsetDateTime} (H2). */
    private static Instant instant(Object v) {
        if (v instanceof Timestamp t) {
            return t.toInstant();
        }
        if (v instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        throw new IllegalStateException("not a timestamp: " + v);
    }

    private boolean liveRenewal(String orderId) {
        Long n = jdbc.queryForObject("select count(*) from orders where renewal_of = ? and state in ('PENDING', 'IN_PROGRESS', 'COMPLETED')",
            Long.class, orderId);
        return n != null && n > 0;
    }

    private boolean remind(String certificateId, String orderId, String accountId, Instant notAfter, Instant end, int due, List<Integer> days,
                           Instant now) {
        Long already = jdbc.queryForObject("select count(*) from renewal_reminder where certificate_id = ? and days_before = ?", Long.class,
            certificateId, due);
        if (already != null && already > 0) {
            return false;
        }
        List<Integer> skipped = new ArrayList<>();
        for (Integer d : days) {
            if (d > due && jdbc.queryForObject("select count(*) from renewal_reminder where certificate_id = ? and days_before = ?", Long.class,
                certificateId, d) == 0) {
                skipped.add(d);
            }
        }
        record(certificateId, due, orderId, "SENT", end, now);
        for (Integer d : skipped) {
            record(certificateId, d, orderId, "SKIPPED", end, now);
        }
        deliveries.queueReminder(orderId, certificateId, due);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("certificate", Map.of("id", certificateId, "notAfter", notAfter.toString()));
        data.put("term", Map.of("endsAt", end.toString()));
        data.put("daysBefore", due);
        events.publishEvent(new HubEvent(WebhookEventType.CERTIFICATE_EXPIRING, accountId, orderId, data));
        orders.note(orderId, "system", "renewal reminder: the paid term ends in " + due + " day" + (due == 1 ? "" : "s") + " (" + end
            + "); emailed to the admin contact" + (skipped.isEmpty() ? "" : "; the " + skipped + "-day reminders were passed and are not sent"));
        return true;
    }

    private void record(String certificateId, int days, String orderId, String outcome, Instant end, Instant now) {
        jdbc.update("insert into renewal_reminder(certificate_id, days_before, order_id, outcome, term_ends_at, created_at) values (?, ?, ?, ?, ?, ?)",
            certificateId, days, orderId, outcome, Timestamp.from(end), Timestamp.from(now));
    }
}
