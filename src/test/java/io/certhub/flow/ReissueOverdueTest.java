package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.pki.Certificates;
import io.certhub.sandbox.IssuedCertificate;
import io.certhub.sandbox.SandboxCa;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 §2, when the vendor does not reissue: a 1-year order (200 days, then the rest) whose
 * vendor's reissue is switched off ({@code hub.sandbox.reissue-enabled=false}); once the clock is
 * past the certificate's renewal point plus {@code hub.lifecycle.reissue-grace} (2 days), the hub's
 * Quartz check records {@code REISSUE_OVERDUE} once (one warning, one history entry, however often
 * the check runs), and, since that reissue falls under the 100-day DCV reuse of 2027-03-15,
 * {@code DCV_REVALIDATION_DUE} from 14 days before it; the vendor's reissue (certificate 2 of 4: 200 days, then 100, 100 and the rest
 * under the cap of 2027-03-15) clears it. After the term a certificate mailed for the
 * COMPLETED order goes to the mailbox's Review folder with {@code TERM_OVER} and changes nothing.
 */
class ReissueOverdueTest {

    static final String DOMAIN = "overdue.example.com";

    @TempDir
    Path dataDir;

    static JsonNode json(RunningHub hub, String path) {
        return OrderJson.parse(hub.get(path, "demo-key").body());
    }

    static long overdueEntries(JsonNode order) {
        return StreamSupport.stream(order.get("history").spliterator(), false)
            .filter(h -> h.get("reason").asText().startsWith("warning REISSUE_OVERDUE (term.nextReissueAt): ")).count();
    }

    static Set<String> codes(JsonNode order) {
        return StreamSupport.stream(order.get("warnings").spliterator(), false).map(w -> w.get("code").asText()).collect(Collectors.toSet());
    }

    static JsonNode warning(JsonNode order, String code) {
        return StreamSupport.stream(order.get("warnings").spliterator(), false).filter(w -> w.get("code").asText().equals(code)).findFirst()
            .orElseThrow();
    }

