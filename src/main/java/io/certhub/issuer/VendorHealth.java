package io.certhub.issuer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * Whether the vendor answers (issue 11 §3), fed by every vendor call of this hub instance: a
 * call the vendor answered — success or a definite refusal — counts as reachable; a refused
 * connection, a timeout, HTTP 5xx/429 or an unreadable reply counts as a failure.
 *
 * <p>Shown as the {@code vendor} component of {@code /actuator/health}: {@code UP} while the last
 * call was answered, {@code VENDOR_UNAVAILABLE} (a status of its own that the overall health
 * does not take for DOWN: a vendor outage is no reason to restart the hub, whose queue keeps the
 * orders) with {@code consecutiveFailures}, {@code since}, {@code lastError},
 * {@code retryAfterUntil}. Metrics: gauge {@code certhub.vendor.available} (1/0), gauge
 * {@code certhub.vendor.consecutive.failures}. The log says it once when the trouble starts and
 * once when it clears.
 */
@Component("vendorHealthIndicator")
public class VendorHealth implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(VendorHealth.class);
    /** Health status while the vendor does not answer. */
    public static final Status UNAVAILABLE = new Status("VENDOR_UNAVAILABLE", "the vendor does not answer; orders wait in the queue");

    private final Clock clock;
    private int consecutiveFailures;
    private Instant since;
    private String lastError;
    private Instant retryAfterUntil;

    /**
     * @param clock  time source
     * @param meters where the gauges are registered
     */
    public VendorHealth(Clock clock, MeterRegistry meters) {
        this.clock = clock;
        Gauge.builder("certhub.vendor.available", this, h -> h.failures() == 0 ? 1 : 0).register(meters);
        Gauge.builder("certhub.vendor.consecutive.failures", this, VendorHealth::failures).register(meters);
    }

    private synchronized int failures() {
        return consecutiveFailures;
    }

    /** Records a call the vendor answered. */
    public synchronized void success() {
        if (consecutiveFailures > 0) {
            LOG.warn("the vendor answers again after {} failed calls since {}", consecutiveFailures, since);
        }
        consecutiveFailures = 0;
        since = null;
        lastError = null;
        retryAfterUntil = null;
    }

    /**
     * Records a failed call; refusals and unknown orders are answers, not failures.
     *
     * @param e the classified failure
     */
    public synchronized void failure(VendorException e) {
        if (e.kind() == VendorException.Kind.REFUSED || e.kind() == VendorException.Kind.NOT_FOUND) {
            success();
            return;
        }
        Instant now = clock.instant();
        if (consecutiveFailures == 0) {
            since = now;
            LOG.warn("the vendor does not answer ({} {}); orders wait in the queue and are retried with backoff", e.code(), e.getMessage());
        }
        consecutiveFailures++;
        lastError = e.code() + ": " + e.getMessage();
        if (e.retryAfter() != null) {
            retryAfterUntil = now.plus(e.retryAfter());
        }
    }

    /**
     * @return when the vendor's last {@code Retry-After} ends, or null (none, or already over)
     */
    public synchronized Instant retryAfterUntil() {
        return retryAfterUntil == null || retryAfterUntil.isBefore(clock.instant()) ? null : retryAfterUntil;
    }

    @Override
    public synchronized Health health() {
        if (consecutiveFailures == 0) {
            return Health.up().build();
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("consecutiveFailures", consecutiveFailures);
        d.put("since", String.valueOf(since));
        d.put("lastError", lastError);
        d.put("retryAfterUntil", retryAfterUntil() == null ? null : retryAfterUntil().toString());
        return Health.status(UNAVAILABLE).withDetails(d).build();
    }

    /** @return how long the current trouble has lasted (zero when none) */
    public synchronized Duration outage() {
        return since == null ? Duration.ZERO : Duration.between(since, clock.instant());
    }
}
