package io.certhub.issuer.opensrs;

/**
 * A message that does not follow the OPS envelope protocol of the OpenSRS API: XML that does
 * not parse, a document without {@code OPS_envelope/body/data_block}, an element or item the
 * OPS data types ({@code dt_assoc}, {@code dt_array}, scalar text) do not allow, DTD entity
 * declarations, or a reply whose {@code is_success}/{@code response_code} are missing or not
 * numbers.
 *
 * <p>Unchecked: a protocol fault is not something the caller can repair by retrying the same
 * bytes. The message says what was wrong (and where, for XML syntax errors) but never quotes
 * more than a short excerpt of the offending data.
 *
 * <p>Source: /work/shared/reference/opensrs-trust-api.md, "Envelope" (summarising the OpenSRS
 * API guide, domains.opensrs.guide).
 */
public class OpsProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the message, in plain words
     */
    public OpsProtocolException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with the message, in plain words
     * @param cause   the parser or conversion error behind it
     */
    public OpsProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
