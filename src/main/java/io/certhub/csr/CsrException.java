package io.certhub.csr;

import java.util.Objects;

/**
 * A CSR that the hub refuses, with a stable machine-readable {@link #code()} and a human-readable
 * {@link #detail()} meant to be shown to the reseller (for example as the body of an HTTP 422
 * answer or in a failed-file report).
 *
 * <p>Codes:
 * <ul>
 *   <li>{@link #CSR_UNPARSEABLE}: no PEM block, a PEM block of another type, bad base64, truncated
 *       or garbled DER, a structure that is not a PKCS#10 CertificationRequest (RFC 2986 §4), or a
 *       SAN dNSName that is not a valid host name (RFC 5280 §4.2.1.6);</li>
 *   <li>{@link #CSR_SIGNATURE_INVALID}: the self-signature does not verify with the CSR's own
 *       public key (RFC 2986 §3, proof of possession), or it uses an algorithm that cannot be
 *       verified;</li>
 *   <li>{@link #CSR_WEAK_KEY}: the key is not acceptable under CA/B Forum BR 6.1.5/6.1.6: RSA below
 *       2048 bits, EC on a curve other than P-256/P-384, another key algorithm, an invalid EC
 *       point or RSA exponent, or an RSA key beyond what can be verified safely (16384 bits).</li>
 * </ul>
 *
 * <p>The message of the exception is {@code code + ": " + detail}. Details never contain the CSR
 * text itself.
 */
public class CsrException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The text holds no readable PKCS#10 CSR (RFC 7468 PEM, RFC 2986 DER). */
    public static final String CSR_UNPARSEABLE = "CSR_UNPARSEABLE";

    /** The CSR's self-signature does not verify (RFC 2986 §3). */
    public static final String CSR_SIGNATURE_INVALID = "CSR_SIGNATURE_INVALID";

    /** The CSR's public key is not acceptable (CA/B Forum BR 6.1.5, 6.1.6). */
    public static final String CSR_WEAK_KEY = "CSR_WEAK_KEY";

    /** The machine-readable code. */
    private final String code;

    /** The human-readable explanation. */
    private final String detail;

    /**
     * @param code   one of {@link #CSR_UNPARSEABLE}, {@link #CSR_SIGNATURE_INVALID},
     *               {@link #CSR_WEAK_KEY}
     * @param detail what is wrong, in words a reseller can act on
     */
    public CsrException(String code, String detail) {
        this(code, detail, null);
    }

    /**
     * @param code   one of the codes above
     * @param detail what is wrong, in words a reseller can act on
     * @param cause  the underlying exception, may be {@code null}
     */
    public CsrException(String code, String detail, Throwable cause) {
        super(Objects.requireNonNull(code, "code") + ": " + Objects.requireNonNull(detail, "detail"), cause);
        this.code = code;
        this.detail = detail;
    }

    /**
     * @return the machine-readable error code, one of {@link #CSR_UNPARSEABLE},
     *         {@link #CSR_SIGNATURE_INVALID}, {@link #CSR_WEAK_KEY}
     */
    public String code() {
        return code;
    }

    /** @return the human-readable explanation, never {@code null} */
    public String detail() {
        return detail;
    }
}
