package io.certhub.sandbox;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.stereotype.Component;

/**
 * Faults the sandbox vendor injects into its protocol endpoint ({@code POST /sandbox/opensrs}),
 * set by the operator with {@code POST /sandbox/faults} (shared/CONTRACT.md "Sandbox"), so the
 * hub's handling of an unreliable vendor can be exercised.
 *
 * <p>Either the next {@code count} protocol calls fail, or, with a {@code rate} in 0..1, every
 * following call fails with that probability until the kind {@code none} is set. Kept in memory:
 * a restart clears it. Thread-safe.
 */
@Component("sandboxFaults")
public class SandboxFaults {

    /** What a faulty call does. */
    public enum Kind {
        /** HTTP 503 with a small HTML body; the request is not processed. */
        HTTP_503("http-503"),
        /**
         * The request is processed (its state change happens) but the reply is held back by
         * {@code hub.sandbox.fault-timeout-delay}, so the caller times out not knowing the outcome.
         */
        TIMEOUT("timeout"),
        /** HTTP 200 with {@code is_success=0}, {@code response_code 200}; the request is not processed. */
        IS_SUCCESS_0("is-success-0"),
        /**
         * HTTP 200 with {@code is_success=0}, {@code response_code 465} ("Invalid request", a
         * validation refusal that no retry cures); the request is not processed.
         */
        INVALID("invalid"),
        /** No fault. */
        NONE("none");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        /** @return the name used in the faults request, e.g. {@code http-503} */
        public String wire() {
            return wire;
        }

        /**
         * @param text a kind as sent, e.g. {@code http-503} (case ignored)
         * @return the kind
         * @throws IllegalArgumentException for an unknown kind
         */
        public static Kind parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (Kind k : values()) {
                if (k.wire.equals(t)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("kind must be one of http-503, timeout, is-success-0, invalid, none; was '" + text + "'");
        }
    }

    private Kind kind = Kind.NONE;
    private int remaining;
    private Double rate;
    /** Only calls of this OPS action fail (lower case, e.g. {@code sw_register}); null for every call. */
    private String action;
    private Integer retryAfterSeconds;

    /**
     * @param seconds the {@code Retry-After} (delay-seconds) an {@code http-503} answer carries, or
     *                null for none (kept until set again)
     */
    public synchronized void retryAfter(Integer seconds) {
        this.retryAfterSeconds = seconds;
    }

    /** @return the {@code Retry-After} seconds of an {@code http-503} answer, or null */
    public synchronized Integer retryAfter() {
        return retryAfterSeconds;
    }

    /**
     * Sets the fault plan, replacing the previous one.
     *
     * @param kind  the fault; {@link Kind#NONE} clears
     * @param count how many of the next calls fail (≥ 0), or null
     * @param rate  probability 0..1 that each following call fails, or null; when both are null
     *              one call fails
     * @throws IllegalArgumentException if {@code count} is negative or {@code rate} outside 0..1
     */
    public synchronized void set(Kind kind, Integer count, Double rate) {
        set(kind, count, rate, null);
    }

    /**
     * Sets the fault plan for the calls of one OPS action only (other calls pass and do not count).
     *
     * @param kind   the fault; {@link Kind#NONE} clears
     * @param count  how many of the next matching calls fail (≥ 0), or null
     * @param rate   probability 0..1 that each following matching call fails, or null
     * @param action the OPS action, e.g. {@code sw_register} (case ignored); null for every call
     * @throws IllegalArgumentException if {@code count} is negative or {@code rate} outside 0..1
     */
    public synchronized void set(Kind kind, Integer count, Double rate, String action) {
        this.action = action == null || action.isBlank() ? null : action.trim().toLowerCase(Locale.ROOT);
        setPlan(kind, count, rate);
    }

    private void setPlan(Kind kind, Integer count, Double rate) {
        if (count != null && count < 0) {
            throw new IllegalArgumentException("count must be 0 or more");
        }
        if (rate != null && (rate.isNaN() || rate < 0 || rate > 1)) {
            throw new IllegalArgumentException("rate must be between 0 and 1");
        }
        if (kind == Kind.NONE) {
            this.kind = Kind.NONE;
            this.remaining = 0;
            this.rate = null;
            return;
        }
        this.kind = kind;
        this.rate = count == null ? rate : null;
        this.remaining = count != null ? count : (rate == null ? 1 : 0);
    }

    /**
     * Takes the fault for one protocol call (counting it down).
     *
     * @return the fault to apply to this call, {@link Kind#NONE} for none
     */
    public synchronized Kind next() {
        return next(null);
    }

    /**
     * Takes the fault for one protocol call of the given action (counting it down when it matches
     * the plan's action).
     *
     * @param callAction the call's OPS action (any case), or null when unknown
     * @return the fault to apply to this call, {@link Kind#NONE} for none
     */
    public synchronized Kind next(String callAction) {
        if (kind == Kind.NONE) {
            return Kind.NONE;
        }
        if (action != null && (callAction == null || !action.equals(callAction.toLowerCase(Locale.ROOT)))) {
            return Kind.NONE;
        }
        if (rate != null) {
            return ThreadLocalRandom.current().nextDouble() < rate ? kind : Kind.NONE;
        }
        if (remaining > 0) {
            Kind k = kind;
            if (--remaining == 0) {
                kind = Kind.NONE;
            }
            return k;
        }
        return Kind.NONE;
    }

    /** @return the current plan: {@code {kind, remaining}} or {@code {kind, rate}} */
    public synchronized Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.wire());
        if (rate != null) {
            m.put("rate", rate);
        } else {
            m.put("remaining", remaining);
        }
        if (action != null) {
            m.put("action", action);
        }
        return m;
    }
}
