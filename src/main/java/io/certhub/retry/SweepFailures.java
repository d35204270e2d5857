package io.certhub.retry;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The shared error handling of the scheduled sweeps (route configuration {@code sweep-errors} in
 * {@code routes/errors.camel.yaml}; issue 14 §3): the timer and Quartz routes that look for due
 * work in the database — submission, status poll, admin delivery, webhooks, reminders, overdue
 * reissues, revocation recovery. Their work is durable (rows in the database with their next
 * attempt), so a run that fails (database unreachable, a bug) loses nothing: the next run finds the
 * same work. What a failed run must do is be seen once, not drown the log: one WARN line naming
 * the route and the cause (no stack trace per tick; DEBUG has it) and the counter
 * {@value #METER}{@code {route}} for alerting.
 */
@Component("sweepFailures")
public class SweepFailures {

    /** Micrometer counter of failed sweep runs, tagged {@code route} (the route id): {@value}. */
    public static final String METER = "certhub.sweep.failures";

    private static final Logger LOG = LoggerFactory.getLogger(SweepFailures.class);

    private final MeterRegistry meters;

    /** @param meters the hub's meter registry */
    public SweepFailures(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * Records a failed run of a sweep: the exception the run was stopped by
     * ({@link Exchange#EXCEPTION_CAUGHT}), logged and counted.
     *
     * @param exchange the sweep's exchange, handled by the route configuration
     */
    public void failed(Exchange exchange) {
        String route = exchange.getFromRouteId() == null ? "unknown" : exchange.getFromRouteId();
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        meters.counter(METER, "route", route).increment();
        LOG.warn("sweep {} failed this run ({}); its work stays in the database for the next run", route,
            cause == null ? "no exception" : cause.toString());
        if (cause != null && LOG.isDebugEnabled()) {
            LOG.debug("sweep " + route + " failure", cause);
        }
    }
}
