package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.pki.Certificates;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TcpProxy;
import io.certhub.support.TestCsrs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed process end to end on the embedded default, across the wire: an order file dropped
 * into the inbox → the sandbox vendor's approval mail (SMTP → GreenMail → IMAP) → the link
 * opened → the vendor's issuance mail read from the hub's mailbox over IMAP → COMPLETED, hold
 * captured → one certificate email to the admin contact over SMTP. The hub's SMTP and IMAP
 * connections go through TCP proxies so the test can take SMTP down and cut IMAP mid-poll.
 * The vendor's status poll is off: the mail path completes.
 */
class CertificateDeliveryTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;
    static TcpProxy imap;
    static TcpProxy smtp;

    @BeforeAll
    static void start() throws Exception {
        hub = RunningHub.prepare(dataDir);
        imap = new TcpProxy(hub.imapPort());
        smtp = new TcpProxy(hub.smtpPort());
        hub.start("--hub.sandbox.auto-approve=false", "--hub.vendor.poll-cron=0 0 0 1 1 ? 2099", "--hub.mailbox.poll-delay-ms=1500",
            "--hub.mail.delivery-sweep-ms=200", "--hub.mail.retry-base=300ms", "--hub.mail.retry-max=1s",
            "--hub.mailbox.port=" + imap.port(), "--hub.mail.smtp.port=" + smtp.port());
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
        imap.close();
        smtp.close();
    }

    static String idOf(String clientReference) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
            OrderJson.parse(hub.get("/api/v1/orders?clientReference=" + clientReference, "demo-key").body()).get("totalElements").asInt() == 1);
        return OrderJson.parse(hub.get("/api/v1/orders?clientReference=" + clientReference, "demo-key").body()).get("items").get(0).get("id").asText();
    }

    static void approve(String approver) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> !Mailboxes.read(hub.imapPort(), approver, "INBOX").isEmpty());
        Matcher link = Pattern.compile("http://\\S+/sandbox/approve/\\S+").matcher(Mailboxes.read(hub.imapPort(), approver, "INBOX").get(0).text());
        assertThat(link.find()).isTrue();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link.group())).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    static ObjectNode doc(String ref, String admin) {
        String domain = ref.toLowerCase() + ".example.com";
        ObjectNode doc = OrderJson.order(ref, "quickssl_premium", "process", domain, TestCsrs.ec(domain, "www." + domain));
        doc.putArray("additionalDomains").add("www." + domain);
        doc.put("approverEmail", "hostmaster@" + domain);
        ((ObjectNode) doc.get("contacts").get("admin")).put("email", admin);
        doc.put("serverType", "iis");
        return doc;
    }

    @Test
    void aDroppedFileEndsAsOneCertificateEmailToTheAdminEvenThoughSmtpWasDownForAWhile() throws Exception {
        Path inbox = hub.inbox("demo");
        Files.createDirectories(inbox);
        Path tmp = inbox.resolve(".e2e.json.part");
        Files.writeString(tmp, doc("E2E-FILE", "it-admin@example.com").toString());
        Files.move(tmp, inbox.resolve("e2e.json"), StandardCopyOption.ATOMIC_MOVE);
        String id = idOf("E2E-FILE");
        smtp.down(true);
        approve("hostmaster@e2e-file.example.com");

        await().atMost(Duration.ofSeconds(40)).until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));
        assertThat(hub.order(id).get("hold").get("state").asText()).isEqualTo("CAPTURED");
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id).path("delivery").path("attempts").asInt() >= 2);
        JsonNode failing = hub.order(id).get("delivery");
        assertThat(failing.get("state").asText()).isEqualTo("PENDING");
        assertThat(failing.get("lastError").asText()).isNotBlank();
        assertThat(Mailboxes.read(hub.imapPort(), "it-admin@example.com", "INBOX")).isEmpty();

        smtp.down(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id).get("delivery").get("state").asText().equals("SENT"));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(60)).until(() ->
            Mailboxes.read(hub.imapPort(), "it-admin@example.com", "INBOX").size() == 1);
        Mailboxes.Mail mail = Mailboxes.read(hub.imapPort(), "it-admin@example.com", "INBOX").get(0);
        assertThat(mail.attachments().keySet()).containsExactlyInAnyOrder("e2e-file_example_com.crt", "ca-bundle.crt", "fullchain.pem",
            "e2e-file.example.com.p7b");
        assertThat(mail.text()).contains("IIS");
        List<X509Certificate> chain = Certificates.parseAny(mail.attachments().get("fullchain.pem"));
        assertThat(chain.get(0).getPublicKey().getEncoded()).isEqualTo(TestCsrs.ecKey().getPublic().getEncoded());
        assertThat(Certificates.parseAny(mail.attachments().get("e2e-file.example.com.p7b"))).hasSize(2);
        X509Certificate root = Certificates.parseAny(Files.readAllBytes(dataDir.resolve("sandbox-ca/root.crt"))).get(0);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
        assertThat(Files.exists(inbox.resolve("done/e2e.json.result.json"))).isTrue();
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(1);
        // one Message-ID per delivery, the same on every try of it (RFC 5322 §3.6.4)
        long deliveryId = hub.jdbc().queryForObject("select id from delivery where order_id = ?", Long.class, id);
        String header = new jakarta.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(mail.raw())).getMessageID();
        assertThat(header).isEqualTo("<" + id + "." + deliveryId + "@reseller.example.com>")
            .isEqualTo(io.certhub.delivery.AdminDelivery.messageId(id, deliveryId, "certificates@reseller.example.com"));
    }

    @Test
    void theImapConnectionCutMidPollIsSurvivedAndTheOrderCompletedOnce() throws Exception {
        var r = hub.post("/api/v1/orders", "demo-key", doc("E2E-CUT", "cut-admin@example.com").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> "awaiting-approval".equals(hub.order(id).path("vendorStatus").asText()));
        int dropsBefore = imap.drops();
        imap.cutAfter(1500);                 // the next poll that fetches the issuance mail is cut inside the fetch
        approve("hostmaster@e2e-cut.example.com");
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));
        assertThat(imap.drops()).isGreaterThan(dropsBefore);
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", id)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id).get("delivery").get("state").asText().equals("SENT"));
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(1);
        assertThat(Mailboxes.read(hub.imapPort(), "cut-admin@example.com", "INBOX")).hasSize(1);
        assertThat(new String(Mailboxes.read(hub.imapPort(), "cut-admin@example.com", "INBOX").get(0).raw(), StandardCharsets.ISO_8859_1))
            .contains("To: cut-admin@example.com");
    }
}
