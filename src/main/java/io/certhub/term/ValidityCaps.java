package io.certhub.term;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.springframework.stereotype.Component;

/**
 * The rules of a multi-year term (issue 13 §2), shared by the hub and the sandbox vendor:
 *
 * <ul>
 *   <li><b>Term</b>: an order of {@code period} years is paid until {@code start + period × 365 days}
 *       ({@link #termEnd}), where {@code start} is the notBefore of the order's first certificate.
 *       A year is 365 days of 86,400 s, leap years included: a 2-year term starting 2026-12-07
 *       ends 2028-12-06 (2028-02-29 lies inside it), one day before the calendar anniversary.
 *       OpenSRS counts a term in days too (a 1-year purchase: 199 days, then the remaining 166).</li>
 *   <li><b>Cap</b>: a certificate issued at instant {@code t} is valid at most the cap in force on
 *       {@code t}'s UTC date ({@link #maxDays}: the last cap whose {@code from} ≤ that date, from
 *       the product's own list when it has one, else {@code hub.lifecycle.validity-caps}; none
 *       before the first date), and never past the term's end ({@link #validity}).</li>
 *   <li><b>Renewal point</b>: the successor of a certificate is due at
 *       {@code max(notAfter − renewal-days-before, notBefore + (notAfter − notBefore) / 2)}
 *       ({@link #renewalPoint}), i.e. 30 days before it ends but never before half its life.</li>
 *   <li>A certificate whose notAfter reaches the term's end has no successor.</li>
 * </ul>
 * With the BR defaults, a 2-year term whose first certificate is issued on 2026-12-07 is 9
 * certificates: 200 days (to 2027-06-25), then — all issued after 2027-03-15 — seven of 100 days
 * each renewed 70 days after issue, and a last one of 70 days ending at the term's end
 * ({@link #plan}; {@code ValidityCapsTest}).
 */
@Component
public class ValidityCaps {

    /** Seconds of one day as the caps count them. */
    public static final Duration DAY = Duration.ofDays(1);
    /** Days of one paid year. */
    public static final int DAYS_PER_YEAR = 365;
    /** Most certificates {@link #plan} lists (a guard against a configuration of 1-day caps over years). */
    public static final int MAX_PLAN = 1000;

    private final LifecycleProperties props;

    /** @param props {@code hub.lifecycle.*} */
    public ValidityCaps(LifecycleProperties props) {
        this.props = props;
    }

    /**
     * One certificate of a term, planned or issued.
     *
     * @param notBefore start of validity (the issue instant)
     * @param notAfter  end of validity
     */
    public record Window(Instant notBefore, Instant notAfter) { }

    /**
     * @param start        notBefore of the term's first certificate
     * @param periodYears  the order's {@code period}, ≥ 1
     * @return {@code start + periodYears × 365 days}
     */
    public static Instant termEnd(Instant start, int periodYears) {
        return start.plus(DAY.multipliedBy((long) DAYS_PER_YEAR * Math.max(1, periodYears)));
    }

    /**
     * @param productType OpenSRS {@code product_type} (may be null: the general list)
     * @param issuedAt    issue instant
     * @return the cap in days in force on the UTC date of {@code issuedAt}, or empty before the first cap's date
     */
    public OptionalInt maxDays(String productType, Instant issuedAt) {
        Map<String, List<LifecycleProperties.Cap>> perProduct = props.getProductCaps();
        List<LifecycleProperties.Cap> caps = productType != null && perProduct != null && perProduct.containsKey(productType)
            ? perProduct.get(productType) : props.getValidityCaps();
        return inForce(caps, issuedAt);
    }

    /** The {@code maxDays} of the last entry whose {@code from} ≤ the UTC date of {@code at}, or empty before the first. */
    private static OptionalInt inForce(List<LifecycleProperties.Cap> caps, Instant at) {
        LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
        return caps.stream().filter(c -> !c.getFrom().isAfter(day)).max(Comparator.comparing(LifecycleProperties.Cap::getFrom))
            .map(c -> OptionalInt.of(c.getMaxDays())).orElse(OptionalInt.empty());
    }

    /**
     * @param issuedAt issue instant of a certificate
     * @return the days for which domain validation data may be reused for it ({@code hub.lifecycle.dcv-reuse},
     *         BR §4.2.1 as amended by ballot SC-081v3), or empty (no limit) before the first date
     */
    public OptionalInt dcvReuseDays(Instant issuedAt) {
        return inForce(props.getDcvReuse(), issuedAt);
    }

