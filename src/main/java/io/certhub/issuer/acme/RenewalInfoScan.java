package io.certhub.issuer.acme;

import io.certhub.issuer.VendorException;
import io.certhub.order.OrderService;
import io.certhub.pki.Certificates;
import io.certhub.term.LifecycleScans;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads the ACME Renewal Information (RFC 9773) of every ACTIVE certificate issued through the
 * {@code acme} vendor adapter and keeps it on the certificate row ({@code ari_*}, Flyway V28), run by
 * the route {@code acme-renewal-info}:
 * <ul>
 *   <li>a certificate is read when due ({@code ari_next_check_at}, null at first): then again after
 *       the CA's Retry-After, at least {@code hub.vendor.acme.renewal-info-min-interval} and at most
 *       {@code renewal-info-max-interval} later (RFC 9773 §4.3.3); a CA whose directory has no
 *       {@code renewalInfo} is asked again after the max interval;</li>
 *   <li>the hub picks one moment in the suggested window, uniformly at random (RFC 9773 §4.2: many
 *       clients renewing at once is what the window prevents), now when the window has begun, never
 *       after the certificate's notAfter, and keeps it while the CA keeps the window; it is the
 *       term's next reissue ({@code TermService.Term#nextReissueAt}) and the overdue check's
 *       renewal point;</li>
 *   <li>a new or changed window is noted in the order's history (with the CA's explanation URL, e.g.
 *       of an incident that moves renewals forward);</li>
 *   <li>a CA that fails to answer leaves the row as it was, asked again after the min interval.</li>
 * </ul>
 * Pages of {@value #PAGE} certificates (keyset on the id), so memory does not grow with the inventory.
 * Timed by {@value LifecycleScans#TIMER} (tag {@code scan=acme-renewal-info}); counter
 * {@value #READ} counts the windows stored.
 */
@Component("acmeRenewalInfo")
public class RenewalInfoScan {

    /** Tag of the scan's timer. */
    public static final String SCAN = "acme-renewal-info";
    /** Counter of the renewal windows read and stored. */
    public static final String READ = "certhub.acme.renewal.info.read";
    static final int PAGE = 200;

    private static final Logger LOG = LoggerFactory.getLogger(RenewalInfoScan.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;
    private final AcmeAdapter acme;
    private final AcmeProperties props;
    private final OrderService orders;
    private final Clock clock;
    private final MeterRegistry meters;

    /**
     * @param jdbc   the hub database ({@code certificate}, {@code acme_order})
     * @param acme   the ACME adapter that reads the CA's renewal information
     * @param props  {@code hub.vendor.acme.*} (the read intervals)
     * @param orders order history (a new window is noted)
     * @param clock  the hub's clock
     * @param meters the scan's timer and counter
     */
    public RenewalInfoScan(JdbcTemplate jdbc, AcmeAdapter acme, AcmeProperties props, OrderService orders, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.acme = acme;
        this.props = props;
        this.orders = orders;
        this.clock = clock;
        this.meters = meters;
    }

    /** A certificate due a read, with the window stored now (nulls: none). */
    record Row(String id, String orderId, String leafPem, Instant notAfter, Instant windowStart, Instant windowEnd, Instant renewAt) { }

    /**
     * Reads the renewal information of every certificate due a read.
     *
     * @return how many windows were read and stored
     */
    public int sweep() {
        return LifecycleScans.timed(meters, SCAN, READ, this::sweepNow);
    }

    private int sweepNow() {
        Instant now = clock.instant();
        int read = 0;
        String after = null;
        while (true) {
            List<Row> rows = page(now, after);
            for (Row r : rows) {
                if (read(r, now)) {
                    read++;
                }
            }
            if (rows.size() < PAGE) {
                return read;
            }
            after = rows.get(rows.size() - 1).id();
        }
    }

    private List<Row> page(Instant now, String after) {
        Timestamp t = Timestamp.from(now);
        String sql = "select c.id, c.order_id, c.leaf_pem, c.not_after, c.ari_window_start, c.ari_window_end, c.ari_renew_at from certificate c"
            + " where c.state = 'ACTIVE' and c.not_after > ? and (c.ari_next_check_at is null or c.ari_next_check_at <= ?)"
            // only orders placed at the ACME CA (a semi-join from acme_order: the rest of the inventory is not walked)
            + " and c.order_id in (select a.order_id from acme_order a)" + (after == null ? "" : " and c.id > ?")
            + " order by c.id limit ?";
        Object[] args = after == null ? new Object[] {t, t, PAGE} : new Object[] {t, t, after, PAGE};
        return jdbc.query(sql, (rs, i) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
            instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7))), args);
    }

    /** @return whether a window was read and stored */
    private boolean read(Row r, Instant now) {
        Optional<AcmeAdapter.RenewalWindow> window;
        try {
            List<X509Certificate> leaf = Certificates.parsePem(r.leafPem());
            if (leaf.isEmpty()) {
                throw new IllegalArgumentException("the stored certificate holds no PEM certificate");
            }
            window = acme.renewalInfo(r.orderId(), leaf.get(0));
        } catch (VendorException | IllegalArgumentException e) {
            LOG.warn("order {}: ACME renewal information of certificate {} not read ({}); asked again in {}", r.orderId(), r.id(),
                e.getMessage(), props.getRenewalInfoMinInterval());
            jdbc.update("update certificate set ari_next_check_at = ? where id = ?", Timestamp.from(now.plus(props.getRenewalInfoMinInterval())),
                r.id());
            return false;
        }
        if (window.isEmpty()) {
            jdbc.update("update certificate set ari_checked_at = ?, ari_next_check_at = ? where id = ?", Timestamp.from(now),
                Timestamp.from(now.plus(props.getRenewalInfoMaxInterval())), r.id());
            return false;
        }
        AcmeAdapter.RenewalWindow w = window.get();
        boolean same = Objects.equals(w.start(), r.windowStart()) && Objects.equals(w.end(), r.windowEnd()) && r.renewAt() != null;
        Instant renewAt = same ? r.renewAt() : pick(w.start(), w.end(), now, r.notAfter(), RANDOM.nextDouble());
        Instant next = nextRead(w.retryAfter(), now, props.getRenewalInfoMinInterval(), props.getRenewalInfoMaxInterval());
        int updated = jdbc.update("update certificate set ari_window_start = ?, ari_window_end = ?, ari_renew_at = ?, ari_explanation = ?,"
                + " ari_checked_at = ?, ari_next_check_at = ? where id = ? and state = 'ACTIVE'",
            Timestamp.from(w.start()), Timestamp.from(w.end()), Timestamp.from(renewAt), w.explanation(), Timestamp.from(now), Timestamp.from(next),
            r.id());
        if (updated == 1 && !same) {
            orders.note(r.orderId(), "vendor", "ACME renewal information of certificate " + r.id() + ": the CA suggests renewing between "
                + w.start() + " and " + w.end() + "; the next reissue is due at " + renewAt
                + (w.explanation() == null ? "" : " (the CA explains: " + w.explanation() + ")"));
            LOG.info("order {}: ACME renewal window {} .. {} for certificate {}; reissue due at {}", r.orderId(), w.start(), w.end(), r.id(), renewAt);
        }
        return updated == 1;
    }

    /**
     * The moment to renew in a suggested window (RFC 9773 §4.2).
     *
     * @param start    the window's start
     * @param end      its end
     * @param now      now
     * @param notAfter the certificate's notAfter (never later)
     * @param fraction a uniform random number in [0, 1)
     * @return {@code max(start, now) + fraction × (end − max(start, now))}, now when the window has
     *         passed, never after {@code notAfter}
     */
    static Instant pick(Instant start, Instant end, Instant now, Instant notAfter, double fraction) {
        Instant from = start.isAfter(now) ? start : now;
        Instant at = end.isAfter(from) ? from.plusMillis((long) (fraction * Duration.between(from, end).toMillis())) : now;
        return at.isAfter(notAfter) ? notAfter : at;
    }

    /**
     * @param retryAfter the CA's Retry-After, or null
     * @param now        now
     * @param min        least time until the next read
     * @param max        most time until the next read
     * @return when to read again: the Retry-After, kept within {@code [now + min, now + max]} (max without one)
     */
    static Instant nextRead(Instant retryAfter, Instant now, Duration min, Duration max) {
        Instant at = retryAfter == null ? now.plus(max) : retryAfter;
        if (at.isBefore(now.plus(min))) {
            return now.plus(min);
        }
        return at.isAfter(now.plus(max)) ? now.plus(max) : at;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
