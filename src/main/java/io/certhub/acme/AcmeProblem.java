package io.certhub.acme;

/**
 * An ACME error (RFC 8555 §6.7): answered as {@code application/problem+json} with the type
 * {@code urn:ietf:params:acme:error:<type>}, the HTTP status and a detail, and a fresh
 * {@code Replay-Nonce} (a client retries a {@code badNonce} with it).
 */
public class AcmeProblem extends RuntimeException {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final int status;
    private final String type;
    private long retryAfter;

    /**
     * @param status the HTTP status, e.g. 400
     * @param type   the error type's last part, e.g. {@code badNonce}, {@code unauthorized}
     * @param detail what is wrong, for the client's user
     */
    public AcmeProblem(int status, String type, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
    }

    /**
     * @param seconds the {@code Retry-After} the answer carries (RFC 8555 §6.6, a {@code rateLimited} problem)
     * @return this problem
     */
    public AcmeProblem retryAfter(long seconds) {
        this.retryAfter = seconds;
        return this;
    }

    /** @return the {@code Retry-After} in seconds, 0 for none */
    public long retryAfter() {
        return retryAfter;
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** Prefix of every RFC 8555 error type (§6.7). */
    public static final String URN = "urn:ietf:params:acme:error:";

    /** @return the full type URN, e.g. {@code urn:ietf:params:acme:error:badNonce} */
    public String type() {
        return URN + type;
    }

    /**
     * The problem document, the one form the ACME server and the request guard answer it in.
     *
     * @return {@code {"type": <urn>, "detail": <text>, "status": <int>}}, JSON-escaped
     */
    public String toJson() {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("type", type());
        body.put("detail", getMessage());
        body.put("status", status);
        try {
            return JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
