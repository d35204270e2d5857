package io.certhub.sandbox;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The sandbox vendor's throw-away certificate authority: a root and one intermediate that issue
 * TLS server certificates for the sandbox, so the whole order → delivery path can run without
 * a real CA.
 *
 * <p>Hierarchy (profiles after RFC 5280 section 4.2 and the CA/Browser Forum Baseline
 * Requirements section 7.1, simplified for a test CA):
 * <ul>
 *   <li>root: {@value #ROOT_SUBJECT}, self-signed, 10 years, basicConstraints CA (critical),
 *       keyUsage keyCertSign+cRLSign (critical), SKI;</li>
 *   <li>intermediate: {@value #INTERMEDIATE_SUBJECT}, 5 years, basicConstraints CA pathLen 0
 *       (critical), keyUsage digitalSignature+keyCertSign+cRLSign (critical), extendedKeyUsage
 *       serverAuth, SKI, AKI (key identifier only);</li>
 *   <li>leaves: see {@link #issue}.</li>
 * </ul>
 * Keys are EC P-256 (secp256r1), signatures SHA256withECDSA (BR 6.1.5, 7.1.3.2).
 *
 * <p>Files in the CA directory (PEM, RFC 7468): {@code root.crt}, {@code root.key},
 * {@code intermediate.crt}, {@code intermediate.key}; keys are unencrypted PKCS#8
 * ("PRIVATE KEY"), written owner-read/write only where the file system supports POSIX
 * permissions. They are throw-away sandbox keys: never use this class for anything trusted.
 *
 * <p>Thread-safe: {@link #issue} may be called concurrently.
 */
public final class SandboxCa {

    /** Subject of the root certificate. */
    public static final String ROOT_SUBJECT = "CN=Certhub Sandbox Root CA, O=Certhub Sandbox";

    /** Subject of the intermediate (issuing) certificate. */
    public static final String INTERMEDIATE_SUBJECT = "CN=Certhub Sandbox DV CA, O=Certhub Sandbox";

    /**
     * Longest leaf validity issued: 200 days, the Baseline Requirements cap for certificates
     * issued from 2026-03-15 (ballot SC-081v3; see dcv-rules.md "Validity caps").
     */
    public static final Duration MAX_LEAF_VALIDITY = Duration.ofDays(200);

    /** How far notBefore is back-dated from the clock's now, to tolerate client clock skew. */
    public static final Duration BACKDATE = Duration.ofMinutes(1);

    /** Name of the root certificate file in the CA directory. */
    public static final String ROOT_CRT = "root.crt";
    /** Name of the root private key file in the CA directory. */
    public static final String ROOT_KEY = "root.key";
    /** Name of the intermediate certificate file in the CA directory. */
    public static final String INTERMEDIATE_CRT = "intermediate.crt";
    /** Name of the intermediate private key file in the CA directory. */
    public static final String INTERMEDIATE_KEY = "intermediate.key";

    private static final String SIG_ALG = "SHA256withECDSA";
    private static final int MAX_CN_LENGTH = 64; // RFC 5280 ub-common-name
    private static final Object JVM_LOCK = new Object();
    private static final SecureRandom RANDOM = new SecureRandom(); // thread-safe

    private final Path dir;
    private final Clock clock;
    private final X509Certificate root;
    private final X509Certificate intermediate;
    private final PrivateKey intermediateKey;

    private SandboxCa(Path dir, Clock clock, X509Certificate root, X509Certificate intermediate,
                      PrivateKey intermediateKey) {
        this.dir = dir;
        this.clock = clock;
        this.root = root;
        this.intermediate = intermediate;
        this.intermediateKey = intermediateKey;
    }

    /**
     * Loads the CA from {@code dir}, creating what is missing on first use.
     *
     * <p>If neither {@code root.crt} nor {@code root.key} exists, a new root is made (and a new
     * intermediate under it); if both exist they are loaded, so the root, and with it every
     * trust store built from {@link #rootPemPath()}, survives restarts. The intermediate pair is
     * loaded the same way, or made anew under the existing root when both of its files are
     * missing. Creation is guarded by a lock file ({@code .lock}) so two processes sharing the
     * directory make one root.
     *
     * @param dir   the CA directory; created if absent
     * @param clock the time source for validity periods (certificates made here start at
     *              {@code clock.instant()} − {@link #BACKDATE})
     * @return the CA
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if only one file of a pair exists, a file is not the PEM it
     *                               should be, a key does not match its certificate, or the
     *                               intermediate was not signed by the root; the message names
     *                               the file (delete the directory to start over)
     * @throws UncheckedIOException  if the directory cannot be read or written
     */
    public static SandboxCa loadOrCreate(Path dir, Clock clock) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(clock, "clock");
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(dir);
                try (FileChannel ch = FileChannel.open(dir.resolve(".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = ch.lock()) {
                    return loadOrCreateLocked(dir, clock);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("sandbox CA directory " + dir + " cannot be used: " + e.getMessage(), e);
            }
        }
    }

    private static SandboxCa loadOrCreateLocked(Path dir, Clock clock) throws IOException {
        Instant now = clock.instant();
        X509Certificate root;
        PrivateKey rootKey;
        if (pairExists(dir, ROOT_CRT, ROOT_KEY)) {
            root = readCertificate(dir.resolve(ROOT_CRT));
            rootKey = readPrivateKey(dir.resolve(ROOT_KEY));
            checkKeyMatches(rootKey, root, dir.resolve(ROOT_KEY));
        } else {
            KeyPair kp = newEcKeyPair();
            root = makeCaCertificate(ROOT_SUBJECT, kp.getPublic(), null, kp.getPrivate(), now,
                    plusYears(now, 10), -1);
            rootKey = kp.getPrivate();
            writePem(dir.resolve(ROOT_KEY), pkcs8Pem(rootKey), true);
            writePem(dir.resolve(ROOT_CRT), IssuedCertificate.pem(root), false);
            // a new root invalidates any intermediate lying around
            Files.deleteIfExists(dir.resolve(INTERMEDIATE_CRT));
            Files.deleteIfExists(dir.resolve(INTERMEDIATE_KEY));
        }

        X509Certificate intermediate;
        PrivateKey intermediateKey;
        if (pairExists(dir, INTERMEDIATE_CRT, INTERMEDIATE_KEY)) {
            intermediate = readCertificate(dir.resolve(INTERMEDIATE_CRT));
            intermediateKey = readPrivateKey(dir.resolve(INTERMEDIATE_KEY));
            checkKeyMatches(intermediateKey, intermediate, dir.resolve(INTERMEDIATE_KEY));
            try {
                intermediate.verify(root.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(dir.resolve(INTERMEDIATE_CRT) + " was not issued by " + dir.resolve(ROOT_CRT), e);
            }
        } else {
            KeyPair kp = newEcKeyPair();
            intermediate = makeCaCertificate(INTERMEDIATE_SUBJECT, kp.getPublic(), root, rootKey, now,
                    plusYears(now, 5), 0);
            intermediateKey = kp.getPrivate();
            writePem(dir.resolve(INTERMEDIATE_KEY), pkcs8Pem(intermediateKey), true);
            writePem(dir.resolve(INTERMEDIATE_CRT), IssuedCertificate.pem(intermediate), false);
        }
        return new SandboxCa(dir, clock, root, intermediate, intermediateKey);
    }

    /**
     * Issues a TLS server certificate signed by the intermediate.
     *
     * <p>Profile (RFC 5280 section 4.2; BR 7.1.2.7 subscriber certificate, simplified):
     * subject {@code CN=<first name>} (omitted when longer than 64 characters, RFC 5280
     * ub-common-name; the SAN then carries the names alone), subjectAltName (non-critical) with
     * every name as a dNSName in the order given, serial number 128 random bits (positive, at
     * least 64 bits of CSPRNG output as BR 7.1 asks), notBefore = now − 1 minute, notAfter =
     * now + min({@code validity}, {@link #MAX_LEAF_VALIDITY}) and never past the intermediate's
     * notAfter (both at whole seconds), keyUsage digitalSignature (+ keyEncipherment for RSA
     * keys) critical, extendedKeyUsage serverAuth, basicConstraints CA=false critical, SKI
     * (SHA-1 of the key, RFC 5280 4.2.1.2 method 1) and AKI (the intermediate's SKI).
     *
     * @param subjectKey the subscriber's public key (from the CSR), e.g. EC P-256/P-384 or
     *                   RSA ≥ 2048 bits; not checked here (the hub checks keys before ordering)
     * @param dnsNames   the names to certify, first one the CN; ASCII (A-labels for IDNs),
     *                   wildcards like {@code *.example.com} allowed; at least one
     * @param validity   the validity asked for; must be positive; cut to 200 days
     * @return the leaf with its chain
     * @throws NullPointerException     if an argument or name is null
     * @throws IllegalArgumentException if {@code dnsNames} is empty, a name is blank or not
     *                                  ASCII, or {@code validity} is zero or negative
     * @throws IllegalStateException    if the intermediate has expired at the clock's now, or
     *                                  signing fails (a broken key file)
     */
    public IssuedCertificate issue(PublicKey subjectKey, List<String> dnsNames, Duration validity) {
        Objects.requireNonNull(subjectKey, "subjectKey");
        Objects.requireNonNull(dnsNames, "dnsNames");
        Objects.requireNonNull(validity, "validity");
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("a certificate needs at least one DNS name");
        }
        if (validity.isZero() || validity.isNegative()) {
            throw new IllegalArgumentException("validity must be positive, was " + validity);
        }
        List<GeneralName> sans = new ArrayList<>();
        for (String name : dnsNames) {
            Objects.requireNonNull(name, "DNS name");
            if (name.isBlank() || !StandardCharsets.US_ASCII.newEncoder().canEncode(name) || !name.strip().equals(name)) {
                throw new IllegalArgumentException("not a usable DNS name: '" + name + "'");
            }
            sans.add(new GeneralName(GeneralName.dNSName, name));
        }

        Instant now = clock.instant();
        Duration granted = validity.compareTo(MAX_LEAF_VALIDITY) > 0 ? MAX_LEAF_VALIDITY : validity;
        Instant notBefore = now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = now.plus(granted).truncatedTo(ChronoUnit.SECONDS);
        Instant caEnd = intermediate.getNotAfter().toInstant();
        if (!now.isBefore(caEnd)) {
            throw new IllegalStateException("the sandbox intermediate expired at " + caEnd
                    + "; delete " + INTERMEDIATE_CRT + " and " + INTERMEDIATE_KEY + " in " + dir + " to make a new one");
        }
        if (notAfter.isAfter(caEnd)) {
            notAfter = caEnd;
        }

        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        if (dnsNames.get(0).length() <= MAX_CN_LENGTH) {
            subject.addRDN(BCStyle.CN, dnsNames.get(0));
        }
        boolean rsa = "RSA".equalsIgnoreCase(subjectKey.getAlgorithm());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    x500(intermediate), randomSerial(), Date.from(notBefore), Date.from(notAfter),
                    subject.build(), subjectKey);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(rsa ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, subject.build().getRDNs().length == 0,
                    new GeneralNames(sans.toArray(GeneralName[]::new)));
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, akiOf(intermediate));
            X509Certificate leaf = sign(b, intermediateKey);
            return new IssuedCertificate(leaf, List.of(intermediate), root);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("sandbox CA cannot issue: " + e.getMessage(), e);
        }
    }

    /**
     * @return the root certificate (the trust anchor for sandbox certificates)
     */
    public X509Certificate root() {
        return root;
    }

    /**
     * @return the intermediate certificate that signs leaves
     */
    public X509Certificate intermediate() {
        return intermediate;
    }

    /**
     * @return the path of {@code root.crt} (PEM), e.g. for {@code hub.mailbox.trusted-roots}
     */
    public Path rootPemPath() {
        return dir.resolve(ROOT_CRT);
    }

    // ------------------------------------------------------------------ building

    private static X509Certificate makeCaCertificate(String subjectDn, PublicKey key, X509Certificate issuer,
                                                     PrivateKey issuerKey, Instant now,
                                                     Instant notAfter, int pathLen) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            // RFC 4514 string order (most specific first) → DER order (O before CN), as the JDK parses it
            X500Name subject = X500Name.getInstance(new X500Principal(subjectDn).getEncoded());
            X500Name issuerName = issuer == null ? subject : x500(issuer);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, randomSerial(),
                    Date.from(now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS)),
                    Date.from(notAfter.truncatedTo(ChronoUnit.SECONDS)), subject, key);
            b.addExtension(Extension.basicConstraints, true,
                    pathLen < 0 ? new BasicConstraints(true) : new BasicConstraints(pathLen));
            int usage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(issuer == null ? usage : usage | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
            if (issuer != null) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                b.addExtension(Extension.authorityKeyIdentifier, false, akiOf(issuer));
            }
            return sign(b, issuerKey);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("sandbox CA cannot make " + subjectDn + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder(SIG_ALG).build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    /** The AKI of certificates issued by {@code issuer}: its SKI as key identifier, nothing else (BR 7.1.2.11.1). */
    private static AuthorityKeyIdentifier akiOf(X509Certificate issuer) throws GeneralSecurityException {
        SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(issuer).getExtensions());
        if (ski == null) {
            ski = new JcaX509ExtensionUtils().createSubjectKeyIdentifier(issuer.getPublicKey());
        }
        return new AuthorityKeyIdentifier(ski.getKeyIdentifier());
    }

    private static X500Name x500(X509Certificate cert) {
        return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    }

    /** 128 random bits as a positive integer (DER: at most 17 octets, RFC 5280 allows 20). */
    private static BigInteger randomSerial() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }

    private static KeyPair newEcKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available", e);
        }
    }

    private static Instant plusYears(Instant t, int years) {
        return t.atOffset(ZoneOffset.UTC).plusYears(years).toInstant();
    }

    // ------------------------------------------------------------------ files

    private static boolean pairExists(Path dir, String crt, String key) {
        boolean c = Files.exists(dir.resolve(crt));
        boolean k = Files.exists(dir.resolve(key));
        if (c != k) {
            throw new IllegalStateException("sandbox CA directory " + dir + " has " + (c ? crt : key)
                    + " without " + (c ? key : crt) + "; restore it or delete the directory to start over");
        }
        return c;
    }

    private static X509Certificate readCertificate(Path file) throws IOException {
        Object o = readPemObject(file);
        if (!(o instanceof X509CertificateHolder holder)) {
            throw new IllegalStateException(file + " does not hold a PEM certificate");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(file + " holds an unreadable certificate", e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException {
        Object o = readPemObject(file);
        PrivateKeyInfo info;
        if (o instanceof PrivateKeyInfo pki) {
            info = pki;
        } else if (o instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else {
            throw new IllegalStateException(file + " does not hold an unencrypted PEM private key");
        }
        return new JcaPEMKeyConverter().getPrivateKey(info);
    }

    private static Object readPemObject(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            return p.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(file + " is not valid PEM: " + e.getMessage(), e);
        }
    }

    private static void checkKeyMatches(PrivateKey key, X509Certificate cert, Path keyFile) {
        try {
            byte[] probe = "certhub-sandbox-key-check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(SIG_ALG);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(SIG_ALG);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            if (!v.verify(sig)) {
                throw new IllegalStateException(keyFile + " does not belong to its certificate");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(keyFile + " cannot be used with its certificate: " + e.getMessage(), e);
        }
    }

    private static String pkcs8Pem(PrivateKey key) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        }
        return sw.toString();
    }

    /** Writes via a temporary file and an atomic rename, so a crash never leaves half a PEM file. */
    private static void writePem(Path target, String pem, boolean secret) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            try { // temp files start owner-only; certificates are public, keys stay private
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
