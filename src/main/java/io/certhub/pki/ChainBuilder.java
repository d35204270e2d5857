package io.certhub.pki;

import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * Orders a bag of certificates (as found in a mail, a ZIP bundle or a PKCS#7 file) into a
 * chain: the leaf, its intermediates, and the root when one was included.
 *
 * <p>Issuer links follow RFC 5280: certificate A issued B when A's subject DN equals B's
 * issuer DN (section 7.1 comparison, via {@link javax.security.auth.x500.X500Principal#equals})
 * and, when B carries an Authority Key Identifier with a keyIdentifier and A a Subject Key
 * Identifier (sections 4.2.1.1 and 4.2.1.2), the two identifiers are equal. Signatures are
 * not verified here except to recognise a self-signed root; trust is
 * {@link CertificateChecker}'s job.
 */
public final class ChainBuilder {

    private ChainBuilder() {
    }

    /**
     * Builds the chain from certificates given in any order.
     *
     * <p>Steps: duplicates (same DER encoding) are dropped; the leaf is the one certificate
     * that is not a CA (basicConstraints cA false or absent, RFC 5280 section 4.2.1.9) and
     * issues none of the others; from the leaf, each certificate's issuer among the remaining
     * ones is appended to the intermediates until a self-signed certificate (the root, kept
     * apart) or no issuer is found. When several candidates could issue a certificate (a
     * cross-signed intermediate), one that is not self-signed and whose own issuer is present
     * is preferred, then the first given. Certificates that are not on the leaf's path
     * (unrelated CA certificates) are ignored.
     *
     * @param certs the certificates, any order, duplicates allowed; may be null or empty
     * @return the chain
     * @throws PkiException {@code LEAF_MISSING} when there is no end-entity certificate (none
     *                      given, or only CA certificates); {@code AMBIGUOUS_LEAF} when several
     *                      end-entity certificates are given, the detail naming their subjects
     */
    public static Chain build(Collection<X509Certificate> certs) {
        if (certs == null || certs.isEmpty()) {
            throw new PkiException(PkiException.LEAF_MISSING, "no certificate given");
        }
        Map<ByteBuffer, X509Certificate> unique = new LinkedHashMap<>();
        for (X509Certificate c : certs) {
            if (c != null) {
                unique.putIfAbsent(ByteBuffer.wrap(Certificates.encoded(c)), c);
            }
        }
        List<X509Certificate> all = List.copyOf(unique.values());
        if (all.isEmpty()) {
            throw new PkiException(PkiException.LEAF_MISSING, "no certificate given");
        }

        List<X509Certificate> leaves = new ArrayList<>();
        for (X509Certificate c : all) {
            if (!isCa(c) && !isSelfSigned(c) && all.stream().noneMatch(o -> o != c && issued(c, o))) {
                leaves.add(c);
            }
        }
        if (leaves.isEmpty()) {
            throw new PkiException(PkiException.LEAF_MISSING, "no end-entity certificate among " + all.size()
                    + " given (only CA certificates): " + subjects(all));
        }
        if (leaves.size() > 1) {
            throw new PkiException(PkiException.AMBIGUOUS_LEAF, leaves.size()
                    + " unrelated end-entity certificates: " + subjects(leaves));
        }

        X509Certificate leaf = leaves.get(0);
        List<X509Certificate> remaining = new ArrayList<>(all);
        remaining.remove(leaf);
        List<X509Certificate> intermediates = new ArrayList<>();
        X509Certificate root = null;
        X509Certificate current = leaf;
        while (true) {
            X509Certificate issuer = pickIssuer(current, remaining);
            if (issuer == null) {
                break;
            }
            remaining.remove(issuer);
            if (isSelfSigned(issuer)) {
                root = issuer;
                break;
            }
            intermediates.add(issuer);
            current = issuer;
        }
        return new Chain(leaf, intermediates, root);
    }

    /**
     * Whether {@code issuer} issued {@code subject} by names and key identifiers (see the class
     * documentation). A certificate is never considered its own issuer here.
     *
     * @param issuer  the candidate issuer
     * @param subject the issued certificate
     * @return true when the issuer's subject DN equals the subject's issuer DN and the
     *         subject's AKI keyIdentifier (when present) equals the issuer's SKI (when present)
     */
    public static boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (issuer.equals(subject)) {
            return false;
        }
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        byte[] aki = authorityKeyId(subject);
        byte[] ski = subjectKeyId(issuer);
        return aki == null || ski == null || Arrays.equals(aki, ski);
    }

    /**
     * Whether a certificate is self-signed: subject DN equals issuer DN and its signature
     * verifies with its own public key (RFC 5280 section 3.2 / 6.1).
     *
     * @param cert the certificate
     * @return true for a self-signed certificate (typically a root)
     */
    public static boolean isSelfSigned(X509Certificate cert) {
        if (!cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
            return false;
        }
        try {
            cert.verify(cert.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Whether a certificate is a CA certificate: basicConstraints with cA true (RFC 5280
     * section 4.2.1.9).
     *
     * @param cert the certificate
     * @return true for a CA
     */
    public static boolean isCa(X509Certificate cert) {
        return cert.getBasicConstraints() >= 0;
    }

    private static X509Certificate pickIssuer(X509Certificate subject, List<X509Certificate> candidates) {
        List<X509Certificate> found = candidates.stream().filter(c -> issued(c, subject)).collect(Collectors.toList());
        if (found.size() <= 1) {
            return found.isEmpty() ? null : found.get(0);
        }
        for (X509Certificate c : found) {
            if (!isSelfSigned(c) && candidates.stream().anyMatch(o -> issued(o, c))) {
                return c;
            }
        }
        for (X509Certificate c : found) {
            if (!isSelfSigned(c)) {
                return c;
            }
        }
        return found.get(0);
    }

    private static byte[] subjectKeyId(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        try {
            return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] authorityKeyId(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        try {
            return AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String subjects(List<X509Certificate> certs) {
        return certs.stream().map(c -> c.getSubjectX500Principal().getName()).collect(Collectors.joining("; "));
    }
}
