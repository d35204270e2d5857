package io.certhub.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Test certificates made with BouncyCastle: a root, an intermediate and leaves, EC P-256 so
 * that key generation stays cheap. Validity is fixed so tests are deterministic:
 * CAs 2026-01-01..2036-01-01, leaves {@link #LEAF_FROM}..{@link #LEAF_UNTIL}, checked at
 * {@link #AT}.
 */
public final class TestPki {

    /** Relative path of the shared cases, from the project root (the test working directory). */
    public static final Path CASES = Path.of("../shared/cases");

    public static final Instant CA_FROM = Instant.parse("2026-01-01T00:00:00Z");
    public static final Instant CA_UNTIL = Instant.parse("2036-01-01T00:00:00Z");
    public static final Instant LEAF_FROM = Instant.parse("2026-06-01T00:00:00Z");
    public static final Instant LEAF_UNTIL = Instant.parse("2026-12-01T00:00:00Z");
    public static final Instant AT = Instant.parse("2026-07-01T12:00:00Z");

    public static final String ROOT_DN = "C=US, O=Certhub Test PKI, CN=Certhub Test Root";
    public static final String INTERMEDIATE_DN = "C=US, O=Certhub Test PKI, CN=Certhub Test Issuing CA";

    private static final AtomicLong SERIAL = new AtomicLong(0x1000);

    /** A root, an intermediate issued by it and a leaf issued by the intermediate. */
    public record Pki(KeyPair rootKey, X509Certificate root, KeyPair intermediateKey, X509Certificate intermediate,
                      KeyPair leafKey, X509Certificate leaf) {

        /** Another leaf from the same intermediate. */
        public X509Certificate issueLeaf(KeyPair key, Instant from, Instant until, String... names) {
            return TestPki.leaf(key.getPublic(), intermediate, intermediateKey.getPrivate(), from, until, names);
        }
    }

    private TestPki() {
    }

    /** Creates a fresh PKI whose leaf covers {@code names} (first name is the CN). */
    public static Pki create(String... names) {
        return createWithCaNames(ROOT_DN, INTERMEDIATE_DN, names);
    }

    /** Creates a fresh PKI with the given CA names (same names + new keys = a forged chain). */
    public static Pki createWithCaNames(String rootDn, String intermediateDn, String... names) {
        KeyPair rootKey = ecKey();
        X509Certificate root = ca(rootDn, rootKey.getPublic(), null, rootKey.getPrivate(), 1);
        KeyPair intKey = ecKey();
        X509Certificate intermediate = ca(intermediateDn, intKey.getPublic(), root, rootKey.getPrivate(), 0);
        KeyPair leafKey = ecKey();
        X509Certificate leaf = leaf(leafKey.getPublic(), intermediate, intKey.getPrivate(), LEAF_FROM, LEAF_UNTIL, names);
        return new Pki(rootKey, root, intKey, intermediate, leafKey, leaf);
    }

    /** A fresh EC P-256 key pair. */
    public static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A CA certificate: self-signed when {@code issuer} is null, else issued by it.
     *
     * @param pathLen the basicConstraints pathLenConstraint
     */
    public static X509Certificate ca(String dn, PublicKey key, X509Certificate issuer, PrivateKey issuerKey,
                                     int pathLen) {
        try {
            X500Name subject = new X500Name(dn);
            X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, nextSerial(), Date.from(CA_FROM),
                    Date.from(CA_UNTIL), subject, key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            if (issuer != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false,
                        ext.createAuthorityKeyIdentifier(issuer.getPublicKey()));
            }
            return sign(b, issuerKey);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An end-entity certificate with the given DNS names in the SAN (none: CN only). */
    public static X509Certificate leaf(PublicKey key, X509Certificate issuer, PrivateKey issuerKey, Instant from,
                                       Instant until, String... names) {
        return leaf(key, issuer, issuerKey, from, until, names.length == 0 ? "CN=leaf" : "CN=" + names[0], true, names);
    }

    /** An end-entity certificate; {@code withSan} false leaves the names to the CN only. */
    public static X509Certificate leaf(PublicKey key, X509Certificate issuer, PrivateKey issuerKey, Instant from,
                                       Instant until, String subjectDn, boolean withSan, String... names) {
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), nextSerial(), Date.from(from),
                    Date.from(until), new X500Name(subjectDn), key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(issuer.getPublicKey()));
            if (withSan && names.length > 0) {
                GeneralName[] gn = new GeneralName[names.length];
                for (int i = 0; i < names.length; i++) {
                    gn[i] = new GeneralName(GeneralName.dNSName, names[i]);
                }
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(gn));
            }
            return sign(b, issuerKey);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) {
        try {
            String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(key)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet()).shiftLeft(32).add(BigInteger.valueOf(System.nanoTime() & 0xffffffL));
    }

    /** Reads a file of the shared cases. */
    public static byte[] caseBytes(String relative) {
        try {
            return Files.readAllBytes(CASES.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public key of a PEM CSR file of the shared cases (BouncyCastle PKCS#10 parser). */
    public static PublicKey csrKey(String relative) {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(CASES.resolve(relative)))) {
            PKCS10CertificationRequest csr = (PKCS10CertificationRequest) p.readObject();
            return new JcaPKCS10CertificationRequest(csr).getPublicKey();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The single certificate of a PEM file of the shared cases. */
    public static X509Certificate caseCert(String relative) {
        List<X509Certificate> certs = Certificates.parseAny(caseBytes(relative));
        if (certs.size() != 1) {
            throw new IllegalStateException(relative + " holds " + certs.size() + " certificates");
        }
        return certs.get(0);
    }
}
