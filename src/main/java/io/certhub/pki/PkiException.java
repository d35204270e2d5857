package io.certhub.pki;

import java.util.Objects;

/**
 * A certificate-handling failure with a stable, machine-readable code.
 *
 * <p>Codes raised by this module (UPPER_SNAKE, stable, safe to log and to put in a review
 * report or a problem document):
 * <ul>
 *   <li>{@code LEAF_MISSING}: {@link ChainBuilder#build} found no end-entity certificate
 *       (no input, or only CA certificates);</li>
 *   <li>{@code AMBIGUOUS_LEAF}: {@link ChainBuilder#build} found several end-entity
 *       certificates, none issuing the other;</li>
 *   <li>{@code ZIP_LIMIT}: {@code io.certhub.mailbox.CertificateExtractor} met a ZIP bundle
 *       beyond its limits (entries, expanded size per entry or in all);</li>
 *   <li>{@code CERT_ENCODING}: a certificate could not be encoded (PEM or PKCS#7 output).</li>
 * </ul>
 *
 * <p>The message is the human-readable detail; it never contains key material.
 */
public class PkiException extends RuntimeException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** No end-entity certificate among the given ones. */
    public static final String LEAF_MISSING = "LEAF_MISSING";
    /** Several unrelated end-entity certificates among the given ones. */
    public static final String AMBIGUOUS_LEAF = "AMBIGUOUS_LEAF";
    /** A ZIP bundle exceeds the extraction limits. */
    public static final String ZIP_LIMIT = "ZIP_LIMIT";
    /** A certificate or PKCS#7 structure could not be encoded. */
    public static final String CERT_ENCODING = "CERT_ENCODING";

    /** The stable code. */
    private final String code;

    /**
     * Creates the exception.
     *
     * @param code   the stable code, e.g. {@link #LEAF_MISSING}; never null
     * @param detail the human-readable detail (becomes the message)
     */
    public PkiException(String code, String detail) {
        super(detail);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * Creates the exception with its cause.
     *
     * @param code   the stable code; never null
     * @param detail the human-readable detail (becomes the message)
     * @param cause  the underlying failure
     */
    public PkiException(String code, String detail, Throwable cause) {
        super(detail, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * The stable code.
     *
     * @return the code, e.g. {@code ZIP_LIMIT}
     */
    public String code() {
        return code;
    }

    /**
     * The human-readable detail (same as {@link #getMessage()}).
     *
     * @return the detail
     */
    public String detail() {
        return getMessage();
    }
}
