package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.mailbox.CertificateExtractor;
import io.certhub.pki.Certificates;
import io.certhub.pki.ChainBuilder;
import io.certhub.pki.TestPki;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate mailbox across the wire: vendor mails go in by SMTP to the hub's mailbox on
 * the embedded GreenMail, the hub reads them over IMAP. Starts with the real-world case
 * ../shared/cases/zip-bundle-email (its subject's order number rewritten to the vendor order id
 * of an order placed with its CSR; its test root trusted), then forged, mismatched and
 * incomplete mails, and the same mail again across a restart. The vendor's status poll is off
 * and sandbox auto-approve is off, so only the mail path can complete orders. Certificates are
 * checked at a fixed time inside the case certificate's validity (hub.mailbox.check-time).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertificateMailboxTest {

    static final Path CASE = Path.of("../shared/cases/zip-bundle-email");
    static final String MAILBOX = "ssl-orders@reseller.example.com";

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;
    static byte[] caseMail;
    static String zipOrderId;
    static String zipVendorOrderId;

    @BeforeAll
    static void start() throws Exception {
        caseMail = Files.readAllBytes(CASE.resolve("issued-email.eml"));
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(caseMail));
        X509Certificate leaf = ChainBuilder.build(new CertificateExtractor().extract(m).certificates()).leaf();
        String checkTime = leaf.getNotBefore().toInstant().plus(1, ChronoUnit.DAYS).toString();
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false", "--hub.vendor.poll-cron=0 0 0 1 1 ? 2099",
            "--hub.mailbox.poll-delay-ms=300", "--hub.mail.delivery-sweep-ms=200", "--hub.mailbox.check-time=" + checkTime,
            "--hub.mailbox.trusted-roots=" + dataDir.resolve("sandbox-ca/root.crt") + ",../shared/cases/trust/test-root.crt");
    }

    static String placeAndAwaitVendor(ObjectNode doc) {
        var r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id).path("vendorOrderId").asText("").matches("\\d{7,}"));
        return id;
    }

    static List<Mailboxes.Mail> folder(String name) {
        return Mailboxes.read(hub.imapPort(), MAILBOX, name);
    }

    static long count(String sql, Object... args) {
        return hub.count(sql, args);
    }

    @Test
    @Order(1)
    void theZipBundleCaseCompletesItsOrderAndMailsTheAdminContactOnce() throws Exception {
        ObjectNode doc = (ObjectNode) OrderJson.parse(Files.readString(CASE.resolve("order.json")));
        zipOrderId = placeAndAwaitVendor(doc);
        zipVendorOrderId = hub.order(zipOrderId).get("vendorOrderId").asText();
        Mailboxes.send(hub.smtpPort(), MAILBOX, new String(caseMail, StandardCharsets.ISO_8859_1)
            .replace("7730001", zipVendorOrderId).getBytes(StandardCharsets.ISO_8859_1));

        await().atMost(Duration.ofSeconds(30)).until(() -> hub.order(zipOrderId).get("state").asText().equals("COMPLETED"));
        JsonNode o = hub.order(zipOrderId);
        assertThat(o.get("hold").get("state").asText()).isEqualTo("CAPTURED");
        assertThat(o.get("history").findValuesAsText("actor")).contains("vendor-mail");
        await().atMost(Duration.ofSeconds(60)).until(() -> folder("Processed").size() == 1);
        assertThat(folder("INBOX")).isEmpty();

        await().atMost(Duration.ofSeconds(60)).until(() -> Mailboxes.read(hub.imapPort(), "alex.admin@example.com", "INBOX").size() == 1);
        Mailboxes.Mail mail = Mailboxes.read(hub.imapPort(), "alex.admin@example.com", "INBOX").get(0);
        assertThat(mail.attachments().keySet()).containsExactlyInAnyOrder("shop_example_com.crt", "ca-bundle.crt", "fullchain.pem");
        String fullchain = new String(mail.attachments().get("fullchain.pem"), StandardCharsets.US_ASCII).replace("\r\n", "\n");
        assertThat(fullchain).doesNotContain("----------").contains("-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----");
        List<X509Certificate> leaf = Certificates.parseAny(mail.attachments().get("shop_example_com.crt"));
        List<X509Certificate> bundle = Certificates.parseAny(mail.attachments().get("ca-bundle.crt"));
        assertThat(leaf).hasSize(1);
        assertThat(bundle).hasSize(1);                                  // the intermediate, never the root
        assertThat(bundle.get(0).getSubjectX500Principal()).isNotEqualTo(bundle.get(0).getIssuerX500Principal());
        assertThat(leaf.get(0).getPublicKey().getEncoded()).isEqualTo(TestPki.csrKey("zip-bundle-email/shop.example.com.csr").getEncoded());
        assertThat(mail.text()).contains("Apache");                    // the order's server type is apache
        assertThat(mail.attachments().keySet()).noneMatch(n -> n.endsWith(".key"));
        await().atMost(Duration.ofSeconds(60)).until(() -> "SENT".equals(hub.order(zipOrderId).path("delivery").path("state").asText()));
    }

    @Test
    @Order(2)
    void aMismatchedKeyAForgedChainAndAMissingLeafGoToReviewAndTouchNothing() throws Exception {
        String domain = "review.example.com";
        ObjectNode doc = OrderJson.order("REVIEW-1", "comodo_ssl", "process", domain, TestCsrs.ec(domain));
        String id = placeAndAwaitVendor(doc);
        String vid = hub.order(id).get("vendorOrderId").asText();

        TestPki.Pki forger = TestPki.create();                         // same shape, untrusted root
        X509Certificate forgedLeaf = TestPki.leaf(TestCsrs.ecKey().getPublic(), forger.intermediate(), forger.intermediateKey().getPrivate(),
            TestPki.LEAF_FROM, TestPki.LEAF_UNTIL, domain);
        X509Certificate otherKeyLeaf = TestPki.leaf(TestPki.ecKey().getPublic(), forger.intermediate(), forger.intermediateKey().getPrivate(),
            TestPki.LEAF_FROM, TestPki.LEAF_UNTIL, domain);
        Mailboxes.send(hub.smtpPort(), MAILBOX, mail(vid, "<forged-" + vid + "@x>", List.of(forgedLeaf, forger.intermediate())));
        Mailboxes.send(hub.smtpPort(), MAILBOX, mail(vid, "<otherkey-" + vid + "@x>", List.of(otherKeyLeaf, forger.intermediate())));
        Mailboxes.send(hub.smtpPort(), MAILBOX, mail(vid, "<noleaf-" + vid + "@x>", List.of(forger.intermediate(), forger.root())));
        Mailboxes.send(hub.smtpPort(), MAILBOX, mail(vid, "<nothing-" + vid + "@x>", List.of()));

        await().atMost(Duration.ofSeconds(30)).until(() -> folder("Review").size() == 3 && folder("Quarantine").size() == 1);
        assertThat(count("select count(*) from mailbox_message where outcome = 'REVIEW' and order_id = ?", id)).isEqualTo(3);
        assertThat(hub.jdbc().queryForList("select reason from mailbox_message where outcome = 'REVIEW'", String.class))
            .anyMatch(r -> r.startsWith("CHAIN_UNTRUSTED")).anyMatch(r -> r.startsWith("KEY_MISMATCH") && r.contains("sha256="))
            .anyMatch(r -> r.startsWith("LEAF_MISSING"));
        JsonNode o = hub.order(id);
        assertThat(o.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("HELD");
        assertThat(count("select count(*) from certificate where order_id = ?", id)).isZero();
    }

    @Test
    @Order(3)
    void theSameMailAgainAndAfterARestartChangesNothing() {
        byte[] again = new String(caseMail, StandardCharsets.ISO_8859_1).replace("7730001", zipVendorOrderId).getBytes(StandardCharsets.ISO_8859_1);
        Mailboxes.send(hub.smtpPort(), MAILBOX, again);
        await().atMost(Duration.ofSeconds(60)).until(() -> folder("Processed").size() == 2);
        hub.restart();                                   // the embedded mail server starts empty again
        Mailboxes.send(hub.smtpPort(), MAILBOX, again);
        await().atMost(Duration.ofSeconds(60)).until(() -> folder("Processed").size() == 1 && folder("INBOX").isEmpty());
        assertThat(count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", zipOrderId)).isEqualTo(1);
        assertThat(count("select count(*) from certificate where order_id = ?", zipOrderId)).isEqualTo(1);
        assertThat(count("select count(*) from delivery where order_id = ?", zipOrderId)).isEqualTo(1);
        assertThat(count("select count(*) from mailbox_message where order_id = ?", zipOrderId)).isEqualTo(1);
        // nothing is delivered again after the restart
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(60)).until(() ->
            Mailboxes.read(hub.imapPort(), "alex.admin@example.com", "INBOX").isEmpty());
        assertThat(count("select count(*) from delivery where order_id = ? and state = 'SENT'", zipOrderId)).isEqualTo(1);
    }

    /**
     * The route's error handling (issue 14 §3; the exchange fails, camel-mail rolls back): a
     * step that fails — here the database table the read step looks in is gone — leaves the mail
     * unseen in INBOX, however often it is tried; once the database is back, a later poll takes it
     * through to its folder, recorded once.
     */
    @Test
    @Order(4)
    void aMailWhoseStepFailsStaysUnseenInTheInboxAndALaterPollTakesItThrough() throws Exception {
        int review = folder("Review").size();
        TestPki.Pki other = TestPki.create("later.example.com");
        NotifyBuilder failures = new NotifyBuilder(hub.context().getBean(CamelContext.class)).fromRoute("certificate-mailbox")
            .whenFailed(2).create();
        hub.jdbc().execute("alter table mailbox_message rename to mailbox_message_away");
        try {
            Mailboxes.send(hub.smtpPort(), MAILBOX, mail("9990001", "<later-1@x>", List.of(other.leaf(), other.intermediate())));
            assertThat(failures.matches(60, TimeUnit.SECONDS)).as("the route failed the mail twice").isTrue();
            assertThat(folder("INBOX")).hasSize(1);
            assertThat(folder("Review")).hasSize(review);
        } finally {
            hub.jdbc().execute("alter table mailbox_message_away rename to mailbox_message");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> folder("Review").size() == review + 1 && folder("INBOX").isEmpty());
        assertThat(count("select count(*) from mailbox_message where message_key = '<later-1@x>' and outcome = 'REVIEW'")).isEqualTo(1);
    }

    static byte[] mail(String vendorOrderId, String messageId, List<X509Certificate> certs) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom("certificates@ca.example.net");
        m.setSubject("Your certificate is issued - order " + vendorOrderId);
        MimeMultipart mp = new MimeMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Your certificate for order " + vendorOrderId + " is attached.");
        mp.addBodyPart(text);
        int i = 0;
        for (X509Certificate c : certs) {
            MimeBodyPart a = new MimeBodyPart();
            a.setContent(Certificates.toPem(List.of(c)), "application/x-pem-file");
            a.setFileName("cert" + (i++) + ".crt");
            mp.addBodyPart(a);
        }
        m.setContent(mp);
        m.saveChanges();
        m.setHeader("Message-ID", messageId);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }
}
