package io.certhub.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificatesTest {

    static TestPki.Pki pki;

    @BeforeAll
    static void setUp() {
        pki = TestPki.create("www.example.com", "example.com");
    }

    private static String pem(X509Certificate c) {
        return Certificates.toPem(List.of(c));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void parsesSinglePemBlock() {
        List<X509Certificate> certs = Certificates.parseAny(ascii(pem(pki.leaf())));
        assertThat(certs).containsExactly(pki.leaf());
        assertThat(certs.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=www.example.com");
    }

    @Test
    void parsesManyBlocksWithCrlfAndNoFinalNewline() {
        String text = "Bag Attributes\r\n    friendlyName: leaf\r\nsubject=/CN=www.example.com\r\n"
                + (pem(pki.leaf()) + pem(pki.intermediate()) + pem(pki.root())).replace("\n", "\r\n");
        text = text.substring(0, text.length() - 2); // no final CRLF
        assertThat(text).endsWith("-----END CERTIFICATE-----");

        assertThat(Certificates.parseAny(ascii(text))).containsExactly(pki.leaf(), pki.intermediate(), pki.root());
    }

    @Test
    void parsesGluedBlocks() {
        String glued = pem(pki.leaf()).strip() + pem(pki.intermediate()).strip();
        assertThat(glued).contains("-----END CERTIFICATE----------BEGIN CERTIFICATE-----");

        assertThat(Certificates.parseAny(ascii(glued))).containsExactly(pki.leaf(), pki.intermediate());
    }

    @Test
    void parsesIndentedBlocksWithStrayWhitespaceAndOddLineLengths() {
        String b64 = Base64.getEncoder().encodeToString(Certificates.encoded(pki.leaf()));
        StringBuilder sb = new StringBuilder("   -----BEGIN CERTIFICATE-----\n");
        for (int i = 0; i < b64.length(); i += 76) {
            sb.append("\t  ").append(b64, i, Math.min(b64.length(), i + 76)).append("  \n");
        }
        sb.append("   -----END CERTIFICATE-----   \n");

        assertThat(Certificates.parseAny(ascii(sb.toString()))).containsExactly(pki.leaf());
    }

    @Test
    void parsesX509CertificateLabelAndSkipsKeysCsrsAndBrokenBlocks() {
        String x509 = pem(pki.leaf()).replace("CERTIFICATE", "X509 CERTIFICATE");
        String broken = pem(pki.intermediate()).replace("MII", "M!I").substring(0, 200) + "\n-----END CERTIFICATE-----\n";
        String key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
        String truncated = "-----BEGIN CERTIFICATE-----\nMIIBxTCCAWugAwIBAgI\n"; // never ended

        byte[] der = Certificates.encoded(pki.intermediate());
        byte[] withAux = java.util.Arrays.copyOf(der, der.length + 2); // OpenSSL X509_AUX: an empty SEQUENCE
        withAux[der.length] = 0x30;
        String trusted = Certificates.toPem("TRUSTED CERTIFICATE", withAux);

        List<X509Certificate> certs = Certificates.parseAny(
                ascii(key + broken + truncated + x509 + trusted + pem(pki.root())));

        assertThat(certs).containsExactly(pki.leaf(), pki.intermediate(), pki.root());
    }

    @Test
    void parsesDer() {
        byte[] der = Certificates.encoded(pki.intermediate());
        assertThat(Certificates.parseAny(der)).containsExactly(pki.intermediate());

        byte[] withTrailingNewline = new byte[der.length + 2];
        System.arraycopy(der, 0, withTrailingNewline, 0, der.length);
        withTrailingNewline[der.length] = '\r';
        withTrailingNewline[der.length + 1] = '\n';
        assertThat(Certificates.parseAny(withTrailingNewline)).containsExactly(pki.intermediate());
    }

    @Test
    void parsesBareBase64Der() {
        String bare = Base64.getMimeEncoder().encodeToString(Certificates.encoded(pki.leaf()));
        assertThat(Certificates.parseAny(ascii(bare))).containsExactly(pki.leaf());
    }

    @Test
    void parsesPkcs7DerAndPemWrittenByTheJdk() throws Exception {
        CertPath path = CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(pki.leaf(), pki.intermediate(), pki.root()));
        byte[] p7 = path.getEncoded("PKCS7");

        // the JDK writes the certificates as a sorted DER SET OF: the order is the encoding's
        assertThat(Certificates.parseAny(p7)).containsExactlyInAnyOrder(pki.leaf(), pki.intermediate(), pki.root());

        String p7Pem = Certificates.toPem("PKCS7", p7).replace("\n", "\r\n");
        assertThat(Certificates.parseAny(ascii("Here is your p7b:\r\n" + p7Pem)))
                .containsExactlyInAnyOrder(pki.leaf(), pki.intermediate(), pki.root());
    }

    @Test
    void returnsEmptyForNothingUseful() {
        assertThat(Certificates.parseAny(null)).isEmpty();
        assertThat(Certificates.parseAny(new byte[0])).isEmpty();
        assertThat(Certificates.parseAny(ascii("Dear customer, your order 7730001 is being processed."))).isEmpty();
        assertThat(Certificates.parseAny(new byte[] {0x30, 0x03, 0x02, 0x01, 0x05})).isEmpty();
        assertThat(Certificates.parseAny(TestPki.caseBytes("zip-bundle-email/shop.example.com.csr"))).isEmpty();
        byte[] der = Certificates.encoded(pki.leaf());
        assertThat(Certificates.parseAny(java.util.Arrays.copyOf(der, der.length / 2))).isEmpty();
    }

    @Test
    void survivesHostileDer() {
        byte[] nested = new byte[400_000]; // SEQUENCE { SEQUENCE { ... } } with indefinite lengths
        for (int i = 0; i < nested.length; i += 2) {
            nested[i] = 0x30;
            nested[i + 1] = (byte) 0x80;
        }
        assertThat(Certificates.parseAny(nested)).isEmpty();
        assertThat(Certificates.parseAny(new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}))
                .isEmpty();
        byte[] bigLength = {0x30, (byte) 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x30};
        assertThat(Certificates.parseAny(bigLength)).isEmpty();
    }

    @Test
    void readsTheSharedTestRoot() {
        X509Certificate root = TestPki.caseCert("trust/test-root.crt");
        assertThat(root.getSubjectX500Principal().getName())
                .isEqualTo("CN=Example Test Root R1,O=Example Trust Services (TEST),C=US");
        assertThat(Certificates.sha256Fingerprint(root.getPublicKey()))
                .isEqualTo("4927b133ad71bbeec91d4eafb482fd4660d95a42e2067d2dc341b5309b5293c3");
    }

    @Test
    void toPemWritesWellFormedSeparateBlocks() {
        String out = Certificates.toPem(List.of(pki.leaf(), pki.intermediate()));

        assertThat(out).doesNotContain("\r").doesNotContain("----------").endsWith("-----END CERTIFICATE-----\n");
        assertThat(out).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(out).contains("-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n");
        String[] lines = out.split("\n");
        assertThat(lines).filteredOn(l -> l.startsWith("-----BEGIN ")).hasSize(2);
        assertThat(lines).filteredOn(l -> l.startsWith("-----END ")).hasSize(2);
        for (String line : lines) {
            if (!line.startsWith("-----")) {
                assertThat(line).matches("[A-Za-z0-9+/=]{1,64}");
            }
        }
        // every base64 line but the last of a block is exactly 64 columns
        String body = out.substring(out.indexOf('\n') + 1, out.indexOf("-----END"));
        String[] bodyLines = body.split("\n");
        for (int i = 0; i < bodyLines.length - 1; i++) {
            assertThat(bodyLines[i]).hasSize(64);
        }
        assertThat(Certificates.parseAny(ascii(out))).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(Certificates.toPem(List.of())).isEmpty();
    }

    @Test
    void toPkcs7DerWritesCertsOnlySignedDataInOrder() throws Exception {
        byte[] p7 = Certificates.toPkcs7Der(List.of(pki.leaf(), pki.intermediate()));

        ContentInfo ci = ContentInfo.getInstance(ASN1Primitive.fromByteArray(p7));
        assertThat(ci.getContentType()).isEqualTo(CMSObjectIdentifiers.signedData);
        SignedData sd = SignedData.getInstance(ci.getContent());
        assertThat(sd.getSignerInfos().size()).isZero();
        assertThat(sd.getCertificates().size()).isEqualTo(2);
        assertThat(sd.getEncapContentInfo().getContent()).isNull();
        assertThat(p7[1] & 0xff).as("definite length").isNotEqualTo(0x80);
        assertThat(ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(p7)).size()).isEqualTo(2);

        // the JDK reads it too, in the same order
        List<Certificate> jdk = List.copyOf(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(p7)));
        assertThat(jdk).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(Certificates.parseAny(p7)).containsExactly(pki.leaf(), pki.intermediate());
    }

    @Test
    void sha256FingerprintMatchesOpenssl() {
        // openssl req -in shop.example.com.csr -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum
        assertThat(Certificates.sha256Fingerprint(TestPki.csrKey("zip-bundle-email/shop.example.com.csr")))
                .isEqualTo("008f50ebe2c7bab7ba21b52bb1f601a094b52b517a95a929d38b95fa0d0bb84f");
        assertThat(Certificates.sha256Fingerprint(pki.leaf().getPublicKey())).matches("[0-9a-f]{64}")
                .isNotEqualTo(Certificates.sha256Fingerprint(pki.root().getPublicKey()));
    }
}
