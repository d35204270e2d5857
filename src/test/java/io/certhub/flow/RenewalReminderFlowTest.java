package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renewal reminders across the wire (issue 13 §3): a 1-year SSL Lite order submitted over HTTP on
 * 2026-12-07 (the sandbox clock starts there) is issued as a chain of certificates (200 days, then
 * 100-day ones from 2027-03-15, the last ending at the end of the term); the test moves the clock
 * over HTTP ({@code POST /sandbox/clock}). No reminder while a certificate is followed by a reissue.
 * Five days before the end of the term the 7-day reminder is emailed to the admin contact (read over
 * IMAP) and {@code certificate.expiring} goes to the outbox, the passed 30-day one is recorded
 * SKIPPED; a live renewal order suppresses the 1-day reminder, its cancellation lets it go; a
 * restart on the same data sends nothing again. The order's {@code delivery} stays the certificate
 * email's.
 */
class RenewalReminderFlowTest {

    static final String DOMAIN = "remind.example.com";
    static final String ADMIN = "remind-admin@example.com";

    @TempDir
    Path dataDir;

    static String[] args(String clockStart) {
        return new String[] {"--hub.sandbox.clock-start=" + clockStart, "--hub.sandbox.reissue-sweep-ms=200",
            "--hub.mailbox.poll-delay-ms=300", "--hub.mail.delivery-sweep-ms=200", "--hub.lifecycle.reminder-cron=* * * * * ?",
            "--hub.vendor.poll-cron=* * * * * ?", "--hub.vendor.poll-base=200ms", "--hub.vendor.poll-max=1s"};
    }

