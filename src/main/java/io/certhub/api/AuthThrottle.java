package io.certhub.api;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Throttles failed API-key checks per client address (issue 16, Low): a token bucket per address
 * of {@code hub.api.auth-failure-burst} tokens, refilled at {@code hub.api.auth-failures-per-minute};
 * each failed check (no, unknown or revoked key) takes a token; an address with an empty bucket
 * is answered 429 {@code TOO_MANY_AUTH_FAILURES} with {@code Retry-After} (seconds until its next
 * token) before its key is even looked at, so guessing costs the hub nothing. Successful checks
 * cost nothing. Buckets live in a bounded Guava cache ({@code hub.api.auth-failure-addresses},
 * dropped 10 minutes after the last failure). Failures are logged once per address and
 * {@code hub.api.auth-failure-log-window} (the count since the last line) and counted in the
 * metric {@code certhub.api.auth.failures} (tag {@code outcome}: {@code rejected} for a 401,
 * {@code throttled} for a 429).
 */
@Component
public class AuthThrottle {

    private static final Logger LOG = LoggerFactory.getLogger(AuthThrottle.class);

    private final ApiProperties props;
    private final MeterRegistry meters;
    private final Cache<String, Bucket> buckets;

    /**
     * @param props  {@code hub.api.*}
     * @param meters metrics
     */
    public AuthThrottle(ApiProperties props, MeterRegistry meters) {
        this.props = props;
        this.meters = meters;
        this.buckets = CacheBuilder.newBuilder().maximumSize(props.getAuthFailureAddresses())
            .expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    /**
     * @param address the client address
     * @return 0 when the address may try a key now, else the seconds until it may (for {@code Retry-After}, at least 1)
     */
    public long retryAfterSeconds(String address) {
        Bucket b = buckets.getIfPresent(address);
        if (b == null) {
            return 0;
        }
        long waitNanos = b.waitNanos(System.nanoTime());
        if (waitNanos > 0) {
            meters.counter("certhub.api.auth.failures", "outcome", "throttled").increment();
            b.noteFailure(address, System.nanoTime(), true);
            return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        }
        return 0;
    }

    /**
     * Records a failed key check of an address (takes a token, logs once per window, counts).
     *
     * @param address the client address
     * @param reason  what failed (logged), e.g. {@code unknown or revoked key}
     */
    public void failed(String address, String reason) {
        meters.counter("certhub.api.auth.failures", "outcome", "rejected").increment();
        Bucket b;
        try {
            b = buckets.get(address, () -> new Bucket(props.getAuthFailureBurst(), props.getAuthFailuresPerMinute()));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        long now = System.nanoTime();
        b.take(now);
        b.lastReason = reason;
        b.noteFailure(address, now, false);
    }

    /** One address: tokens (fractional, refilled continuously) and its log window. */
    private final class Bucket {
        private final double capacity;
        private final double perNano;
        private double tokens;
        private long refilledAt;
        private long windowStart;
        private long inWindow;
        private boolean logged;
        private volatile String lastReason = "unknown key";

        Bucket(int burst, int perMinute) {
            this.capacity = Math.max(1, burst);
            this.perNano = Math.max(1, perMinute) / 60e9;
            this.tokens = capacity;
            this.refilledAt = System.nanoTime();
            this.windowStart = refilledAt;
        }

        private void refill(long now) {
            tokens = Math.min(capacity, tokens + (now - refilledAt) * perNano);
            refilledAt = now;
        }

        synchronized void take(long now) {
            refill(now);
            tokens = Math.max(0, tokens - 1);
        }

        synchronized long waitNanos(long now) {
            refill(now);
            return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
        }

        synchronized void noteFailure(String address, long now, boolean throttled) {
            long window = props.getAuthFailureLogWindow().toNanos();
            long unlogged = 0;
            if (now - windowStart >= window) {
                unlogged = logged ? inWindow - 1 : 0;
                windowStart = now;
                inWindow = 0;
                logged = false;
            }
            inWindow++;
            if (!logged) {
                logged = true;
                LOG.warn("failed API key check from client {} ({}{}); {} more in the window before; the next line for this client comes"
                    + " after {} at the earliest", address, lastReason, throttled ? ", throttled: 429" : "", unlogged,
                    props.getAuthFailureLogWindow());
            }
        }
    }
}