    @Test
    @Timeout(300)
    void aMissingReissueIsFlaggedOnceAndClearedByTheReissueAndACertificateAfterTheTermGoesToReview() throws Exception {
        try (RunningHub hub = RunningHub.prepare(dataDir)) {
            hub.start("--hub.sandbox.clock-start=2026-12-07T08:00:00Z", "--hub.sandbox.reissue-enabled=false",
                "--hub.sandbox.reissue-sweep-ms=200", "--hub.mailbox.poll-delay-ms=300", "--hub.mail.delivery-sweep-ms=200",
                "--hub.sandbox.approval-delay=500ms", "--hub.lifecycle.overdue-check-cron=* * * * * ?");
            ObjectNode doc = OrderJson.order("OVERDUE-1Y", "quickssl_premium", "process", DOMAIN, TestCsrs.ec(DOMAIN));
            doc.put("approverEmail", "hostmaster@" + DOMAIN);
            String id = OrderJson.parse(hub.post("/api/v1/orders", "demo-key", doc.toString()).body()).get("id").asText();
            await().atMost(Duration.ofSeconds(90)).until(() -> json(hub, "/api/v1/orders/" + id).get("term").get("certificatesIssued").asInt() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where state = 'PENDING'") == 0);
            JsonNode term = json(hub, "/api/v1/orders/" + id).get("term");
            Instant next = Instant.parse(term.get("nextReissueAt").asText());
            Instant paidUntil = Instant.parse(term.get("paidUntil").asText());
            JsonNode first = json(hub, "/api/v1/certificates?orderId=" + id).get("items").get(0);
            assertThat(next).isEqualTo(Instant.parse(first.get("notAfter").asText()).minus(Duration.ofDays(30)));
            assertThat(paidUntil).isEqualTo(Instant.parse(first.get("notBefore").asText()).plus(Duration.ofDays(365)));

            // the names were validated at the first issue (2026-12-07); the reissue due 2027-05-26 falls under the 100-day
            // DCV reuse in force from 2027-03-15 (BR 4.2.1, SC-081v3), so it needs fresh validation
            assertThat(term.get("nextReissueNeedsDcv").asBoolean()).isTrue();
            assertThat(Instant.parse(term.get("lastDcvAt").asText())).isEqualTo(Instant.parse(first.get("notBefore").asText()));

            // at the renewal point + 1 day (inside the grace) the reissue is not overdue; the DCV warning is there
            TermChainTest.moveClock(hub, Duration.between(TermChainTest.moveClock(hub, 0, 0), next).toDays() + 1, 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> codes(json(hub, "/api/v1/orders/" + id)).equals(Set.of("DCV_REVALIDATION_DUE")));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> codes(json(hub, "/api/v1/orders/" + id)).equals(Set.of("DCV_REVALIDATION_DUE")));
            JsonNode dcv = warning(json(hub, "/api/v1/orders/" + id), "DCV_REVALIDATION_DUE");
            assertThat(dcv.get("field").asText()).isEqualTo("term.nextReissueAt");
            assertThat(dcv.get("detail").asText()).contains(next.toString()).contains("100 days").contains("hostmaster@" + DOMAIN)
                .contains(first.get("serialNumber").asText());
            // past the grace: the overdue warning too, one history entry each, however many checks run
            TermChainTest.moveClock(hub, 2, 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> codes(json(hub, "/api/v1/orders/" + id))
                .equals(Set.of("DCV_REVALIDATION_DUE", "REISSUE_OVERDUE")));
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(20)).until(() -> overdueEntries(json(hub, "/api/v1/orders/" + id)) == 1);
            assertThat(StreamSupport.stream(json(hub, "/api/v1/orders/" + id).get("history").spliterator(), false)
                .filter(h -> h.get("reason").asText().startsWith("warning DCV_REVALIDATION_DUE (term.nextReissueAt): "))).hasSize(1);
            JsonNode w = warning(json(hub, "/api/v1/orders/" + id), "REISSUE_OVERDUE");
            assertThat(w.get("code").asText()).isEqualTo("REISSUE_OVERDUE");
            assertThat(w.get("field").asText()).isEqualTo("term.nextReissueAt");
            assertThat(w.get("detail").asText()).contains(first.get("serialNumber").asText()).contains(next.toString()).contains(paidUntil.toString());

            // the vendor reissues after all: the warning is cleared with one history entry
            hub.context().getBean(CamelContext.class).getRouteController().startRoute("sandbox-reissue-sweep");
            await().atMost(Duration.ofSeconds(60)).until(() -> json(hub, "/api/v1/orders/" + id).get("term").get("certificatesIssued").asInt() == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> json(hub, "/api/v1/orders/" + id).get("warnings").isEmpty());
            JsonNode order = json(hub, "/api/v1/orders/" + id);
            assertThat(StreamSupport.stream(order.get("history").spliterator(), false).map(h -> h.get("reason").asText()))
                .anyMatch(r -> r.startsWith("certificate reissued (2 of 4)"))
                .anyMatch(r -> r.startsWith("warning REISSUE_OVERDUE (term.nextReissueAt) cleared: certificate "))
                .anyMatch(r -> r.startsWith("warning DCV_REVALIDATION_DUE (term.nextReissueAt) cleared: certificate "));
            // issued ~172 days in, under the 100-day cap: 2 more follow (100 days, then the last 52-53 days)
            assertThat(order.get("term").get("nextReissueAt").isNull()).isFalse();
            assertThat(order.get("term").get("paidUntil").asText()).isEqualTo(paidUntil.toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> Mailboxes.read(hub.imapPort(), "alex@example.com", "INBOX").size() == 2);

            // after the term: a certificate for the order (right key and names, valid, trusted chain) is not applied
            Instant after = TermChainTest.moveClock(hub, Duration.between(TermChainTest.moveClock(hub, 0, 0), paidUntil).toDays() + 1, 0);
            assertThat(after).isAfter(paidUntil);
            IssuedCertificate late = hub.context().getBean(SandboxCa.class).issue(TestCsrs.ecKey().getPublic(), List.of(DOMAIN), Duration.ofDays(30));
            String vendorOrderId = order.get("vendorOrderId").asText();
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
            m.setFrom(new InternetAddress("certificates@sandbox-vendor.example"));
            m.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress("ssl-orders@reseller.example.com"));
            m.setSubject("Your SSL certificate for " + DOMAIN + " is issued - Order " + vendorOrderId);
            m.setText("Your certificate:\n\n" + late.leafPem() + late.chainPem());
            m.saveChanges();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            m.writeTo(raw);
            long reviewed = hub.count("select count(*) from mailbox_message where outcome = 'REVIEW'");
            Mailboxes.send(hub.smtpPort(), "ssl-orders@reseller.example.com", raw.toByteArray());
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from mailbox_message where outcome = 'REVIEW'") == reviewed + 1);
            assertThat(hub.jdbc().queryForObject("select reason from mailbox_message where outcome = 'REVIEW' and order_id = ?", String.class, id))
                .startsWith("TERM_OVER: ");
            await().atMost(Duration.ofSeconds(30)).until(() -> !Mailboxes.read(hub.imapPort(), "ssl-orders@reseller.example.com", "Review").isEmpty());
            assertThat(Certificates.parsePem(Mailboxes.read(hub.imapPort(), "ssl-orders@reseller.example.com", "Review").get(0).text()).get(0))
                .isEqualTo(late.leaf());
            assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(2);
            assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(2);
            assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", id)).isEqualTo(1);
        }
    }
}
