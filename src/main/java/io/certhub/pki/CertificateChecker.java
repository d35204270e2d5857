package io.certhub.pki;

import io.certhub.names.DomainNames;
import java.net.IDN;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Decides whether an issued certificate may be delivered for an order.
 *
 * <p>Checks, in this order, the first failure deciding the result:
 * <ol>
 *   <li>{@code KEY_MISMATCH}: the leaf's public key must be the CSR's (the encoded
 *       SubjectPublicKeyInfo, RFC 5280 section 4.1.2.7, or the same RSA modulus/exponent or EC
 *       point when encodings differ only in form); the detail gives both SHA-256
 *       fingerprints ({@link Certificates#sha256Fingerprint});</li>
 *   <li>{@code NAMES_NOT_COVERED}: every ordered name must be covered by the leaf's DNS names
 *       (subjectAltName dNSName entries, RFC 5280 section 4.2.1.6; the subject CN only when
 *       the certificate has no dNSName, RFC 6125 section 6.4.4). Names compare
 *       case-insensitively (IDNs as A-labels, trailing dot ignored); a certificate wildcard
 *       {@code *.x} covers exactly one label under {@code x} (RFC 6125 section 6.4.3, whole
 *       left-most label only) and never {@code x} itself; an ordered wildcard is covered only
 *       by the same wildcard. Extra certificate names are fine. The detail lists the missing
 *       names and the certificate's names;</li>
 *   <li>{@code NOT_VALID_AT_TIME}: the checked instant must be within the leaf's
 *       notBefore..notAfter (RFC 5280 section 4.1.2.5, both inclusive);</li>
 *   <li>{@code CHAIN_UNTRUSTED}: PKIX path validation (RFC 5280 section 6, the JDK's
 *       {@link CertPathValidator} "PKIX", revocation checking off, validation date = the
 *       checked instant) from the leaf through the chain's intermediates must end at one of
 *       the trusted roots as trust anchors. The chain's own root is never trusted for being
 *       included. A trusted intermediate also anchors the path. The detail carries the
 *       validator's reason.</li>
 * </ol>
 * Stateless and thread-safe.
 */
public class CertificateChecker {

    /** Creates a checker (stateless). */
    public CertificateChecker() {
    }

    /**
     * Checks an issued chain against the order it was issued for.
     *
     * @param chain        the chain from {@link ChainBuilder#build}, not null
     * @param csrKey       the public key of the order's CSR, not null
     * @param orderedNames the names ordered (common name and additional domains; wildcards as
     *                     {@code *.example.com}); null or empty is covered by any certificate
     * @param trustedRoots the trust anchors (e.g. {@code hub.mailbox.trusted-roots}); null or
     *                     empty makes every chain untrusted
     * @param at           the instant to check validity and the path at, not null
     * @return {@link CheckResult#ok()} or the first failure with its code and detail
     */
    public CheckResult check(Chain chain, PublicKey csrKey, List<String> orderedNames,
                             Collection<X509Certificate> trustedRoots, Instant at) {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(csrKey, "csrKey");
        Objects.requireNonNull(at, "at");
        X509Certificate leaf = chain.leaf();

        if (!sameKey(leaf.getPublicKey(), csrKey)) {
            return CheckResult.reject(CheckResult.KEY_MISMATCH, "certificate public key sha256="
                    + Certificates.sha256Fingerprint(leaf.getPublicKey()) + " differs from the CSR public key sha256="
                    + Certificates.sha256Fingerprint(csrKey));
        }

        List<String> certNames = dnsNames(leaf);
        List<String> missing = new ArrayList<>();
        for (String ordered : orderedNames == null ? List.<String>of() : orderedNames) {
            if (ordered == null || ordered.isBlank()) {
                continue;
            }
            String wanted = normalizeName(ordered);
            if (!covers(certNames, wanted) && !missing.contains(wanted)) {
                missing.add(wanted);
            }
        }
        if (!missing.isEmpty()) {
            return CheckResult.reject(CheckResult.NAMES_NOT_COVERED, "names not covered: "
                    + String.join(", ", missing) + "; certificate names: " + String.join(", ", certNames));
        }

        try {
            leaf.checkValidity(Date.from(at));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            String what = e instanceof CertificateExpiredException ? "expired" : "not yet valid";
            return CheckResult.reject(CheckResult.NOT_VALID_AT_TIME, "certificate " + what + " at " + at
                    + ": valid from " + leaf.getNotBefore().toInstant() + " until " + leaf.getNotAfter().toInstant());
        }

        return validatePath(chain, trustedRoots, at);
    }

    /**
     * The leaf's DNS names as the checker sees them: subjectAltName dNSName entries, or the
     * subject CN values when there is no dNSName; normalised (lower case, A-labels, no
     * trailing dot), distinct, in certificate order.
     *
     * @param cert the certificate
     * @return the names, possibly empty
     */
    public static List<String> dnsNames(X509Certificate cert) {
        Set<String> names = new LinkedHashSet<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(normalizeName(s));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unparseable SAN covers nothing; fall through to CN only if no name was read
        }
        if (names.isEmpty()) {
            X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
            for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
                for (var atv : rdn.getTypesAndValues()) {
                    if (BCStyle.CN.equals(atv.getType())) {
                        ASN1Encodable v = atv.getValue();
                        names.add(normalizeName(IETFUtils.valueToString(v)));
                    }
                }
            }
        }
        return List.copyOf(names);
    }

    /**
     * Whether certificate names cover one wanted name: one of them covers it by
     * {@link DomainNames#covers} (RFC 6125 section 6.4.3; the hub's one name matcher).
     *
     * @param certNames normalised certificate names
     * @param wanted    a normalised ordered name, possibly a wildcard {@code *.x}
     * @return true when covered
     */
    public static boolean covers(Collection<String> certNames, String wanted) {
        for (String name : certNames) {
            if (DomainNames.covers(name, wanted)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Normalises a DNS name for comparison: trimmed, lower case (Locale.ROOT), trailing dot
     * removed, internationalised labels converted to A-labels (RFC 5890) when possible.
     *
     * @param name the name
     * @return the normalised name
     */
    public static String normalizeName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        while (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        try {
            n = IDN.toASCII(n, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            // keep the lower-cased form
        }
        return n;
    }

    /**
     * Whether two public keys are the same key: equal encoded SubjectPublicKeyInfo, or for
     * RSA equal modulus and exponent, for EC equal point and curve parameters (covers
     * encodings that differ only in form, e.g. named vs. explicit curve).
     *
     * @param a one key
     * @param b the other key
     * @return true for the same key
     */
    public static boolean sameKey(PublicKey a, PublicKey b) {
        if (Arrays.equals(a.getEncoded(), b.getEncoded())) {
            return true;
        }
        if (a instanceof RSAPublicKey ra && b instanceof RSAPublicKey rb) {
            return ra.getModulus().equals(rb.getModulus()) && ra.getPublicExponent().equals(rb.getPublicExponent());
        }
        if (a instanceof ECPublicKey ea && b instanceof ECPublicKey eb) {
            return ea.getW().equals(eb.getW())
                    && ea.getParams().getCurve().equals(eb.getParams().getCurve())
                    && ea.getParams().getGenerator().equals(eb.getParams().getGenerator())
                    && ea.getParams().getOrder().equals(eb.getParams().getOrder());
        }
        return false;
    }

    private CheckResult validatePath(Chain chain, Collection<X509Certificate> trustedRoots, Instant at) {
        if (trustedRoots == null || trustedRoots.isEmpty()) {
            return CheckResult.reject(CheckResult.CHAIN_UNTRUSTED, "no trusted roots configured");
        }
        Set<TrustAnchor> anchors = new LinkedHashSet<>();
        for (X509Certificate root : trustedRoots) {
            anchors.add(new TrustAnchor(root, null));
        }
        List<X509Certificate> path = chain.leafAndIntermediates();
        String firstFailure = null;
        // The full path first; then shorter ones, so that a trusted intermediate anchors too.
        for (int len = path.size(); len >= 1; len--) {
            String failure = validate(path.subList(0, len), anchors, at);
            if (failure == null) {
                return CheckResult.ok();
            }
            if (firstFailure == null) {
                firstFailure = failure;
            }
        }
        return CheckResult.reject(CheckResult.CHAIN_UNTRUSTED, firstFailure);
    }

    /** Runs PKIX validation; null when valid, else the reason. */
    private static String validate(List<X509Certificate> path, Set<TrustAnchor> anchors, Instant at) {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
            return null;
        } catch (CertPathValidatorException e) {
            StringBuilder sb = new StringBuilder("path validation failed");
            if (e.getIndex() >= 0 && e.getIndex() < path.size()) {
                sb.append(" at ").append(path.get(e.getIndex()).getSubjectX500Principal().getName());
            }
            sb.append(": ").append(e.getMessage());
            if (e.getReason() != null) {
                sb.append(" (reason ").append(e.getReason()).append(')');
            }
            return sb.toString();
        } catch (CertificateException | InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
            return "path validation impossible: " + e.getMessage();
        }
    }
}
