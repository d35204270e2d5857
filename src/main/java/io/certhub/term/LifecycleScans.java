package io.certhub.term;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.IntSupplier;

/**
 * The Micrometer meters of the lifecycle scans (issue 13 §2, §3), for operators (actuator
 * {@code /actuator/metrics}, Prometheus) and the benchmark's W4: how long the renewal-reminder sweep
 * ({@link RenewalReminders#sweep}) and the overdue-reissue check ({@link TermService#checkOverdue})
 * take on the inventory, and what they did.
 */
public final class LifecycleScans {

    /** Timer of one scan, from the start of the bean method to its end, tagged {@code scan}. */
    public static final String TIMER = "certhub.lifecycle.scan";
    /** Value of the tag {@code scan} of the renewal-reminder sweep (route {@code renewal-reminders}). */
    public static final String RENEWAL_REMINDERS = "renewal-reminders";
    /** Value of the tag {@code scan} of the overdue-reissue check (route {@code reissue-overdue-check}). */
    public static final String REISSUE_OVERDUE_SCAN = "reissue-overdue";
    /** Counter of the renewal reminders queued (email in the delivery outbox and webhook event). */
    public static final String REMINDERS_QUEUED = "certhub.lifecycle.reminders.queued";
    /** Counter of the {@code REISSUE_OVERDUE} warnings added to orders. */
    public static final String REISSUES_OVERDUE = "certhub.lifecycle.reissues.overdue";

    private LifecycleScans() { }

    /**
     * @param meters the registry
     * @param scan   {@link #RENEWAL_REMINDERS} or {@link #REISSUE_OVERDUE_SCAN}
     * @return the timer of that scan
     */
    public static Timer timer(MeterRegistry meters, String scan) {
        return Timer.builder(TIMER).description("Duration of one lifecycle scan (renewal reminders, overdue reissues)")
            .tag("scan", scan).register(meters);
    }

    /**
     * Runs one scan, timed by {@value #TIMER} with the tag {@code scan}, and adds what it did to a
     * counter. The timer records a scan that throws too; the counter then is not touched.
     *
     * @param meters  the registry
     * @param scan    {@link #RENEWAL_REMINDERS} or {@link #REISSUE_OVERDUE_SCAN}
     * @param counter {@link #REMINDERS_QUEUED} or {@link #REISSUES_OVERDUE}
     * @param work    the scan; returns how many items it acted on (reminders queued, warnings added)
     * @return what {@code work} returned
     */
    public static int timed(MeterRegistry meters, String scan, String counter, IntSupplier work) {
        Timer.Sample sample = Timer.start(meters);
        try {
            int done = work.getAsInt();
            meters.counter(counter).increment(done);
            return done;
        } finally {
            sample.stop(timer(meters, scan));
        }
    }
}
