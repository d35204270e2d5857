package io.certhub.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.pki.CertificateChecker;
import io.certhub.pki.Certificates;
import io.certhub.pki.Chain;
import io.certhub.pki.ChainBuilder;
import io.certhub.pki.CheckResult;
import io.certhub.pki.PkiException;
import io.certhub.pki.TestPki;
import jakarta.activation.DataHandler;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateExtractorTest {

    static final Session SESSION = Session.getInstance(new Properties());
    static final String ISSUED_EML = "zip-bundle-email/issued-email.eml";

    static TestPki.Pki pki;
    final CertificateExtractor extractor = new CertificateExtractor();

    @BeforeAll
    static void setUp() {
        pki = TestPki.create("shop.example.com", "www.shop.example.com");
    }

    // --- the real vendor email ------------------------------------------------------------

    @Test
    void realZipBundleEmail() throws Exception {
        Extraction x = extractor.extract(load(TestPki.caseBytes(ISSUED_EML)));

        assertThat(x.certificates()).extracting(c -> c.getSubjectX500Principal().getName()).containsExactly(
                "CN=shop.example.com",
                "CN=Example Test DV Issuing CA R2,O=Example Trust Services (TEST),C=US",
                "CN=Example Test Root R1,O=Example Trust Services (TEST),C=US");
        assertThat(x.vendorOrderIds()).containsExactly("7730001");
        assertThat(x.subject()).isEqualTo("ORDER #7730001 - Your PositiveSSL Certificate for shop.example.com");
        assertThat(x.messageId()).isEqualTo("<7730001.issued.1764407642@ca-mail.example.net>");

        Chain chain = ChainBuilder.build(x.certificates());
        assertThat(chain.leaf().getSerialNumber().toString(16)).isEqualTo("370493ab3521dcc5");
        assertThat(CertificateChecker.dnsNames(chain.leaf())).containsExactly("shop.example.com", "www.shop.example.com");
        assertThat(chain.intermediates()).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=Example Test DV Issuing CA R2,O=Example Trust Services (TEST),C=US");
        assertThat(chain.root()).isEqualTo(TestPki.caseCert("trust/test-root.crt"));

        Instant at = chain.leaf().getNotBefore().toInstant().plus(1, ChronoUnit.DAYS);
        assertThat(at).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
        CheckResult r = new CertificateChecker().check(chain, TestPki.csrKey("zip-bundle-email/shop.example.com.csr"),
                List.of("shop.example.com"), List.of(TestPki.caseCert("trust/test-root.crt")), at);
        assertThat(r).isEqualTo(CheckResult.ok());

        // what goes to the admin contact: leaf and intermediate as separate, well-formed blocks
        String pem = Certificates.toPem(chain.leafAndIntermediates());
        assertThat(pem).doesNotContain("----------").doesNotContain("\r");
        assertThat(pem.split("-----BEGIN CERTIFICATE-----\n", -1)).hasSize(3);
    }

    @Test
    void realEmailCheckedWithoutItsIntermediateTrustOrAtTheWrongTime() throws Exception {
        Chain chain = ChainBuilder.build(extractor.extract(load(TestPki.caseBytes(ISSUED_EML))).certificates());
        CertificateChecker checker = new CertificateChecker();
        var csrKey = TestPki.csrKey("zip-bundle-email/shop.example.com.csr");
        Instant inside = Instant.parse("2026-11-29T09:14:02Z");

        assertThat(checker.check(chain, csrKey, List.of("shop.example.com", "api.shop.example.com"),
                List.of(TestPki.caseCert("trust/test-root.crt")), inside).detail())
                .isEqualTo("names not covered: api.shop.example.com; certificate names: shop.example.com, "
                        + "www.shop.example.com");
        assertThat(checker.check(chain, csrKey, List.of("shop.example.com"), List.of(pki.root()), inside).code())
                .isEqualTo("CHAIN_UNTRUSTED");
        assertThat(checker.check(chain, csrKey, List.of("shop.example.com"),
                List.of(TestPki.caseCert("trust/test-root.crt")), Instant.parse("2027-12-03T00:00:01Z")).code())
                .isEqualTo("NOT_VALID_AT_TIME");
        assertThat(checker.check(chain, pki.leafKey().getPublic(), List.of("shop.example.com"),
                List.of(TestPki.caseCert("trust/test-root.crt")), inside).detail())
                .contains("008f50ebe2c7bab7ba21b52bb1f601a094b52b517a95a929d38b95fa0d0bb84f");
    }

    @Test
    void realEmailForwardedAsAnAttachedMessage() throws Exception {
        MimeMessage fwd = message("Fwd: ORDER #7730001 - Your PositiveSSL Certificate for shop.example.com",
                text("Forwarding the vendor mail, ticket 4400123.\n", "plain"),
                rfc822(TestPki.caseBytes(ISSUED_EML)));

        Extraction x = extractor.extract(roundTrip(fwd));

        assertThat(x.certificates()).hasSize(3);
        assertThat(ChainBuilder.build(x.certificates()).leaf().getSubjectX500Principal().getName())
                .isEqualTo("CN=shop.example.com");
        assertThat(x.vendorOrderIds()).containsExactly("7730001", "4400123");
    }

    // --- bodies --------------------------------------------------------------------------

    @Test
    void pemInPlainTextBodyAndOrderIdsInOrder() throws Exception {
        MimeMessage m = message("Certificate issued: order 1234567 (ref 00123)",
                text("Hello,\n\nyour order 1234567 for shop.example.com, invoice 76543210, ticket 123456:\n\n"
                        + pem(pki.leaf()) + "\nIntermediate:\n" + pem(pki.intermediate()) + "\nCall +1 555 0100.\n",
                        "plain"));

        Extraction x = extractor.extract(roundTrip(m));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(x.vendorOrderIds()).containsExactly("1234567", "76543210");
        assertThat(x.subject()).isEqualTo("Certificate issued: order 1234567 (ref 00123)");
        assertThat(x.messageId()).startsWith("<").endsWith(">");
    }

    @Test
    void gluedPemBlocksInBody() throws Exception {
        String glued = pem(pki.leaf()).strip() + pem(pki.intermediate()).strip() + pem(pki.root()).strip();
        assertThat(glued).contains("-----END CERTIFICATE----------BEGIN CERTIFICATE-----");

        Extraction x = extractor.extract(roundTrip(message("Your certificate", text(glued, "plain"))));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate(), pki.root());
    }

    @Test
    void quotedPrintableBodyWithSoftLineBreaksInsideTheBase64() throws Exception {
        String raw = headers("Order 2345678 issued", "text/plain; charset=us-ascii")
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                + qpSoftWrapped("Your certificate for order 2345678 (note: a=b):\r\n\r\n"
                        + longLinePem(pki.leaf()) + longLinePem(pki.intermediate())) + "\r\n";
        assertThat(raw).contains("=\r\n").contains("=3D");

        Extraction x = extractor.extract(load(raw.getBytes(StandardCharsets.US_ASCII)));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(x.vendorOrderIds()).containsExactly("2345678");
    }

    @Test
    void undeclaredQuotedPrintableIsUndoneByContent() throws Exception {
        // a relay dropped the Content-Transfer-Encoding header but left the encoding; the PEM was
        // pasted on one line after 60 characters of text, so a soft line break splits its header
        String line = "Your certificate follows, paste it into your server config: " + "-----BEGIN CERTIFICATE-----"
                + b64(Certificates.encoded(pki.leaf())) + "-----END CERTIFICATE-----";
        String raw = headers("Your certificate", "text/plain; charset=us-ascii") + "\r\n" + qpSoftWrapped(line);
        assertThat(raw).doesNotContain("-----BEGIN CERTIFICATE-----").contains("=\r\n");

        Extraction x = extractor.extract(load(raw.getBytes(StandardCharsets.US_ASCII)));

        assertThat(x.certificates()).containsExactly(pki.leaf());
    }

    @Test
    void htmlBodyWithBreaksAndEntitiesAroundThePem() throws Exception {
        MimeMultipart alt = new MimeMultipart("alternative");
        alt.addBodyPart(text("Your certificate is in the HTML part. Order 5550001.", "plain"));
        alt.addBodyPart(text("<html><body><p>Order&nbsp;#5550002 is issued.</p>"
                + "<p style=\"font-family:monospace\">" + htmlPem(pki.leaf()) + "</p>"
                + "<div><span>" + htmlPem(pki.intermediate()) + "</span></div>"
                + "<!-- 9990001 --></body></html>", "html"));

        Extraction x = extractor.extract(roundTrip(message("Issued", alt)));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(x.vendorOrderIds()).containsExactly("5550001", "5550002");
    }

    @Test
    void messageWithoutCertificates() throws Exception {
        Extraction x = extractor.extract(roundTrip(message("ORDER #7730002 - awaiting domain validation",
                text("Please approve order 7730002.", "plain"))));

        assertThat(x.certificates()).isEmpty();
        assertThat(x.vendorOrderIds()).containsExactly("7730002");
    }

    // --- attachments ---------------------------------------------------------------------

    @Test
    void crtCerPemAttachmentsPemOrDerWhateverTheirDeclaredType() throws Exception {
        TestPki.Pki other = TestPki.create("other.example.org");
        MimeMessage m = message("Certificates",
                text("Attached.", "plain"),
                attachment(Certificates.encoded(pki.leaf()), "application/x-x509-user-cert", "shop_example_com.crt"),
                attachment(pem(pki.intermediate()).getBytes(StandardCharsets.US_ASCII), "application/pkix-cert",
                        "intermediate.cer"),
                attachment(pem(pki.root()).replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII), "text/plain",
                        "root.pem"),
                attachment(Certificates.encoded(other.leaf()), "image/png", "logo.png"));

        Extraction x = extractor.extract(roundTrip(m));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate(), pki.root(), other.leaf());
    }

    @Test
    void pkcs7AttachmentsDerAndPem() throws Exception {
        byte[] p7 = Certificates.toPkcs7Der(List.of(pki.leaf(), pki.intermediate()));
        String p7Pem = Certificates.toPem("PKCS7", Certificates.toPkcs7Der(List.of(pki.root())));
        MimeMessage m = message("Certificates",
                attachment(p7, "application/x-pkcs7-certificates", "shop_example_com.p7b"),
                attachment(p7Pem.getBytes(StandardCharsets.US_ASCII), "application/octet-stream", "root.p7c"));

        Extraction x = extractor.extract(roundTrip(m));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate(), pki.root());
    }

    @Test
    void zipBundleWithCrtAndCaBundle() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("certs/", new byte[0]);
        entries.put("certs/shop_example_com.crt", crlfNoFinalNewline(pki.leaf()));
        entries.put("certs/shop_example_com.ca-bundle",
                (pem(pki.intermediate()) + pem(pki.root())).getBytes(StandardCharsets.US_ASCII));
        entries.put("README.txt", "Install both files. Order 3330001.".getBytes(StandardCharsets.US_ASCII));
        entries.put("shop_example_com.p7b", Certificates.toPkcs7Der(List.of(pki.leaf(), pki.intermediate())));

        // no file name, declared as plain bytes: found by content
        Extraction x = extractor.extract(roundTrip(message("Order 3330001", text("See the bundle.", "plain"),
                attachment(zip(entries), "application/octet-stream", null))));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate(), pki.root());
        assertThat(x.vendorOrderIds()).containsExactly("3330001");
    }

    @Test
    void zipWithExactly32EntriesIsRead() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 31; i++) {
            entries.put("filler-" + i + ".txt", ("filler " + i).getBytes(StandardCharsets.US_ASCII));
        }
        entries.put("leaf.crt", Certificates.encoded(pki.leaf()));

        Extraction x = extractor.extract(roundTrip(message("Bundle", attachment(zip(entries), "application/zip", "b.zip"))));

        assertThat(x.certificates()).containsExactly(pki.leaf());
    }

    @Test
    void zipWithTooManyEntries() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("leaf.crt", Certificates.encoded(pki.leaf()));
        for (int i = 0; i < 32; i++) {
            entries.put("filler-" + i + ".txt", new byte[] {'x'});
        }

        assertZipLimit(entries, "ZIP bundle holds more than 32 entries");
    }

    @Test
    void zipBombEntryOverOneMebibyte() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("leaf.crt", Certificates.encoded(pki.leaf()));
        entries.put("bomb.crt", new byte[2 * 1024 * 1024]); // deflates to about 2 KiB
        byte[] zip = zip(entries);
        assertThat(zip.length).isLessThan(8 * 1024);

        assertZipLimit(entries, "ZIP entry 'bomb.crt' expands beyond 1048576 bytes");
    }

    @Test
    void zipOverFourMebibytesInAll() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            entries.put("part-" + i + ".pem", new byte[900 * 1024]);
        }

        assertZipLimit(entries, "ZIP bundle expands beyond 4194304 bytes in all");
    }

    @Test
    void nestedZipIsNotFollowed() throws Exception {
        byte[] inner = zip(Map.of("leaf.crt", Certificates.encoded(pki.leaf())));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("inner.zip", inner);
        entries.put("inner-renamed.crt", inner);
        entries.put("ca.crt", Certificates.encoded(pki.intermediate()));

        Extraction x = extractor.extract(roundTrip(message("Bundle", attachment(zip(entries), "application/zip", "b.zip"))));

        assertThat(x.certificates()).containsExactly(pki.intermediate());
    }

    @Test
    void nestedMultiparts() throws Exception {
        MimeMultipart related = new MimeMultipart("related");
        related.addBodyPart(text("<html><body>Order 6660001<br>" + htmlPem(pki.leaf()) + "</body></html>", "html"));
        related.addBodyPart(attachment(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0}, "image/png", null));
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text("Order 6660001, see the HTML part.", "plain"));
        alternative.addBodyPart(wrap(related));
        MimeMultipart inner = new MimeMultipart("mixed");
        inner.addBodyPart(attachment(zip(Map.of("ca.crt", Certificates.encoded(pki.intermediate()))),
                "application/zip", "ca.zip"));
        MimeMultipart top = new MimeMultipart("mixed");
        top.addBodyPart(wrap(alternative));
        top.addBodyPart(wrap(inner));

        Extraction x = extractor.extract(roundTrip(message("Nested", top)));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(x.vendorOrderIds()).containsExactly("6660001");
    }

    @Test
    void attachmentNamesInRfc2231AndRfc2047AndNone() throws Exception {
        String boundary = "b-2231";
        String raw = headers("=?UTF-8?B?" + b64("Zertifikat für Bestellung 8120001".getBytes(StandardCharsets.UTF_8))
                + "?=", "multipart/mixed; boundary=\"" + boundary + "\"")
                + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Type: application/octet-stream;\r\n name*0=\"sehr-langer-name-\";\r\n name*1=\"teil-zwei.crt\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment;\r\n filename*=UTF-8''%E2%9C%93%20shop%20%C3%BCbersicht.crt\r\n\r\n"
                + mimeB64(Certificates.encoded(pki.leaf())) + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Type: application/octet-stream; name=\"=?UTF-8?Q?Zwischenzertifikat_=C3=BC.pem?=\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"=?UTF-8?B?"
                + b64("Zwischenzertifikat ü.pem".getBytes(StandardCharsets.UTF_8)) + "?=\"\r\n\r\n"
                + mimeB64(pem(pki.intermediate()).getBytes(StandardCharsets.US_ASCII)) + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + mimeB64(Certificates.encoded(pki.root())) + "\r\n"
                + "--" + boundary + "--\r\n";

        MimeMessage m = load(raw.getBytes(StandardCharsets.US_ASCII));
        MimeMultipart mp = (MimeMultipart) m.getContent();
        assertThat(mp.getBodyPart(0).getFileName()).isEqualTo("✓ shop übersicht.crt");
        assertThat(mp.getBodyPart(2).getFileName()).isNull();

        Extraction x = extractor.extract(m);

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate(), pki.root());
        assertThat(x.subject()).isEqualTo("Zertifikat für Bestellung 8120001");
        assertThat(x.vendorOrderIds()).containsExactly("8120001");
    }

    @Test
    void forwardedMessageRecursesAndSniffsAnEmlSentAsOctetStream() throws Exception {
        MimeMessage vendorMail = message("ORDER #8880001 issued", text("Order 8880001 is ready.", "plain"),
                attachment(zip(entries("shop.crt", pem(pki.leaf()).getBytes(StandardCharsets.US_ASCII),
                        "shop.ca-bundle", pem(pki.intermediate()).getBytes(StandardCharsets.US_ASCII))),
                        "application/zip", "shop.zip"));
        byte[] vendorBytes = bytes(roundTrip(vendorMail));

        Extraction asRfc822 = extractor.extract(roundTrip(message("Fwd: certificate",
                text("FYI, forwarded by the support desk.", "plain"), rfc822(vendorBytes))));
        assertThat(asRfc822.certificates()).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(asRfc822.vendorOrderIds()).containsExactly("8880001");
        assertThat(asRfc822.subject()).isEqualTo("Fwd: certificate");

        Extraction asFile = extractor.extract(roundTrip(message("Fwd: certificate",
                text("FYI.", "plain"), attachment(vendorBytes, "application/octet-stream", "vendor mail.eml"))));
        assertThat(asFile.certificates()).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(asFile.vendorOrderIds()).containsExactly("8880001");
    }

    @Test
    void deduplicatesAndIgnoresIdsInAttachments() throws Exception {
        MimeMessage m = message("Your certificate",
                text("Order 4440001.\n" + pem(pki.leaf()), "plain"),
                attachment(Certificates.encoded(pki.leaf()), "application/pkix-cert", "leaf.cer"),
                attachment(("Invoice 9990001\n" + pem(pki.intermediate()) + pem(pki.leaf()))
                        .getBytes(StandardCharsets.US_ASCII), "text/plain", "invoice.txt"));

        Extraction x = extractor.extract(roundTrip(m));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(x.vendorOrderIds()).containsExactly("4440001");
    }

    @Test
    void brokenBase64AttachmentDoesNotStopTheRest() throws Exception {
        String boundary = "b-broken";
        String raw = headers("Order 1110001", "multipart/mixed; boundary=\"" + boundary + "\"") + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + "!!!! not base64 at all ????\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Type: text/plain\r\n\r\n" + pem(pki.leaf()) + "\r\n"
                + "--" + boundary + "--\r\n";

        Extraction x = extractor.extract(load(raw.getBytes(StandardCharsets.US_ASCII)));

        assertThat(x.certificates()).containsExactly(pki.leaf());
        assertThat(x.vendorOrderIds()).containsExactly("1110001");
    }

    @Test
    void truncatedZipYieldsWhatItCanAndNoError() throws Exception {
        byte[] noise = new byte[20_000];
        new java.util.Random(1).nextBytes(noise); // incompressible, so the cut falls inside it
        byte[] zip = zip(entries("a.crt", Certificates.encoded(pki.leaf()), "b.bin", noise,
                "c.crt", Certificates.encoded(pki.root())));
        byte[] truncated = java.util.Arrays.copyOf(zip, zip.length / 2);

        Extraction x = extractor.extract(roundTrip(message("Bundle", text(pem(pki.intermediate()), "plain"),
                attachment(truncated, "application/zip", "b.zip"))));

        assertThat(x.certificates()).containsExactly(pki.intermediate(), pki.leaf());
    }

    @Test
    void smimeSignatureCertificatesAreNotTheOrders() throws Exception {
        TestPki.Pki mailer = TestPki.createWithCaNames("C=US, CN=Mailer Root", "C=US, CN=Mailer CA", "ca-mail.example.net");
        String bodyText = "Order 7770001 is issued.\n" + pem(pki.leaf()) + pem(pki.intermediate());
        MimeMultipart signed = new MimeMultipart("signed");
        signed.addBodyPart(text(bodyText, "plain"));
        signed.addBodyPart(attachment(sign(entity(bodyText), false, mailer), "application/pkcs7-signature",
                "smime.p7s"));

        Extraction x = extractor.extract(roundTrip(message("ORDER #7770001", signed)));

        assertThat(x.certificates()).containsExactly(pki.leaf(), pki.intermediate());
        assertThat(ChainBuilder.build(x.certificates()).leaf()).isEqualTo(pki.leaf());
        assertThat(x.vendorOrderIds()).containsExactly("7770001");
    }

    @Test
    void opaqueSignedSmimeIsOpened() throws Exception {
        TestPki.Pki mailer = TestPki.createWithCaNames("C=US, CN=Mailer Root", "C=US, CN=Mailer CA", "ca-mail.example.net");
        byte[] entity = entity("Order 7770002 is issued.\n" + pem(pki.leaf()));

        Extraction x = extractor.extract(roundTrip(message("Your certificate",
                attachment(sign(entity, true, mailer), "application/pkcs7-mime", "smime.p7m"))));

        assertThat(x.certificates()).containsExactly(pki.leaf());
        assertThat(x.vendorOrderIds()).containsExactly("7770002");
    }

    // --- helpers -------------------------------------------------------------------------

    /** A text/plain MIME entity (headers and body) as S/MIME signs it. */
    static byte[] entity(String text) {
        return ("Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
                + text.replace("\n", "\r\n")).getBytes(StandardCharsets.US_ASCII);
    }

    /** An S/MIME (CMS) signature by the mailer's leaf, carrying the mailer's leaf and CA. */
    static byte[] sign(byte[] content, boolean encapsulate, TestPki.Pki signer) throws Exception {
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        ContentSigner cs = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.leafKey().getPrivate());
        gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .build(cs, signer.leaf()));
        gen.addCertificates(new JcaCertStore(List.of(signer.leaf(), signer.intermediate())));
        return gen.generate(new CMSProcessableByteArray(content), encapsulate).getEncoded();
    }

    private void assertZipLimit(Map<String, byte[]> entries, String detail) {
        assertThatThrownBy(() -> extractor.extract(roundTrip(message("Bundle", text("Order 1000001", "plain"),
                attachment(zip(entries), "application/zip", "bundle.zip")))))
                .isInstanceOf(PkiException.class)
                .hasMessage(detail)
                .satisfies(e -> assertThat(((PkiException) e).code()).isEqualTo("ZIP_LIMIT"));
    }

    static String pem(X509Certificate c) {
        return Certificates.toPem(List.of(c));
    }

    static byte[] crlfNoFinalNewline(X509Certificate c) {
        String s = pem(c).replace("\n", "\r\n");
        return s.substring(0, s.length() - 2).getBytes(StandardCharsets.US_ASCII);
    }

    /** PEM whose base64 is one long line (as some portals paste it). */
    static String longLinePem(X509Certificate c) {
        return "-----BEGIN CERTIFICATE-----\r\n" + b64(Certificates.encoded(c)) + "\r\n-----END CERTIFICATE-----\r\n";
    }

    /** Quoted-printable with '=' as =3D and soft line breaks every 70 characters. */
    static String qpSoftWrapped(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\r\n")) {
            String enc = line.replace("=", "=3D");
            int col = 0;
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < enc.length(); i++) {
                if (col >= 70 && !(i > 0 && (enc.charAt(i - 1) == '=' || (i > 1 && enc.charAt(i - 2) == '=')))) {
                    l.append("=\r\n");
                    col = 0;
                }
                l.append(enc.charAt(i));
                col++;
            }
            out.append(l).append("\r\n");
        }
        return out.toString();
    }

    /** PEM as an HTML mail client writes it: <br> line ends, '+' and '/' as character references. */
    static String htmlPem(X509Certificate c) {
        String b64 = b64(Certificates.encoded(c));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < b64.length(); i += 60) {
            String line = b64.substring(i, Math.min(b64.length(), i + 60));
            lines.append(line.replace("+", "&#43;").replace("/", "&#x2F;")).append("<br />\r\n");
        }
        return "&#45;----BEGIN&nbsp;CERTIFICATE-----<br>\r\n" + lines + "-----END CERTIFICATE-----<br>";
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static String mimeB64(byte[] b) {
        return Base64.getMimeEncoder().encodeToString(b);
    }

    static String headers(String subject, String contentType) {
        return "From: \"Example CA\" <noreply@ca.example.net>\r\n"
                + "To: ssl-orders@reseller.example.com\r\n"
                + "Subject: " + subject + "\r\n"
                + "Message-ID: <test-" + System.nanoTime() + "@ca.example.net>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: " + contentType + "\r\n";
    }

    static MimeMessage load(byte[] raw) throws MessagingException {
        return new MimeMessage(SESSION, new ByteArrayInputStream(raw));
    }

    static MimeMessage message(String subject, Object... parts) throws MessagingException {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom(new InternetAddress("noreply@ca.example.net"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("ssl-orders@reseller.example.com"));
        m.setSubject(subject, "UTF-8");
        if (parts.length == 1 && parts[0] instanceof MimeMultipart mp) {
            m.setContent(mp);
        } else if (parts.length == 1 && parts[0] instanceof MimeBodyPart single
                && single.getDataHandler().getContentType().startsWith("text/")) {
            try {
                m.setContent(single.getContent(), single.getContentType());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            MimeMultipart mp = new MimeMultipart("mixed");
            for (Object p : parts) {
                mp.addBodyPart(p instanceof MimeMultipart nested ? wrap(nested) : (BodyPart) p);
            }
            m.setContent(mp);
        }
        return m;
    }

    static MimeBodyPart text(String text, String subtype) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setText(text, "UTF-8", subtype);
        return p;
    }

    static MimeBodyPart attachment(byte[] data, String type, String fileName) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setDataHandler(new DataHandler(new ByteArrayDataSource(data, type)));
        if (fileName != null) {
            p.setFileName(fileName);
        } else {
            p.setDisposition(Part.ATTACHMENT);
        }
        return p;
    }

    static MimeBodyPart rfc822(byte[] message) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setContent(load(message), "message/rfc822");
        p.setDisposition(Part.ATTACHMENT);
        return p;
    }

    static MimeBodyPart wrap(MimeMultipart mp) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setContent(mp);
        return p;
    }

    static byte[] bytes(MimeMessage m) throws MessagingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    /** Writes the message to its wire form and parses it back, as a mailbox would deliver it. */
    static MimeMessage roundTrip(MimeMessage m) throws MessagingException, IOException {
        m.saveChanges();
        return load(bytes(m));
    }

    /** Ordered ZIP entries from name/content pairs. */
    static Map<String, byte[]> entries(Object... nameContent) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameContent.length; i += 2) {
            m.put((String) nameContent[i], (byte[]) nameContent[i + 1]);
        }
        return m;
    }

    static byte[] zip(Map<String, byte[]> entries) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipOutputStream zos = new ZipOutputStream(out)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    zos.putNextEntry(new ZipEntry(e.getKey()));
                    zos.write(e.getValue());
                    zos.closeEntry();
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
