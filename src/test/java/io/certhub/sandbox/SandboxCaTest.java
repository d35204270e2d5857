package io.certhub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxCaTest {

    private static final Instant NOW = Instant.parse("2026-11-29T10:15:30Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    @TempDir
    static Path caDir;
    static SandboxCa ca;
    static KeyPair ecKey;

    @BeforeAll
    static void setUp() throws Exception {
        ca = SandboxCa.loadOrCreate(caDir, CLOCK);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ecKey = g.generateKeyPair();
    }

    private static PKIXCertPathValidatorResult validate(IssuedCertificate issued, Instant at) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        CertPath path = cf.generateCertPath(List.of(issued.leaf(), issued.intermediates().get(0)));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(issued.root(), null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        return (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    @Test
    void issuedLeafValidatesToTheRootWithPkix() throws Exception {
        IssuedCertificate issued = ca.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(90));

        PKIXCertPathValidatorResult result = validate(issued, NOW);

        assertThat(result.getTrustAnchor().getTrustedCert()).isEqualTo(ca.root());
        assertThat(result.getPublicKey()).isEqualTo(ecKey.getPublic());
        issued.leaf().verify(ca.intermediate().getPublicKey());
        ca.intermediate().verify(ca.root().getPublicKey());
        ca.root().verify(ca.root().getPublicKey());
    }

    @Test
    void validationFailsOutsideTheLeafValidity() throws Exception {
        IssuedCertificate issued = ca.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(30));
        assertThatThrownBy(() -> validate(issued, NOW.plus(Duration.ofDays(31))))
                .isInstanceOf(CertPathValidatorException.class);
        assertThatThrownBy(() -> validate(issued, NOW.minus(Duration.ofMinutes(2))))
                .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void validityIsCappedAt200DaysWhen398AreAsked() {
        X509Certificate leaf = ca.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(398)).leaf();

        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(Instant.parse("2026-11-29T10:14:30Z"));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(Instant.parse("2027-06-17T10:15:30Z"));
        assertThat(Duration.between(NOW, leaf.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(200));
    }

    @Test
    void shorterValidityIsKept() {
        X509Certificate leaf = ca.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(47)).leaf();
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(47)));
    }

    @Test
    void namesAndKeyAreTheOnesGiven() throws Exception {
        List<String> names = List.of("www.example.com", "example.com", "*.shop.example.com");
        X509Certificate leaf = ca.issue(ecKey.getPublic(), names, Duration.ofDays(90)).leaf();

        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=www.example.com");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.intermediate().getSubjectX500Principal());
        assertThat(leaf.getPublicKey()).isEqualTo(ecKey.getPublic());
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        assertThat(sans).containsExactly(
                List.of(2, "www.example.com"), List.of(2, "example.com"), List.of(2, "*.shop.example.com"));
        assertThat(leaf.getNonCriticalExtensionOIDs()).contains("2.5.29.17");
    }

    @Test
    void leafProfileIsATlsServerCertificate() throws Exception {
        X509Certificate leaf = ca.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(90)).leaf();

        assertThat(leaf.getVersion()).isEqualTo(3);
        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        // digitalSignature only for an EC key
        assertThat(leaf.getKeyUsage()).startsWith(true, false, false, false, false, false, false);
        assertThat(leaf.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
        assertThat(leaf.getSerialNumber().signum()).isPositive();
        assertThat(leaf.getSerialNumber().bitLength()).isBetween(64, 128);

        JcaX509CertificateHolder holder = new JcaX509CertificateHolder(leaf);
        JcaX509CertificateHolder issuer = new JcaX509CertificateHolder(ca.intermediate());
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.fromExtensions(holder.getExtensions());
        SubjectKeyIdentifier issuerSki = SubjectKeyIdentifier.fromExtensions(issuer.getExtensions());
        assertThat(aki.getKeyIdentifierOctets()).isEqualTo(issuerSki.getKeyIdentifier());
        assertThat(aki.getAuthorityCertIssuer()).isNull();
        assertThat(SubjectKeyIdentifier.fromExtensions(holder.getExtensions())).isNotNull();
    }

    @Test
    void rsaLeafAlsoGetsKeyEncipherment() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair rsa = g.generateKeyPair();
        IssuedCertificate issued = ca.issue(rsa.getPublic(), List.of("mail.example.com"), Duration.ofDays(90));

        assertThat(issued.leaf().getKeyUsage()).startsWith(true, false, true, false, false, false, false);
        assertThat(issued.leaf().getPublicKey()).isEqualTo(rsa.getPublic());
        assertThat(validate(issued, NOW).getPublicKey()).isEqualTo(rsa.getPublic());
    }

    @Test
    void serialsDiffer() {
        var a = ca.issue(ecKey.getPublic(), List.of("a.example.com"), Duration.ofDays(1)).leaf().getSerialNumber();
        var b = ca.issue(ecKey.getPublic(), List.of("a.example.com"), Duration.ofDays(1)).leaf().getSerialNumber();
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void caHierarchyHasTheAskedProfiles() {
        X509Certificate root = ca.root();
        X509Certificate intermediate = ca.intermediate();

        assertThat(root.getSubjectX500Principal().getName()).isEqualTo("CN=Certhub Sandbox Root CA,O=Certhub Sandbox");
        assertThat(root.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
        assertThat(root.getNotAfter().toInstant()).isEqualTo(Instant.parse("2036-11-29T10:15:30Z"));
        assertThat(root.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(root.getSigAlgName()).isEqualTo("SHA256withECDSA");

        assertThat(intermediate.getSubjectX500Principal().getName()).isEqualTo("CN=Certhub Sandbox DV CA,O=Certhub Sandbox");
        assertThat(intermediate.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        assertThat(intermediate.getBasicConstraints()).isZero(); // CA, pathLen 0
        assertThat(intermediate.getNotBefore().toInstant()).isEqualTo(Instant.parse("2026-11-29T10:14:30Z"));
        assertThat(intermediate.getNotAfter().toInstant()).isEqualTo(Instant.parse("2031-11-29T10:15:30Z"));
        assertThat(intermediate.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(intermediate.getKeyUsage()[6]).as("cRLSign").isTrue();
    }

    @Test
    void pemHelpersGiveLeafChainAndFullChainWithoutRoot() throws Exception {
        IssuedCertificate issued = ca.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(90));
        CertificateFactory cf = CertificateFactory.getInstance("X.509");

        assertThat(issued.leafPem()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(issued.leafPem().lines().filter(l -> !l.startsWith("-----")))
                .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(64));
        assertThat(certs(cf, issued.leafPem())).containsExactly(issued.leaf());
        assertThat(certs(cf, issued.chainPem())).containsExactly(ca.intermediate());
        assertThat(certs(cf, issued.fullChainPem()))
                .containsExactly(issued.leaf(), ca.intermediate());
        assertThat(issued.intermediates()).containsExactly(ca.intermediate());
        assertThat(issued.root()).isEqualTo(ca.root());
    }

    private static List<java.security.cert.Certificate> certs(CertificateFactory cf, String pem) throws Exception {
        return List.copyOf(cf.generateCertificates(pemStream(pem)));
    }

    private static ByteArrayInputStream pemStream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void filesAreWrittenAsPem() throws Exception {
        assertThat(ca.rootPemPath()).isEqualTo(caDir.resolve("root.crt"));
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        try (var in = Files.newInputStream(ca.rootPemPath())) {
            assertThat(cf.generateCertificate(in)).isEqualTo(ca.root());
        }
        assertThat(Files.readString(caDir.resolve("root.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(caDir.resolve("intermediate.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(caDir.resolve("intermediate.crt"))).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir.resolve("root.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir.resolve("root.crt")))).isEqualTo("rw-r--r--");
    }

    @Test
    void secondLoadOnTheSameDirReturnsTheSameRoot() throws Exception {
        Clock later = Clock.fixed(NOW.plus(Duration.ofDays(30)), ZoneOffset.UTC);
        SandboxCa again = SandboxCa.loadOrCreate(caDir, later);

        assertThat(again.root().getEncoded()).isEqualTo(ca.root().getEncoded());
        assertThat(again.intermediate().getEncoded()).isEqualTo(ca.intermediate().getEncoded());
        // the reloaded intermediate key signs leaves that chain to the original root
        IssuedCertificate issued = again.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(90));
        assertThat(validate(issued, later.instant()).getTrustAnchor().getTrustedCert()).isEqualTo(ca.root());
    }

    @Test
    void aNewDirGetsANewRoot(@TempDir Path other) {
        SandboxCa fresh = SandboxCa.loadOrCreate(other.resolve("nested/ca"), CLOCK);
        assertThat(fresh.root()).isNotEqualTo(ca.root());
        assertThat(fresh.rootPemPath()).exists();
    }

    @Test
    void aLoneKeyOrCertificateIsRefusedNotOverwritten(@TempDir Path other) throws Exception {
        SandboxCa.loadOrCreate(other, CLOCK);
        Files.delete(other.resolve("root.key"));
        byte[] rootBefore = Files.readAllBytes(other.resolve("root.crt"));
        assertThatThrownBy(() -> SandboxCa.loadOrCreate(other, CLOCK))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("root.crt without root.key");
        assertThat(Files.readAllBytes(other.resolve("root.crt"))).isEqualTo(rootBefore);
    }

    @Test
    void aMissingIntermediateIsRemadeUnderTheSameRoot(@TempDir Path other) throws Exception {
        SandboxCa first = SandboxCa.loadOrCreate(other, CLOCK);
        Files.delete(other.resolve("intermediate.crt"));
        Files.delete(other.resolve("intermediate.key"));
        SandboxCa second = SandboxCa.loadOrCreate(other, CLOCK);
        assertThat(second.root()).isEqualTo(first.root());
        assertThat(second.intermediate()).isNotEqualTo(first.intermediate());
        second.intermediate().verify(first.root().getPublicKey());
    }

    @Test
    void leafNeverOutlivesTheIntermediate() {
        // 4 years 300 days on: the intermediate (5 years) ends before 200 days are over
        Clock late = Clock.fixed(Instant.parse("2031-09-25T10:15:30Z"), ZoneOffset.UTC);
        SandboxCa sameCa = SandboxCa.loadOrCreate(caDir, late);
        X509Certificate leaf = sameCa.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(200)).leaf();
        assertThat(leaf.getNotAfter()).isEqualTo(ca.intermediate().getNotAfter());

        SandboxCa expired = SandboxCa.loadOrCreate(caDir, Clock.fixed(Instant.parse("2031-12-01T00:00:00Z"), ZoneOffset.UTC));
        assertThatThrownBy(() -> expired.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ofDays(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("intermediate expired");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> ca.issue(ecKey.getPublic(), List.of(), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ca.issue(ecKey.getPublic(), List.of("www.example.com"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ca.issue(ecKey.getPublic(), List.of(" "), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ca.issue(ecKey.getPublic(), List.of("bücher.example"), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
