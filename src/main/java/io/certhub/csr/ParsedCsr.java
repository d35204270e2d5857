package io.certhub.csr;

import io.certhub.names.DomainNames;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A CSR that passed every check of {@link CsrParser#parse(String)}: readable PKCS#10
 * (RFC 2986), valid self-signature, acceptable key (CA/B Forum BR 6.1.5).
 *
 * @param canonicalPem    the CSR in the form to store and to send to vendors (RFC 7468 §2, strict):
 *                        {@code -----BEGIN CERTIFICATE REQUEST-----}, the base64 of the original
 *                        DER in lines of 64 characters, {@code -----END CERTIFICATE REQUEST-----},
 *                        LF line ends, a final newline, no byte-order mark
 * @param commonName      the subject CN, normalised with {@link DomainNames#normalise(String)} when
 *                        it is a DNS name, otherwise exactly as found; {@code null} when the subject
 *                        has no CN
 * @param dnsNames        the SAN dNSName entries (RFC 5280 §4.2.1.6), normalised, in CSR order
 *                        (duplicates kept); empty when the CSR requests no SAN; unmodifiable
 * @param keyAlgorithm    {@code "RSA"} or {@code "EC"}
 * @param keySize         key size in bits: RSA modulus length, or 256/384 for EC
 * @param curve           {@code "P-256"} or {@code "P-384"} for EC keys, {@code null} for RSA
 * @param publicKey       the public key as a JDK key object
 * @param publicKeySha256 lower-case hex SHA-256 (64 characters) of the DER SubjectPublicKeyInfo as
 *                        found in the CSR; equals the same hash over the SubjectPublicKeyInfo of
 *                        a certificate issued for this CSR, which is how a certificate is matched
 *                        to its order
 * @param derSha256       lower-case hex SHA-256 (64 characters) of the CSR's DER; identifies the
 *                        CSR whatever its PEM formatting was
 */
public record ParsedCsr(String canonicalPem, String commonName, List<String> dnsNames,
                        String keyAlgorithm, int keySize, String curve, PublicKey publicKey,
                        String publicKeySha256, String derSha256) {

    /**
     * Checks the required parts and copies the name list ({@code null} becomes empty).
     *
     * @param canonicalPem    see the record description
     * @param commonName      see the record description
     * @param dnsNames        see the record description
     * @param keyAlgorithm    see the record description
     * @param keySize         see the record description
     * @param curve           see the record description
     * @param publicKey       see the record description
     * @param publicKeySha256 see the record description
     * @param derSha256       see the record description
     * @throws NullPointerException when a required part is {@code null}
     */
    public ParsedCsr {
        Objects.requireNonNull(canonicalPem, "canonicalPem");
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
        Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(publicKeySha256, "publicKeySha256");
        Objects.requireNonNull(derSha256, "derSha256");
    }

    /**
     * The DNS names this CSR asks for: the CN when it is a valid DNS host name, then the SAN
     * dNSName entries; normalised, distinct, first occurrence kept.
     *
     * @return an unmodifiable list, possibly empty
     */
    public List<String> names() {
        Set<String> names = new LinkedHashSet<>();
        if (commonName != null && DomainNames.isValid(commonName)) {
            names.add(DomainNames.normalise(commonName));
        }
        names.addAll(dnsNames);
        return List.copyOf(new ArrayList<>(names));
    }
}