    /**
     * Whether a certificate issued at {@code issueAt} needs fresh domain validation: the last
     * validation, at {@code lastDcv}, is older than the reuse period in force on {@code issueAt}.
     *
     * @param lastDcv when the names were last validated
     * @param issueAt when the certificate is (to be) issued
     * @return true when {@code issueAt > lastDcv + dcvReuseDays(issueAt)}
     */
    public boolean needsFreshDcv(Instant lastDcv, Instant issueAt) {
        OptionalInt days = dcvReuseDays(issueAt);
        return days.isPresent() && issueAt.isAfter(lastDcv.plus(DAY.multipliedBy(days.getAsInt())));
    }

    /**
     * When the names of a chain were last validated, as far as the chain shows: the first certificate's
     * issue validated them; each later certificate whose issue fell past the reuse period of the
     * validation before it needed, and so had, a fresh one at its issue ({@link #needsFreshDcv}).
     * A vendor may validate more often (the estimate is then early, so a warning comes early, never late).
     *
     * @param issues the notBefore of every certificate of the chain, oldest first (not empty)
     * @return the instant of the last domain validation
     * @throws IllegalArgumentException when {@code issues} is empty
     */
    public Instant lastDcv(List<Instant> issues) {
        if (issues.isEmpty()) {
            throw new IllegalArgumentException("a chain has at least one certificate");
        }
        Instant dcv = issues.get(0);
        for (Instant at : issues.subList(1, issues.size())) {
            if (needsFreshDcv(dcv, at)) {
                dcv = at;
            }
        }
        return dcv;
    }

    /**
     * @param productType OpenSRS {@code product_type}
     * @param issuedAt    issue instant
     * @param termEnd     end of the paid term
     * @return the validity of a certificate issued then: {@code min(cap, termEnd − issuedAt)}; zero or
     *         negative when the term is over
     */
    public Duration validity(String productType, Instant issuedAt, Instant termEnd) {
        Duration remaining = Duration.between(issuedAt, termEnd);
        OptionalInt cap = maxDays(productType, issuedAt);
        if (cap.isEmpty()) {
            return remaining;
        }
        Duration capped = DAY.multipliedBy(cap.getAsInt());
        return capped.compareTo(remaining) < 0 ? capped : remaining;
    }

    /**
     * @param notBefore start of a certificate's validity
     * @param notAfter  its end
     * @return when its successor is due: {@code max(notAfter − renewal-days-before, notBefore + life / 2)}
     */
    public Instant renewalPoint(Instant notBefore, Instant notAfter) {
        Instant before = notAfter.minus(DAY.multipliedBy(props.getRenewalDaysBefore()));
        Instant half = notBefore.plus(Duration.between(notBefore, notAfter).dividedBy(2));
        return before.isAfter(half) ? before : half;
    }

    /**
     * The certificates of a term from {@code issuedAt} on, each issued at its predecessor's renewal point.
     *
     * @param productType OpenSRS {@code product_type}
     * @param issuedAt    issue instant of the first certificate planned
     * @param termEnd     end of the paid term
     * @return the windows in order (empty when the term is over at {@code issuedAt}); at most {@link #MAX_PLAN}
     */
    public List<Window> plan(String productType, Instant issuedAt, Instant termEnd) {
        List<Window> out = new ArrayList<>();
        Instant t = issuedAt;
        while (out.size() < MAX_PLAN) {
            Duration v = validity(productType, t, termEnd);
            if (v.isZero() || v.isNegative()) {
                break;
            }
            Instant end = t.plus(v);
            out.add(new Window(t, end));
            if (!end.isBefore(termEnd)) {
                break;
            }
            t = renewalPoint(t, end);
        }
        return out;
    }

    /**
     * @param productType OpenSRS {@code product_type}
     * @param latest      the newest certificate issued so far
     * @param issued      how many certificates were issued so far (the newest included)
     * @param termEnd     end of the paid term
     * @return how many certificates the term will have: {@code issued} plus the planned successors of {@code latest}
     */
    public int plannedTotal(String productType, Window latest, int issued, Instant termEnd) {
        if (!latest.notAfter().isBefore(termEnd)) {
            return issued;
        }
        return issued + plan(productType, renewalPoint(latest.notBefore(), latest.notAfter()), termEnd).size();
    }
}
