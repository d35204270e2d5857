package io.certhub.issuer;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads an HTTP {@code Retry-After} field (RFC 9110 §10.2.3): either a number of seconds
 * ({@code delay-seconds}) or an HTTP-date (IMF-fixdate, RFC 9110 §5.6.7, e.g.
 * {@code Sun, 06 Dec 2026 20:10:00 GMT}).
 */
public final class RetryAfter {

    /** Longest wait honoured: a vendor asking for more is waited on this long, then asked again. */
    public static final Duration MAX = Duration.ofHours(1);

    private RetryAfter() { }

    /**
     * @param value the field's value, or null
     * @param now   the time the answer was received (an HTTP-date is relative to it)
     * @return the wait, at least zero and at most {@link #MAX}; null when the value is missing or
     *         neither form
     */
    public static Duration parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        Duration d;
        if (v.chars().allMatch(Character::isDigit)) {
            d = v.length() > 9 ? MAX : Duration.ofSeconds(Long.parseLong(v));
        } else {
            try {
                d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(MAX) > 0 ? MAX : d;
    }
}
