package io.certhub.issuer;

/**
 * A vendor call that did not succeed, classified by what the hub must do next
 * (vendor issue; shared/reference/opensrs-trust-api.md, "Response codes worth mapping").
 */
public class VendorException extends RuntimeException {

    /** What the failure means for the order. */
    public enum Kind {
        /** Definite refusal (e.g. OpenSRS 435, 440, a validation error): decline, release the hold. */
        REFUSED,
        /** Try again later with backoff (486, 5xx, 7xx, connection failures); the order stays queued. */
        TRANSIENT,
        /** The outcome is unknown (timeout, 705): look the order up before sending anything again. */
        AMBIGUOUS,
        /** Credentials or caller IP refused (400): stop sending, alert, keep the queue. */
        AUTH_FAILED,
        /** The vendor does not know the order. */
        NOT_FOUND
    }

    private final Kind kind;
    private final String code;

    /**
     * @param kind   classification
     * @param code   the vendor's code as text (e.g. {@code "435"}, {@code "HTTP_503"}, {@code "TIMEOUT"})
     * @param detail human detail (the vendor's response text)
     */
    public VendorException(Kind kind, String code, String detail) {
        super(detail);
        this.kind = kind;
        this.code = code;
    }

    /**
     * @param kind   classification
     * @param code   code as text
     * @param detail human detail
     * @param cause  underlying failure
     */
    public VendorException(Kind kind, String code, String detail, Throwable cause) {
        super(detail, cause);
        this.kind = kind;
        this.code = code;
    }

    private java.time.Duration retryAfter;

    /**
     * @param wait how long the vendor asked the caller to wait ({@code Retry-After} of an HTTP
     *             503 or 429, RFC 9110 §10.2.3), or null
     * @return this exception
     */
    public VendorException retryAfter(java.time.Duration wait) {
        this.retryAfter = wait;
        return this;
    }

    /** @return the wait the vendor asked for, or null when it named none */
    public java.time.Duration retryAfter() { return retryAfter; }

    /**
     * The answer to a reseller's request whose vendor call failed like this: 409
     * {@code VENDOR_UNSUPPORTED} (code {@code UNSUPPORTED}: the configured vendor does not offer the
     * action), 409 {@code VENDOR_REFUSED} (a definite refusal or an order the vendor does not know),
     * otherwise 503 {@code VENDOR_UNAVAILABLE} (try again later).
     *
     * @return the problem to answer with
     */
    public io.certhub.problem.HubProblem toProblem() {
        if ("UNSUPPORTED".equals(code)) {
            return new io.certhub.problem.HubProblem(409, "VENDOR_UNSUPPORTED", null, getMessage());
        }
        if (kind == Kind.REFUSED || kind == Kind.NOT_FOUND) {
            return new io.certhub.problem.HubProblem(409, "VENDOR_REFUSED", null, "the vendor refused: " + getMessage());
        }
        return new io.certhub.problem.HubProblem(503, "VENDOR_UNAVAILABLE", null, "the vendor could not be reached; try again later (" + getMessage() + ")");
    }

    /** @return classification */
    public Kind kind() { return kind; }

    /** @return the vendor's code as text */
    public String code() { return code; }
}
