package io.certhub.dcv;

import java.time.Duration;
import java.util.Optional;

/**
 * A WHOIS or RDAP lookup that gave no answer about the domain.
 *
 * <p>{@link #isTemporary() Temporary} failures (a throttling answer such as "limit exceeded", an
 * empty WHOIS reply, HTTP 429 or 5xx, a time-out or a refused connection) mean "ask again later",
 * never "no such domain"; {@link #getRetryAfter()} carries the server's {@code Retry-After} when it
 * gave one (RFC 9110 §10.2.3). Permanent failures (an unparseable answer, HTTP 400/403, a missing
 * bootstrap entry) will not heal by retrying the same query.
 *
 * <p>{@link ApproverDiscovery} never lets this escape: it falls back to the constructed
 * addresses, and caches neither kind of failure's cause as an answer when temporary.
 */
public class DcvLookupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Whether retrying later may succeed. */
    private final boolean temporary;
    /** The server's Retry-After, or {@code null}. */
    private final Duration retryAfter;

    /**
     * Creates the exception.
     *
     * @param message    what failed, naming the server and the domain
     * @param temporary  whether retrying later may succeed
     * @param retryAfter the server's Retry-After, or {@code null} when it gave none
     * @param cause      the underlying exception, or {@code null}
     */
    public DcvLookupException(String message, boolean temporary, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.temporary = temporary;
        this.retryAfter = retryAfter;
    }

    /**
     * A temporary failure: retry later.
     *
     * @param message    what failed
     * @param retryAfter the server's Retry-After, or {@code null}
     * @param cause      the underlying exception, or {@code null}
     * @return the exception
     */
    public static DcvLookupException temporary(String message, Duration retryAfter, Throwable cause) {
        return new DcvLookupException(message, true, retryAfter, cause);
    }

    /**
     * A permanent failure: retrying the same query will not help.
     *
     * @param message what failed
     * @param cause   the underlying exception, or {@code null}
     * @return the exception
     */
    public static DcvLookupException permanent(String message, Throwable cause) {
        return new DcvLookupException(message, false, null, cause);
    }

    /** @return whether retrying later may succeed (throttling, empty reply, 429, 5xx, time-out) */
    public boolean isTemporary() {
        return temporary;
    }

    /** @return the delay the server asked for before retrying, when it gave one */
    public Optional<Duration> getRetryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
