package io.certhub.retry;

import java.time.Duration;

/**
 * The hub's one retry policy (issue 14 §2): exponential backoff, {@code base × 2^attempts}, at most
 * {@code max}, no jitter (the work queues spread retries by their claim order and schedule, and a
 * retry's time is shown to the reseller, e.g. a delivery's {@code nextAttemptAt}). Used by the
 * vendor calls ({@code hub.vendor.opensrs.retry-base}/{@code retry-max}, {@code poll-base}/{@code poll-max}),
 * the admin deliveries ({@code hub.mail.retry-base}/{@code retry-max}), the webhook deliveries
 * ({@code hub.webhooks.retry-base}/{@code retry-max}) and the sandbox's mail outbox (1 s .. 1 min).
 */
public final class Backoff {

    /** Doublings counted at most: beyond 2^20 every sane {@code max} has been reached long before. */
    static final int MAX_DOUBLINGS = 20;

    private Backoff() { }

    /**
     * @param base     the first delay (attempts = 0), not negative
     * @param max      the longest delay
     * @param attempts attempts failed so far (0 = the first failed just now); a negative count counts as 0
     * @return the delay before the next attempt: {@code min(base × 2^attempts, max)}
     * @throws NullPointerException when {@code base} or {@code max} is null
     */
    public static Duration exponential(Duration base, Duration max, int attempts) {
        long factor = 1L << Math.min(Math.max(attempts, 0), MAX_DOUBLINGS);
        Duration d = base.multipliedBy(factor);
        return d.compareTo(max) > 0 ? max : d;
    }
}
