package io.certhub.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * {@link CertificateFacts} read from real certificates: the shared cases' issued leaf (RSA 2048,
 * inside {@code zip-bundle-email/shop_example_com.zip}) and DV intermediate (a serial with the
 * high bit set), and {@code src/test/resources/certificates/ec384-ip-san.pem} (made with
 * {@code openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -set_serial 0x0a0102}, a
 * comma in the O, upper-case DNS names, IPv4/IPv6 and email SANs). Expected values are what
 * {@code openssl x509 -noout -serial -subject -issuer -dates -fingerprint -sha256 -nameopt RFC2253} prints.
 */
class CertificateFactsTest {

    @Test
    void theSharedCasesIssuedLeafIsReadAsOpensslReadsIt() throws IOException {
        CertificateFacts f = CertificateFacts.of(zipLeaf());
        assertThat(f.serialHex()).isEqualTo("370493ab3521dcc5");
        assertThat(f.subjectDn()).isEqualTo("CN=shop.example.com");
        assertThat(f.issuerDn()).isEqualTo("CN=Example Test DV Issuing CA R2,O=Example Trust Services (TEST),C=US");
        assertThat(f.commonName()).isEqualTo("shop.example.com");
        assertThat(f.sans()).containsExactly("shop.example.com", "www.shop.example.com");
        assertThat(f.keyType()).isEqualTo("RSA");
        assertThat(f.keySize()).isEqualTo(2048);
        assertThat(f.notBefore()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(f.notAfter()).isEqualTo(Instant.parse("2027-12-03T00:00:00Z"));
        assertThat(f.sha256()).isEqualTo("b7ee6a213a3a018428f8f867d12686e26d21447bb1f206314e9ee6425949069b");
        assertThat(f.sansColumn()).isEqualTo(" shop.example.com www.shop.example.com ");
    }

    @Test
    void aSerialWithTheHighBitSetHasNoSignByte() {
        X509Certificate ca = TestPki.caseCert("trust/test-dv-intermediate.crt");
        CertificateFacts f = CertificateFacts.of(ca);
        assertThat(f.serialHex()).isEqualTo("afa31977654061e4");          // DER holds 00 af a3 …; openssl prints AFA3…
        assertThat(new BigInteger(f.serialHex(), 16)).isEqualTo(ca.getSerialNumber());
        assertThat(f.subjectDn()).isEqualTo("CN=Example Test DV Issuing CA R2,O=Example Trust Services (TEST),C=US");
        assertThat(f.issuerDn()).isEqualTo("CN=Example Test Root R1,O=Example Trust Services (TEST),C=US");
        assertThat(f.sans()).isEmpty();
        assertThat(f.sansColumn()).isEmpty();
        assertThat(f.sha256()).isEqualTo("46eaf7111250cf08cb52a39393cefc6a4ba70aa869bd651e0713606fa4857c8d");
        assertThat(f.notAfter()).isEqualTo(Instant.parse("2034-01-01T00:00:00Z"));
    }

    @Test
    void anEcP384CertificateWithIpSansAndALeadingZeroNibbleInItsSerial() throws IOException {
        String pem;
        try (InputStream in = getClass().getResourceAsStream("/certificates/ec384-ip-san.pem")) {
            pem = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
        CertificateFacts f = CertificateFacts.ofPem(pem);
        assertThat(f.serialHex()).isEqualTo("0a0102");                     // openssl: serial=0A0102; JCA toString(16): a0102
        assertThat(f.subjectDn()).isEqualTo("CN=www.example.org,O=Beispiel\\, GmbH,C=DE");
        assertThat(f.issuerDn()).isEqualTo(f.subjectDn());
        assertThat(f.commonName()).isEqualTo("www.example.org");
        // dNSName lower-cased, iPAddress as JCA prints it, the rfc822Name left out
        assertThat(f.sans()).containsExactly("www.example.org", "example.org", "192.0.2.7", "2001:db8:0:0:0:0:0:1");
        assertThat(f.keyType()).isEqualTo("EC");
        assertThat(f.keySize()).isEqualTo(384);
        assertThat(f.notBefore()).isEqualTo(Instant.parse("2026-12-07T03:14:20Z"));
        assertThat(f.notAfter()).isEqualTo(Instant.parse("2027-03-07T03:14:20Z"));
        assertThat(f.sha256()).isEqualTo("c39eb76e25e91d2e86b6050ffd08717dd4746158d357f562606bc86ff7559f86");
        assertThat(CertificateFacts.sansFromColumn(f.sansColumn())).isEqualTo(f.sans());
    }

    @Test
    void aGeneratedEcP256LeafAndSerialsAtTheEdges() {
        TestPki.Pki pki = TestPki.create("a.example.com", "B.example.com");
        CertificateFacts f = CertificateFacts.of(pki.leaf());
        assertThat(f.keyType()).isEqualTo("EC");
        assertThat(f.keySize()).isEqualTo(256);
        assertThat(f.sans()).containsExactly("a.example.com", "b.example.com");
        assertThat(new BigInteger(f.serialHex(), 16)).isEqualTo(pki.leaf().getSerialNumber());
        assertThat(f.serialHex().length() % 2).isZero();
        assertThat(CertificateFacts.serialHex(BigInteger.ONE)).isEqualTo("01");
        assertThat(CertificateFacts.serialHex(BigInteger.valueOf(0x80))).isEqualTo("80");
        assertThat(CertificateFacts.serialHex(new BigInteger("00ff00", 16))).isEqualTo("ff00");
    }

    @Test
    void aTextWithoutACertificateIsRefused() {
        assertThatThrownBy(() -> CertificateFacts.ofPem("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(CertificateFacts.sansFromColumn(null)).isEmpty();
    }

    /** The leaf of the shared cases' ZIP bundle. */
    static X509Certificate zipLeaf() throws IOException {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(TestPki.caseBytes("zip-bundle-email/shop_example_com.zip")))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("shop_example_com.crt")) {
                    List<X509Certificate> certs = Certificates.parseAny(zip.readAllBytes());
                    return certs.get(0);
                }
            }
        }
        throw new IllegalStateException("shop_example_com.crt not in the bundle");
    }
}
