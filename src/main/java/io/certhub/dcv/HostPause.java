package io.certhub.dcv;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The look-up servers that asked the hub to wait (issue 11 §3): a WHOIS server's throttle answer
 * ("query limit exceeded", "try again in 30 seconds", an empty reply) or an RDAP server's HTTP 429
 * with its {@code Retry-After} is remembered per host for that long, so look-ups during the pause
 * send that server no query at all. Bounded (10,000 hosts; an entry lives at most
 * {@link #MAX}); per hub instance.
 */
final class HostPause {

    /** A wait asked for with no length (WHOIS servers rarely give one). */
    static final Duration DEFAULT = Duration.ofSeconds(60);
    /** Longest wait honoured. */
    static final Duration MAX = Duration.ofHours(1);
    private static final Pattern WAIT = Pattern.compile(
        "(?:try\\s+again|wait|retry)\\s+(?:in|after|for)?\\s*(\\d{1,6})\\s*(second|sec|s\\b|minute|min|hour|h\\b)", Pattern.CASE_INSENSITIVE);

    private final Cache<String, Long> until = CacheBuilder.newBuilder().maximumSize(10_000)
        .expireAfterWrite(MAX.toMinutes(), TimeUnit.MINUTES).build();
    private final LongSupplier nanos;

    HostPause() {
        this(System::nanoTime);
    }

    /** @param nanos monotonic time source (tests move it) */
    HostPause(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /**
     * @param host server host name
     * @param wait how long it asked to be left alone (null: {@link #DEFAULT}); at most {@link #MAX}
     */
    void pause(String host, Duration wait) {
        Duration d = wait == null || wait.isNegative() ? DEFAULT : wait.compareTo(MAX) > 0 ? MAX : wait;
        until.put(host.toLowerCase(Locale.ROOT), nanos.getAsLong() + d.toNanos());
    }

    /**
     * @param host server host name
     * @return how long the host still asked to be left alone; empty when it may be queried
     */
    Optional<Duration> remaining(String host) {
        Long deadline = until.getIfPresent(host.toLowerCase(Locale.ROOT));
        if (deadline == null) {
            return Optional.empty();
        }
        long left = deadline - nanos.getAsLong();
        if (left <= 0) {
            until.invalidate(host.toLowerCase(Locale.ROOT));
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(left));
    }

    /**
     * @param text a WHOIS throttle answer
     * @return the wait it names ("try again in 30 seconds", "wait 5 minutes"), or null
     */
    static Duration named(String text) {
        Matcher m = WAIT.matcher(text == null ? "" : text);
        if (!m.find()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        return unit.startsWith("h") ? Duration.ofHours(n) : unit.startsWith("m") ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
    }
}
