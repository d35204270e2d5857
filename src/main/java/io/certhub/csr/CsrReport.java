package io.certhub.csr;

import java.util.List;
import java.util.Objects;

/**
 * What {@link CsrParser#inspect(String)} could read from a CSR, with every problem found. Used to
 * show a reseller what is in a CSR before ordering; never thrown, never {@code null} parts except
 * where stated.
 *
 * @param commonName     the subject CN, normalised with {@link io.certhub.names.DomainNames} when
 *                       it is a DNS name, otherwise as found; {@code null} when absent or unreadable
 * @param names          the CN (if a DNS name) and the SAN dNSName entries, normalised, distinct,
 *                       in CSR order (RFC 5280 §4.2.1.6); empty when unreadable; SAN entries that
 *                       are not valid host names are left out and reported as a problem
 * @param keyAlgorithm   {@code "RSA"}, {@code "EC"}, or the name/OID of another algorithm found;
 *                       {@code null} when unreadable
 * @param keySize        key size in bits (RSA modulus length, EC field size); {@code null} when
 *                       unknown
 * @param curve          {@code "P-256"}, {@code "P-384"}, or another curve's name (such as
 *                       {@code "P-521"}) for EC keys; {@code null} for other keys or when unknown
 * @param signatureValid {@code true} only when the self-signature was verified (RFC 2986 §3);
 *                       {@code false} when it is wrong or could not be verified
 * @param problems       every problem found, most fundamental first; empty when the CSR would be
 *                       accepted by {@link CsrParser#parse(String)}
 */
public record CsrReport(String commonName, List<String> names, String keyAlgorithm, Integer keySize,
                        String curve, boolean signatureValid, List<Problem> problems) {

    /**
     * Copies the lists; {@code null} lists become empty lists.
     *
     * @param commonName     see the record description
     * @param names          see the record description
     * @param keyAlgorithm   see the record description
     * @param keySize        see the record description
     * @param curve          see the record description
     * @param signatureValid see the record description
     * @param problems       see the record description
     */
    public CsrReport {
        names = names == null ? List.of() : List.copyOf(names);
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    /**
     * @return {@code true} when there is no problem, i.e. {@link CsrParser#parse(String)} would
     *         accept the same text
     */
    public boolean acceptable() {
        return problems.isEmpty();
    }

    /**
     * One problem with a CSR.
     *
     * @param code   one of {@link CsrException#CSR_UNPARSEABLE},
     *               {@link CsrException#CSR_SIGNATURE_INVALID}, {@link CsrException#CSR_WEAK_KEY}
     * @param detail human-readable explanation (the same text {@link CsrException#detail()} gives)
     */
    public record Problem(String code, String detail) {

        /**
         * Checks that both parts are present.
         *
         * @param code   see the record description
         * @param detail see the record description
         * @throws NullPointerException when a part is {@code null}
         */
        public Problem {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