    static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return OrderJson.parse(r.body());
    }

    static Instant now(RunningHub hub) {
        return TermChainTest.moveClock(hub, 0, 0);
    }

    /** Moves the hub's clock to {@code to} (at least one second on). */
    static Instant moveTo(RunningHub hub, Instant to) {
        long seconds = Math.max(1, Duration.between(now(hub), to).getSeconds());
        return TermChainTest.moveClock(hub, seconds / 86_400, seconds % 86_400);
    }

    static List<Mailboxes.Mail> reminders(RunningHub hub) {
        return Mailboxes.read(hub.imapPort(), ADMIN, "INBOX").stream().filter(m -> m.subject().contains("renew it")).toList();
    }

    @Test
    @Timeout(600)
    void theLastCertificateOfATermIsRemindedOncePerIntervalNotWhileARenewalIsLive() throws Exception {
        try (RunningHub hub = RunningHub.prepare(dataDir)) {
            hub.start(args("2026-12-07T08:00:00Z"));
            assertThat(hub.post("/api/v1/webhooks", "demo-key",
                "{\"url\":\"http://127.0.0.1:9/remind\",\"events\":[\"certificate.expiring\"]}").statusCode()).isEqualTo(201);
            ObjectNode doc = OrderJson.order("REMIND-1", "symantec_ssl_lite", "process", DOMAIN, TestCsrs.ec(DOMAIN));
            doc.put("approverEmail", "admin@" + DOMAIN);
            ((ObjectNode) doc.get("contacts").get("admin")).put("email", ADMIN);
            String id = json(hub.post("/api/v1/orders", "demo-key", doc.toString())).get("id").asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> json(hub.get("/api/v1/orders/" + id, "demo-key")).get("state").asText().equals("COMPLETED"));

            // follow the vendor's reissues to the term's last certificate: no reminder on the way
            JsonNode term = json(hub.get("/api/v1/orders/" + id, "demo-key")).get("term");
            Instant paidUntil = Instant.parse(term.get("paidUntil").asText());
            while (!term.get("nextReissueAt").isNull()) {
                int issued = term.get("certificatesIssued").asInt();
                moveTo(hub, Instant.parse(term.get("nextReissueAt").asText()).plusSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() ->
                    json(hub.get("/api/v1/orders/" + id, "demo-key")).get("term").get("certificatesIssued").asInt() == issued + 1);
                term = json(hub.get("/api/v1/orders/" + id, "demo-key")).get("term");
            }
            int certificates = term.get("certificatesIssued").asInt();
            assertThat(certificates).isGreaterThan(1);
            assertThat(hub.count("select count(*) from renewal_reminder")).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                hub.count("select count(*) from delivery where order_id = ? and state = 'SENT'", id) == certificates);

            // 5 days before the end: the 7-day reminder, the 30-day one passed (SKIPPED)
            moveTo(hub, paidUntil.minus(Duration.ofDays(5)));
            await().atMost(Duration.ofSeconds(30)).until(() -> reminders(hub).size() == 1);
            Mailboxes.Mail mail = reminders(hub).get(0);
            assertThat(mail.subject()).isEqualTo("Your SSL certificate for " + DOMAIN + " ends in 7 days: renew it (order REMIND-1)");
            assertThat(mail.text()).contains("ends in 7 days", DOMAIN, "REMIND-1");
            assertThat(mail.attachments()).isEmpty();
            assertThat(hub.jdbc().queryForList("select days_before || ':' || outcome from renewal_reminder where order_id = ? order by days_before",
                String.class, id)).containsExactly("7:SENT", "30:SKIPPED");
            assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'certificate.expiring'", id)).isEqualTo(1);
            JsonNode event = OrderJson.parse(hub.jdbc().queryForObject(
                "select payload from webhook_event where order_id = ? and type = 'certificate.expiring'", String.class, id));
            assertThat(event.at("/data/daysBefore").asInt()).isEqualTo(7);
            assertThat(Instant.parse(event.at("/data/term/endsAt").asText())).isEqualTo(paidUntil);
            JsonNode order = json(hub.get("/api/v1/orders/" + id, "demo-key"));
            assertThat(order.get("delivery").get("state").asText()).isEqualTo("SENT");
            assertThat(hub.count("select count(*) from delivery where order_id = ? and kind = 'CERTIFICATE'", id)).isEqualTo(certificates);

            // a live renewal suppresses the 1-day reminder; cancelled, the reminder goes
            String renewal = json(hub.post("/api/v1/orders/" + id + "/renew", "demo-key", "{\"handle\":\"save\"}")).get("id").asText();
            moveTo(hub, paidUntil.minus(Duration.ofHours(12)));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                hub.count("select count(*) from renewal_reminder where order_id = ?", id) == 2);
            assertThat(json(hub.post("/api/v1/orders/" + renewal + "/cancel", "demo-key", null)).get("state").asText()).isEqualTo("CANCELLED");
            await().atMost(Duration.ofSeconds(30)).until(() -> reminders(hub).size() == 2);
            assertThat(reminders(hub)).extracting(Mailboxes.Mail::subject)
                .contains("Your SSL certificate for " + DOMAIN + " ends in 1 day: renew it (order REMIND-1)");
            assertThat(hub.jdbc().queryForList("select days_before || ':' || outcome from renewal_reminder where order_id = ? order by days_before",
                String.class, id)).containsExactly("1:SENT", "7:SENT", "30:SKIPPED");
            assertThat(hub.count("select count(*) from delivery where order_id = ? and kind = 'RENEWAL_REMINDER'", id)).isEqualTo(2);

            // restart on the same data, the clock where it was: nothing is sent again
            Instant at = now(hub);
            hub.close();
            hub.start(args(at.toString()));
            await().atMost(Duration.ofSeconds(60)).until(() -> hub.get("/actuator/health", null).statusCode() == 200);
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(20)).until(() ->
                hub.count("select count(*) from delivery where order_id = ? and kind = 'RENEWAL_REMINDER'", id) == 2);
            assertThat(hub.count("select count(*) from renewal_reminder where order_id = ?", id)).isEqualTo(3);
            assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'certificate.expiring'", id)).isEqualTo(2);
        }
    }
}
