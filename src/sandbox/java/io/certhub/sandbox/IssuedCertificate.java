package io.certhub.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A certificate issued by {@link SandboxCa}, with the chain that leads to its root.
 *
 * <p>PEM output follows RFC 7468 ("CERTIFICATE" label, base64 in lines of 64 characters, LF line
 * ends, a final LF after each END line). The delivery files of the hub contract map onto it:
 * {@code <domain>.crt} = {@link #leafPem()}, {@code ca-bundle.crt} = {@link #chainPem()},
 * {@code fullchain.pem} = {@link #fullChainPem()}; the root is never part of a bundle.
 *
 * @param leaf          the end-entity (TLS server) certificate
 * @param intermediates the issuing CA certificates, nearest to the leaf first (for the sandbox:
 *                      just the intermediate); unmodifiable, never empty
 * @param root          the self-signed trust anchor (not to be sent to TLS clients)
 */
public record IssuedCertificate(X509Certificate leaf, List<X509Certificate> intermediates, X509Certificate root) {

    /**
     * Checks and copies the components.
     *
     * @param leaf          the end-entity certificate
     * @param intermediates the issuing CA certificates, nearest to the leaf first; copied
     * @param root          the trust anchor
     * @throws NullPointerException     if any component or intermediate is null
     * @throws IllegalArgumentException if {@code intermediates} is empty
     */
    public IssuedCertificate {
        Objects.requireNonNull(leaf, "leaf");
        Objects.requireNonNull(root, "root");
        intermediates = List.copyOf(intermediates);
        if (intermediates.isEmpty()) {
            throw new IllegalArgumentException("an issued certificate needs at least one intermediate");
        }
    }

    /**
     * @return the leaf as one PEM block
     */
    public String leafPem() {
        return pem(leaf);
    }

    /**
     * @return the intermediates as concatenated PEM blocks, nearest to the leaf first (no leaf,
     *         no root): the CA bundle
     */
    public String chainPem() {
        StringBuilder sb = new StringBuilder();
        intermediates.forEach(c -> sb.append(pem(c)));
        return sb.toString();
    }

    /**
     * @return the leaf followed by the intermediates as PEM blocks (no root), the order a TLS
     *         server sends (RFC 8446 section 4.4.2)
     */
    public String fullChainPem() {
        return leafPem() + chainPem();
    }

    /**
     * One certificate as an RFC 7468 PEM block.
     *
     * @param cert the certificate
     * @return {@code -----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n}
     * @throws IllegalStateException if the certificate cannot be DER-encoded
     */
    static String pem(X509Certificate cert) {
        try {
            return pem("CERTIFICATE", cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    static String pem(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }
}
