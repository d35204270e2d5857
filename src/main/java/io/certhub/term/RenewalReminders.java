package io.certhub.term;

import io.certhub.delivery.DeliveryQueue;
import io.certhub.order.OrderService;
import io.certhub.webhook.HubEvent;
import io.certhub.webhook.WebhookEventType;
import io.micrometer.core.instrument.MeterRegistry;
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
 * <p>The end of the term is {@link TermService#paidUntil} (the notBefore of the order's first
 * certificate plus the period, {@link ValidityCaps#termEnd}); a certificate that ends before it is
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
 * <p>The sweep reads the certificates of the reminder window in pages of {@value #PAGE} (keyset on
 * notAfter and id), each page one query that also brings the term's start and whether a renewal is
 * live: its memory does not grow with the inventory, and nothing is queried per certificate before
 * a due reminder's own transaction.
 *
 * <p>Metrics: each sweep is timed by {@value LifecycleScans#TIMER} (tag {@code scan=renewal-reminders}),
 * and the reminders it queued are counted by {@value LifecycleScans#REMINDERS_QUEUED}.
 */
@Component("renewalReminders")
public class RenewalReminders {

    private static final Logger LOG = LoggerFactory.getLogger(RenewalReminders.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final LifecycleProperties props;
    private final DeliveryQueue deliveries;
    private final OrderService orders;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final MeterRegistry meters;

    /**
     * @param jdbc       hub database (certificates, orders, {@code renewal_reminder})
     * @param tx         one transaction per reminder
     * @param props      {@code hub.lifecycle.reminder-days}
     * @param deliveries the delivery outbox (the reminder email)
     * @param orders     history notes
     * @param events     webhook event {@code certificate.expiring}
     * @param clock      time source
     * @param meters     the scan's timer and counter ({@link LifecycleScans})
     */
    public RenewalReminders(JdbcTemplate jdbc, TransactionTemplate tx, LifecycleProperties props, DeliveryQueue deliveries,
                            OrderService orders, ApplicationEventPublisher events, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.tx = tx;
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
        return LifecycleScans.timed(meters, LifecycleScans.RENEWAL_REMINDERS, LifecycleScans.REMINDERS_QUEUED, this::sweepNow);
    }

    /** A certificate in the reminder window, with its term's start and whether a renewal is live. */
    private record Candidate(String certificateId, String orderId, String accountId, int period, Instant notAfter, Instant firstNotBefore,
                             boolean liveRenewal) { }

    private int sweepNow() {
        Instant now = clock.instant();
        List<Integer> days = props.getReminderDays();
        int longest = days.stream().mapToInt(Integer::intValue).max().orElse(0);
        Timestamp from = Timestamp.from(now);
        Timestamp to = Timestamp.from(now.plus(Duration.ofDays(longest)).plus(Duration.ofDays(1)));
        int sent = 0;
        Candidate last = null;
        while (true) {
            List<Candidate> page = page(from, to, last);
            for (Candidate c : page) {
                if (remindIfDue(c, now, days)) {
                    sent++;
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            last = page.get(page.size() - 1);
        }
        if (sent > 0) {
            LOG.info("renewal reminders: {} queued", sent);
        }
        return sent;
    }

    /** Certificates read per query: the sweep holds one page in memory, whatever the inventory's size. */
    static final int PAGE = 500;

    /**
     * One page of the ACTIVE certificates of COMPLETED orders whose notAfter is in {@code (from, to]},
     * in (notAfter, id) order after {@code after}, each with the notBefore of its order's first
     * certificate (the term's start) and whether a renewal of its order is live: one query per page,
     * none per certificate.
     */
    private List<Candidate> page(Timestamp from, Timestamp to, Candidate after) {
        String sql = "select c.id as certificate_id, c.order_id, c.not_after, o.period, o.account_id,"
            + " (select min(f.not_before) from certificate f where f.order_id = c.order_id) as first_nb,"
            + " (select count(*) from orders r where r.renewal_of = c.order_id and r.state in ('PENDING', 'IN_PROGRESS', 'COMPLETED')) as live"
            + " from certificate c join orders o on o.id = c.order_id where c.state = 'ACTIVE' and o.state = 'COMPLETED'"
            + " and c.not_after > ? and c.not_after <= ?";
        List<Object> args = new ArrayList<>(List.of(from, to));
        if (after != null) {
            Timestamp at = Timestamp.from(after.notAfter());
            sql += " and (c.not_after > ? or (c.not_after = ? and c.id > ?))";
            args.addAll(List.of(at, at, after.certificateId()));
        }
        args.add(PAGE);
        return jdbc.query(sql + " order by c.not_after, c.id limit ?", (rs, i) -> new Candidate(rs.getString("certificate_id"),
            rs.getString("order_id"), rs.getString("account_id"), rs.getInt("period"), rs.getTimestamp("not_after").toInstant(),
            rs.getTimestamp("first_nb").toInstant(), rs.getLong("live") > 0), args.toArray());
    }

    /** Queues the reminder of one candidate when one is due now; @return whether it was queued */
    private boolean remindIfDue(Candidate c, Instant now, List<Integer> days) {
        Instant end = ValidityCaps.termEnd(c.firstNotBefore(), c.period());      // TermService#paidUntil, from the same query
        if (end.isAfter(c.notAfter().plus(Duration.ofDays(1)))) {
            return false;                                    // the vendor reissues within the term: not its last certificate
        }
        if (!now.isBefore(end)) {
            return false;
        }
        Integer due = dueInterval(Duration.between(now, end), days);
        if (due == null || c.liveRenewal()) {
            return false;
        }
        try {
            return Boolean.TRUE.equals(tx.execute(s -> remind(c.certificateId(), c.orderId(), c.accountId(), c.notAfter(), end, due, days, now)));
        } catch (DuplicateKeyException raced) {
            // another sweep recorded this reminder at the same time: its record stands
            return false;
        } catch (RuntimeException e) {
            LOG.warn("renewal reminder of order {} (certificate {}) not queued: {}", c.orderId(), c.certificateId(), e.toString());
            return false;
        }
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
