package io.certhub.term;

import io.certhub.order.OrderService;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The hub's view of an order's paid term (issue 13 §2), read from its certificates (table
 * {@code certificate}): the term starts at the notBefore of the order's first certificate and lasts
 * {@code period × 365} days ({@link ValidityCaps#termEnd}); the ACTIVE certificate's successor is due
 * at its renewal point ({@link ValidityCaps#renewalPoint}) unless it reaches the term's end.
 *
 * <p>{@link #checkOverdue()} (route {@code reissue-overdue-check}, Quartz, clustered: one instance
 * per fire) records the warning {@value #REISSUE_OVERDUE} (field {@value #FIELD}) once on a COMPLETED
 * order whose ACTIVE certificate passed its renewal point by {@code hub.lifecycle.reissue-grace}
 * while the term goes on past it, i.e. the vendor did not reissue; the warning is cleared when the
 * successor is stored ({@link #reissued}). Each check is timed by {@value LifecycleScans#TIMER} (tag
 * {@code scan=reissue-overdue}); the warnings it added are counted by
 * {@value LifecycleScans#REISSUES_OVERDUE}.
 */
@Service
public class TermService {

    /** Warning code of a reissue the vendor has not delivered in time. */
    public static final String REISSUE_OVERDUE = "REISSUE_OVERDUE";
    /** The warning's field (dotted path of the order's JSON). */
    public static final String FIELD = "term.nextReissueAt";
    /**
     * Warning code of a coming reissue that needs fresh domain validation: the reuse period of the
     * last validation (BR §4.2.1, ballot SC-081v3; {@code hub.lifecycle.dcv-reuse}) ends before the
     * reissue is due, so the vendor validates the names again (an approval email, or the DNS record
     * or HTTP file checked again) before it issues.
     */
    public static final String DCV_REVALIDATION_DUE = "DCV_REVALIDATION_DUE";

    private static final Logger LOG = LoggerFactory.getLogger(TermService.class);

    /**
     * An order's term.
     *
     * @param paidUntil          end of the paid term (null: no certificate yet)
     * @param certificatesIssued certificates stored for the order
     * @param nextReissueAt      renewal point of the ACTIVE certificate when the term goes on past it, else null
     * @param activeNotBefore    notBefore of the ACTIVE certificate (null: none)
     * @param activeNotAfter     notAfter of the ACTIVE certificate (null: none)
     * @param lastDcv            when the order's names were last validated, as the chain shows
     *                           ({@link ValidityCaps#lastDcv}; null: no certificate)
     * @param nextReissueNeedsDcv whether the next reissue needs fresh domain validation (the reuse
     *                           period of {@code lastDcv} ends before {@code nextReissueAt}); null when
     *                           there is no next reissue
     * @param renewalInfo        the CA's ACME Renewal Information of the ACTIVE certificate (RFC 9773), null when the
     *                           hub has none (not an ACME certificate, or not asked yet)
     */
    public record Term(Instant paidUntil, int certificatesIssued, Instant nextReissueAt, Instant activeNotBefore, Instant activeNotAfter,
                       Instant lastDcv, Boolean nextReissueNeedsDcv, RenewalInfo renewalInfo) { }

    /**
     * The CA's ACME Renewal Information of a certificate (RFC 9773 §4.2), as last read by
     * {@code io.certhub.issuer.acme.RenewalInfoScan}.
     *
     * @param windowStart the suggested window's start
     * @param windowEnd   its end
     * @param renewAt     the moment the hub picked in it (the term's next reissue)
     * @param explanation the CA's explanation URL (null: none)
     * @param checkedAt   when the CA was last asked
     */
    public record RenewalInfo(Instant windowStart, Instant windowEnd, Instant renewAt, String explanation, Instant checkedAt) { }

    /**
     * A certificate's renewal point: the moment picked in the CA's ACME renewal window when the CA
     * gave one (RFC 9773: the CA's word beats the hub's rule), else {@link ValidityCaps#renewalPoint}.
     *
     * @param notBefore  the certificate's notBefore
     * @param notAfter   its notAfter
     * @param ariRenewAt the moment picked in its ACME renewal window, or null
     * @return when its successor is due
     */
    Instant renewalPoint(Instant notBefore, Instant notAfter, Instant ariRenewAt) {
        return ariRenewAt != null ? ariRenewAt : caps.renewalPoint(notBefore, notAfter);
    }

    private final JdbcTemplate jdbc;
    private final ValidityCaps caps;
    private final LifecycleProperties props;
    private final OrderService orders;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final MeterRegistry meters;

    /**
     * @param jdbc   template on the hub database
     * @param caps   the cap and renewal rule
     * @param props  {@code hub.lifecycle.*} (reissue grace)
     * @param orders order lifecycle (warnings and history)
     * @param clock  the hub's clock
     * @param tx     transactions (the check of one certificate and its warning)
     * @param meters the check's timer and counter ({@link LifecycleScans})
     */
    public TermService(JdbcTemplate jdbc, ValidityCaps caps, LifecycleProperties props, OrderService orders, Clock clock,
                       TransactionTemplate tx, MeterRegistry meters) {
        this.tx = tx;
        this.meters = meters;
        this.jdbc = jdbc;
        this.caps = caps;
        this.props = props;
        this.orders = orders;
        this.clock = clock;
    }

    /**
     * @param orderId an order
     * @param period  its {@code period} in years
     * @return its term (zero certificates and nulls when none is stored)
     */
    public Term term(String orderId, int period) {
        List<Instant> issues = issues(orderId);
        int n = issues.size();
        if (n == 0) {
            return new Term(null, 0, null, null, null, null, null, null);
        }
        Instant paidUntil = ValidityCaps.termEnd(issues.get(0), period);
        Instant dcv = caps.lastDcv(issues);
        List<Object[]> active = jdbc.query("select not_before, not_after, ari_window_start, ari_window_end, ari_renew_at, ari_explanation,"
                + " ari_checked_at from certificate where order_id = ? and state = 'ACTIVE' order by not_before desc, id desc fetch first 1 rows only",
            (rs, i) -> new Object[] {rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant(), instant(rs.getTimestamp(3)),
                instant(rs.getTimestamp(4)), instant(rs.getTimestamp(5)), rs.getString(6), instant(rs.getTimestamp(7))}, orderId);
        if (active.isEmpty()) {
            return new Term(paidUntil, n, null, null, null, dcv, null, null);
        }
        Object[] a = active.get(0);
        Instant nb = (Instant) a[0];
        Instant na = (Instant) a[1];
        RenewalInfo ari = a[2] == null ? null : new RenewalInfo((Instant) a[2], (Instant) a[3], (Instant) a[4], (String) a[5], (Instant) a[6]);
        Instant next = na.isBefore(paidUntil) ? renewalPoint(nb, na, ari == null ? null : ari.renewAt()) : null;
        return new Term(paidUntil, n, next, nb, na, dcv, next == null ? null : caps.needsFreshDcv(dcv, next), ari);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** @return the notBefore of every certificate of the order, oldest first */
    private List<Instant> issues(String orderId) {
        return jdbc.query("select not_before from certificate where order_id = ? order by not_before", (rs, i) -> rs.getTimestamp(1).toInstant(),
            orderId);
    }

    /**
     * @param orderId an order with at least one certificate
     * @param period  its period in years
     * @return the end of its paid term, or empty when it has no certificate
     */
    public Optional<Instant> paidUntil(String orderId, int period) {
        Timestamp first = jdbc.queryForObject("select min(not_before) from certificate where order_id = ?", Timestamp.class, orderId);
        return first == null ? Optional.empty() : Optional.of(ValidityCaps.termEnd(first.toInstant(), period));
    }

    /**
     * How many certificates the term will have (the stored ones plus the planned successors of the
     * newest), for the history entry "certificate reissued (n of m)".
     *
     * @param productType the order's product
     * @param t           the term after the newest certificate was stored
     * @return m
     */
    public int plannedTotal(String productType, Term t) {
        if (t.activeNotBefore() == null || t.paidUntil() == null) {
            return t.certificatesIssued();
        }
        return caps.plannedTotal(productType, new ValidityCaps.Window(t.activeNotBefore(), t.activeNotAfter()), t.certificatesIssued(),
            t.paidUntil());
    }

    /**
     * Clears {@value #REISSUE_OVERDUE} of an order whose successor certificate was just stored (joins the
     * storing transaction, so the warning goes with the predecessor's ACTIVE state).
     *
     * @param orderId the order
     * @param serial  the new certificate's serial (hex), named in the history entry
     */
    public void reissued(String orderId, String serial) {
        orders.reconcileWarnings(orderId, REISSUE_OVERDUE, Map.of(), Map.of(FIELD, "certificate " + serial + " reissued"), "system");
        orders.reconcileWarnings(orderId, DCV_REVALIDATION_DUE, Map.of(), Map.of(FIELD, "certificate " + serial + " reissued"), "system");
    }

    /**
     * The overdue-reissue check (route {@code reissue-overdue-check}): for each COMPLETED order's
     * ACTIVE certificate whose renewal point plus {@code hub.lifecycle.reissue-grace} has passed and
     * whose notAfter is before the term's end (the vendor owes a successor), records the warning
     * {@value #REISSUE_OVERDUE} with one history entry; a repeated check finds it there and adds
     * nothing. Reads only the ACTIVE certificates that can be overdue (notAfter by now +
     * {@code renewal-days-before} − grace: the renewal point is never earlier than notAfter −
     * renewal-days-before), in pages of {@value #PAGE} with their terms' start, so its memory does not
     * grow with the inventory. Timed by
     * {@value LifecycleScans#TIMER} (tag {@code scan=reissue-overdue}).
     *
     * @return how many orders got the warning now
     */
    public int checkOverdue() {
        return LifecycleScans.timed(meters, LifecycleScans.REISSUE_OVERDUE_SCAN, LifecycleScans.REISSUES_OVERDUE, this::checkOverdueNow);
    }

    /**
     * An ACTIVE certificate the overdue check looks at, with its order's term and the details of the order's
     * {@value #REISSUE_OVERDUE} and {@value #DCV_REVALIDATION_DUE} warnings already recorded (null when none): a check
     * that would record the same detail again skips the transaction and the row lock.
     */
    private record Row(String id, String orderId, String productType, int period, Instant firstNotBefore, Instant notBefore,
                       Instant notAfter, String serial, String dcvMethod, String approverEmail, String overdueWarning,
                       String dcvWarning, Instant ariRenewAt) { }

    /** Certificates read per query by the overdue check: it holds one page in memory, whatever the inventory's size. */
    static final int PAGE = 500;

    private int checkOverdueNow() {
        Instant now = clock.instant();
        // a certificate can be overdue only once its renewal point plus the grace has passed; the renewal point is never
        // before notAfter - renewal-days-before, so only certificates ending by now + renewal-days-before - grace qualify
        // ... and a reissue needs a DCV warning only once its renewal point is within dcv-warning-days, so certificates
        // ending by now + renewal-days-before + dcv-warning-days
        Duration ahead = Duration.ofDays(props.getRenewalDaysBefore());
        Instant overdueBy = now.plus(ahead).minus(props.getReissueGrace());
        Instant dcvBy = now.plus(ahead).plus(Duration.ofDays(props.getDcvWarningDays()));
        Timestamp endsBy = Timestamp.from(overdueBy.isAfter(dcvBy) ? overdueBy : dcvBy);
        // a renewal point the CA set by ACME Renewal Information may be earlier than the rule's: due within dcv-warning-days
        Timestamp ariBy = Timestamp.from(now.plus(Duration.ofDays(props.getDcvWarningDays())));
        int flagged = 0;
        String after = null;
        while (true) {
            List<Row> rows = page(endsBy, ariBy, after);
            for (Row r : rows) {
                if (flagIfOverdue(r, now)) {
                    flagged++;
                }
                warnIfDcvDue(r, now);
            }
            if (rows.size() < PAGE) {
                return flagged;
            }
            after = rows.get(rows.size() - 1).id();
        }
    }

    /**
     * One page (keyset on the certificate id) of the ACTIVE certificates of COMPLETED orders ending by
     * {@code endsBy} or whose ACME renewal point is by {@code ariBy}.
     */
    private List<Row> page(Timestamp endsBy, Timestamp ariBy, String after) {
        String sql = "select c.id, c.order_id, o.product_type, o.period, c.not_before, c.not_after, c.serial_hex, o.dcv_method, o.approver_email,"
            + " c.ari_renew_at,"
            + " (select min(f.not_before) from certificate f where f.order_id = c.order_id) as first_nb,"
            + " (select w.detail from order_warning w where w.order_id = c.order_id and w.code = '" + REISSUE_OVERDUE + "'"
            + " and w.field = '" + FIELD + "') as overdue_warning,"
            + " (select w.detail from order_warning w where w.order_id = c.order_id and w.code = '" + DCV_REVALIDATION_DUE + "'"
            + " and w.field = '" + FIELD + "') as dcv_warning"
            + " from certificate c join orders o on o.id = c.order_id where c.state = 'ACTIVE' and o.state = 'COMPLETED'"
            + " and (c.not_after <= ? or c.ari_renew_at <= ?)" + (after == null ? "" : " and c.id > ?") + " order by c.id limit ?";
        Object[] args = after == null ? new Object[] {endsBy, ariBy, PAGE} : new Object[] {endsBy, ariBy, after, PAGE};
        return jdbc.query(sql, (rs, i) -> new Row(rs.getString("id"), rs.getString("order_id"), rs.getString("product_type"),
            rs.getInt("period"), rs.getTimestamp("first_nb").toInstant(), rs.getTimestamp("not_before").toInstant(),
            rs.getTimestamp("not_after").toInstant(), rs.getString("serial_hex"), rs.getString("dcv_method"), rs.getString("approver_email"),
            rs.getString("overdue_warning"), rs.getString("dcv_warning"), instant(rs.getTimestamp("ari_renew_at"))),
            args);
    }

    /**
     * Records {@value #DCV_REVALIDATION_DUE} on the certificate's order once its successor is due
     * within {@code hub.lifecycle.dcv-warning-days} (or already due) and needs fresh domain validation
     * ({@link ValidityCaps#needsFreshDcv} from the chain's {@link ValidityCaps#lastDcv}); a repeated
     * check adds nothing, the successor's storing clears it ({@link #reissued}).
     */
    private void warnIfDcvDue(Row r, Instant now) {
        Instant paidUntil = ValidityCaps.termEnd(r.firstNotBefore(), r.period());
        if (!r.notAfter().isBefore(paidUntil) || !now.isBefore(paidUntil)) {
            return;                                        // no successor: the term ends with this certificate
        }
        Instant due = renewalPoint(r.notBefore(), r.notAfter(), r.ariRenewAt());
        if (due.isAfter(now.plus(Duration.ofDays(props.getDcvWarningDays())))) {
            return;
        }
        Instant dcv = caps.lastDcv(issues(r.orderId()));
        if (!caps.needsFreshDcv(dcv, due)) {
            return;
        }
        String what = switch (r.dcvMethod() == null ? "" : r.dcvMethod()) {
            case "dns" -> "keep the order's DNS record in place (GET /api/v1/orders/" + r.orderId() + ": dcv) so the vendor can check it again";
            case "http" -> "keep the order's validation file in place (GET /api/v1/orders/" + r.orderId() + ": dcv) so the vendor can fetch it again";
            default -> "the approver " + (r.approverEmail() == null ? "" : r.approverEmail() + " ") + "will get the vendor's approval email"
                + " again and must approve it";
        };
        String detail = "the reissue of certificate " + r.serial() + " due at " + due + " needs fresh domain validation: the names were"
            + " last validated at " + dcv + " and that may be reused only " + caps.dcvReuseDays(due).orElse(0) + " days for a certificate"
            + " issued then (CA/B Forum BR 4.2.1, ballot SC-081v3); " + what;
        if (detail.equals(r.dcvWarning())) {
            return;                                        // recorded by an earlier check: no transaction, no row lock
        }
        try {
            tx.executeWithoutResult(s -> {
                if (!jdbc.queryForList("select id from certificate where id = ? and state = 'ACTIVE' for update", String.class, r.id()).isEmpty()
                        && orders.reconcileWarnings(r.orderId(), DCV_REVALIDATION_DUE, Map.of(FIELD, detail), Map.of(), "system") > 0) {
                    LOG.info("order {}: {}", r.orderId(), detail);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("order {}: DCV revalidation warning not recorded this time: {}", r.orderId(), e.toString());
        }
    }

    /** Records {@value #REISSUE_OVERDUE} on the certificate's order when its reissue is overdue; @return whether it was added now */
    private boolean flagIfOverdue(Row r, Instant now) {
        Instant paidUntil = ValidityCaps.termEnd(r.firstNotBefore(), r.period());
        if (!r.notAfter().isBefore(paidUntil) || !now.isBefore(paidUntil)) {
            return false;
        }
        Instant due = renewalPoint(r.notBefore(), r.notAfter(), r.ariRenewAt());
        if (now.isBefore(due.plus(props.getReissueGrace()))) {
            return false;
        }
        String detail = "the vendor has not reissued certificate " + r.serial() + " (valid until " + r.notAfter()
            + "): its successor was due at " + due + " and the term is paid until " + paidUntil;
        if (detail.equals(r.overdueWarning())) {
            return false;                                  // recorded by an earlier check: no transaction, no row lock
        }
        // under the certificate's row lock, still ACTIVE: a reissue committing meanwhile (which supersedes it and
        // clears the warning in its transaction) either waits for this one or is seen here
        Integer added;
        try {
            added = tx.execute(s -> jdbc.queryForList("select id from certificate where id = ? and state = 'ACTIVE' for update",
                    String.class, r.id()).isEmpty() ? 0
                : orders.reconcileWarnings(r.orderId(), REISSUE_OVERDUE, Map.of(FIELD, detail), Map.of(), "system"));
        } catch (RuntimeException e) {
            // a race with another writer of the order (its warning or certificate): the next check sees the outcome
            LOG.warn("order {}: overdue-reissue check not recorded this time: {}", r.orderId(), e.toString());
            return false;
        }
        if (added != null && added > 0) {
            LOG.warn("order {}: {}", r.orderId(), detail);
            return true;
        }
        return false;
    }
}
