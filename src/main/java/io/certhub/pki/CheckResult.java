package io.certhub.pki;

/**
 * The verdict of {@link CertificateChecker#check}.
 *
 * <p>Codes (stable, UPPER_SNAKE): {@code OK} when accepted; otherwise the first failed check,
 * in the order the checker runs them: {@code KEY_MISMATCH}, {@code NAMES_NOT_COVERED},
 * {@code NOT_VALID_AT_TIME}, {@code CHAIN_UNTRUSTED}.
 *
 * @param accepted whether the certificate passed every check
 * @param code     {@code OK} or the failure code
 * @param detail   a human-readable explanation (fingerprints, missing names, dates, the
 *                 validator's reason); never null
 */
public record CheckResult(boolean accepted, String code, String detail) {

    /** Code of an accepted certificate. */
    public static final String OK = "OK";
    /** The leaf's public key differs from the CSR's. */
    public static final String KEY_MISMATCH = "KEY_MISMATCH";
    /** Some ordered names are not covered by the leaf's names. */
    public static final String NAMES_NOT_COVERED = "NAMES_NOT_COVERED";
    /** The leaf is expired or not yet valid at the checked instant. */
    public static final String NOT_VALID_AT_TIME = "NOT_VALID_AT_TIME";
    /** PKIX path validation to the trusted roots failed. */
    public static final String CHAIN_UNTRUSTED = "CHAIN_UNTRUSTED";

    /**
     * Validates the record: an accepted result has code {@code OK}, a refused one another code.
     *
     * @param accepted whether accepted
     * @param code     the code, not null
     * @param detail   the detail; null becomes empty
     */
    public CheckResult {
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("code is required");
        }
        if (accepted != OK.equals(code)) {
            throw new IllegalArgumentException("accepted iff code is OK, got " + accepted + "/" + code);
        }
        detail = detail == null ? "" : detail;
    }

    /**
     * The accepted result.
     *
     * @return {@code (true, "OK", "certificate accepted")}
     */
    public static CheckResult ok() {
        return new CheckResult(true, OK, "certificate accepted");
    }

    /**
     * A refusal.
     *
     * @param code   the failure code, e.g. {@link #KEY_MISMATCH}
     * @param detail the explanation
     * @return {@code (false, code, detail)}
     */
    public static CheckResult reject(String code, String detail) {
        return new CheckResult(false, code, detail);
    }
}
