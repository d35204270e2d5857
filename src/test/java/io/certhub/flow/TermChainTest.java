package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.pki.CertificateFacts;
import io.certhub.pki.Certificates;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 §2 across the wire: a 2-year order submitted over HTTP on 2026-12-07 (the sandbox clock
 * starts there), with the Baseline Requirements caps of ballot SC-081v3 (200 days, 100 days from
 * 2027-03-15). The sandbox vendor issues the first certificate for 200 days and, each time the
 * test moves the sandbox clock to the current certificate's renewal point ({@code POST /sandbox/clock}),
 * reissues the next one for the same CSR and emails it to the hub's mailbox over SMTP; the hub
 * reads it over IMAP, stores it, supersedes the previous one and emails it to the admin contact.
 *
 * <p>The rule (ValidityCaps) yields 9 certificates for the term 2026-12-07 → 2028-12-06 (730 days;
 * 2028-02-29 inside it): 200 days, then seven of 100 days (issued after 2027-03-15, each renewed
 * 30 days before its end, i.e. 70 days after issue), then 70 days ending exactly at paidUntil.
 * The issue's "4 certificates" counts 200-day certificates without overlap (200+200+200+130); with
 * the 30-day renewal overlap and the 100-day cap from 2027-03-15 it is 9.
 */
class TermChainTest {

    static final String REF = "TERM-2Y";
    static final String DOMAIN = "term-2y.example.com";
    static final String ADMIN = "term-admin@example.com";
    static final String HUB_MAILBOX = "ssl-orders@reseller.example.com";
    /** Issue dates (UTC) of the 9 certificates as the rule yields them from 2026-12-07. */
    static final List<LocalDate> ISSUE_DATES = List.of(LocalDate.of(2026, 12, 7), LocalDate.of(2027, 5, 26), LocalDate.of(2027, 8, 4),
        LocalDate.of(2027, 10, 13), LocalDate.of(2027, 12, 22), LocalDate.of(2028, 3, 1), LocalDate.of(2028, 5, 10),
        LocalDate.of(2028, 7, 19), LocalDate.of(2028, 9, 27));

    @TempDir
    Path dataDir;

    static String[] args(String clockStart) {
        return new String[] {"--hub.sandbox.clock-start=" + clockStart, "--hub.sandbox.reissue-sweep-ms=200",
            "--hub.mailbox.poll-delay-ms=300", "--hub.mail.delivery-sweep-ms=200", "--hub.sandbox.approval-delay=500ms",
            "--hub.lifecycle.overdue-check-cron=0/2 * * * * ?"};
    }

    static ObjectNode order() {
        ObjectNode doc = OrderJson.order(REF, "quickssl_premium", "process", DOMAIN, TestCsrs.ec(DOMAIN, "www." + DOMAIN));
        doc.putArray("additionalDomains").add("www." + DOMAIN);
        doc.put("period", 2);
        doc.put("approverEmail", "hostmaster@" + DOMAIN);
        ((ObjectNode) doc.get("contacts").get("admin")).put("email", ADMIN);
        return doc;
    }

    static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return OrderJson.parse(r.body());
    }

    static Instant moveClock(RunningHub hub, long days, long seconds) {
        JsonNode r = json(hub.post("/sandbox/clock", "operator-key", "{\"advanceDays\":" + days + ",\"advanceSeconds\":" + seconds + "}"));
        return Instant.parse(r.get("now").asText());
    }

    static List<X509Certificate> adminLeaves(RunningHub hub) {
        List<X509Certificate> out = new ArrayList<>();
        for (Mailboxes.Mail m : Mailboxes.read(hub.imapPort(), ADMIN, "INBOX")) {
            out.add(Certificates.parseAny(m.attachments().get("term-2y_example_com.crt")).get(0));
        }
        return out;
    }

    @Test
    @Timeout(600)
    void aTwoYearOrderBecomesNineCertificatesEachDeliveredOnceWithOneCapture() throws Exception {
        try (RunningHub hub = RunningHub.prepare(dataDir)) {
            hub.start(args("2026-12-07T08:00:00Z"));
            // the clock endpoint: operator key only; bad moves are named and move nothing
            assertThat(hub.post("/sandbox/clock", null, "{\"advanceDays\":1}").statusCode()).isEqualTo(401);
            assertThat(hub.post("/sandbox/clock", "demo-key", "{\"advanceDays\":1}").statusCode()).isEqualTo(403);
            for (String[] bad : new String[][] {{"{\"advanceDays\":-1}", "FIELD_INVALID", "advanceDays"},
                    {"{\"advanceDays\":1.5}", "FIELD_INVALID", "advanceDays"}, {"{\"advanceSeconds\":86401}", "FIELD_INVALID", "advanceSeconds"},
                    {"{}", "FIELD_REQUIRED", "advanceDays"}}) {
                HttpResponse<String> r = hub.post("/sandbox/clock", "operator-key", bad[0]);
                assertThat(r.statusCode()).as(bad[0]).isEqualTo(422);
                assertThat(OrderJson.parse(r.body()).get("code").asText()).isEqualTo(bad[1]);
                assertThat(OrderJson.parse(r.body()).get("field").asText()).isEqualTo(bad[2]);
            }
            assertThat(moveClock(hub, 0, 0)).isBetween(Instant.parse("2026-12-07T08:00:00Z"), Instant.parse("2026-12-07T08:05:00Z"));
            // a webhook subscribed to the certificate events: the outbox gets one certificate.issued and one
            // certificate.reissued per later certificate (issue 13 §4; delivery itself is WebhookFlowTest's)
            HttpResponse<String> hook = hub.post("/api/v1/webhooks", "demo-key",
                "{\"url\":\"http://127.0.0.1:9/term\",\"events\":[\"certificate.issued\",\"certificate.reissued\"]}");
            assertThat(hook.statusCode()).as(hook.body()).isEqualTo(201);
            HttpResponse<String> placed = hub.post("/api/v1/orders", "demo-key", order().toString());
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
            JsonNode o = OrderJson.parse(placed.body());
            String id = o.get("id").asText();
            assertThat(o.get("price").get("amount").asText()).isEqualTo("98.00");
            assertThat(o.get("hold").get("amount").asText()).isEqualTo("98.00");
            assertThat(o.get("term").get("certificatesIssued").asInt()).isZero();
            assertThat(o.get("term").get("paidUntil").isNull()).isTrue();

            await().atMost(Duration.ofSeconds(90)).until(() -> json(hub.get("/api/v1/orders/" + id, "demo-key")).get("state").asText().equals("COMPLETED"));
            await().atMost(Duration.ofSeconds(60)).until(() -> adminLeaves(hub).size() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where state = 'PENDING'") == 0);
            JsonNode term = json(hub.get("/api/v1/orders/" + id, "demo-key")).get("term");
            assertThat(term.get("certificatesIssued").asInt()).isEqualTo(1);
            Instant paidUntil = Instant.parse(term.get("paidUntil").asText());

            // move the sandbox clock to each renewal point (1 s past it) and await the reissued certificate's email
            for (int k = 2; term.hasNonNull("nextReissueAt"); k++) {
                Instant next = Instant.parse(term.get("nextReissueAt").asText());
                Instant now = moveClock(hub, 0, 0);
                Duration gap = Duration.between(now, next).plusSeconds(1);
                moveClock(hub, gap.toDays(), gap.minusDays(gap.toDays()).getSeconds());
                int expected = k;
                await().atMost(Duration.ofSeconds(60)).until(() -> adminLeaves(hub).size() == expected);
                // the clock moves on only once the delivery is marked SENT (a jump past a claim's lease would free it)
                await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where state = 'PENDING'") == 0);
                term = json(hub.get("/api/v1/orders/" + id, "demo-key")).get("term");
                assertThat(term.get("certificatesIssued").asInt()).isEqualTo(k);
                assertThat(k).as("more certificates than the rule yields").isLessThanOrEqualTo(9);
            }

            List<JsonNode> certs = certificates(hub, id);
            assertThat(certs).hasSize(9);
            Instant firstNotBefore = Instant.parse(certs.get(0).get("notBefore").asText());
            assertThat(paidUntil).isEqualTo(firstNotBefore.plus(Duration.ofDays(730)));
            assertThat(paidUntil.atZone(ZoneOffset.UTC).toLocalDate()).isEqualTo(LocalDate.of(2028, 12, 6));
            for (int i = 0; i < 9; i++) {
                JsonNode c = certs.get(i);
                Instant issued = Instant.parse(c.get("notBefore").asText()).plusSeconds(60);          // the sandbox CA backdates 1 minute
                Instant notAfter = Instant.parse(c.get("notAfter").asText());
                assertThat(issued.atZone(ZoneOffset.UTC).toLocalDate()).as("issue date of certificate %d", i + 1).isEqualTo(ISSUE_DATES.get(i));
                Duration validity = Duration.between(issued, notAfter);
                if (i == 0) {
                    assertThat(validity).as("the first certificate: the 200-day cap of 2026-12-07").isEqualTo(Duration.ofDays(200));
                } else if (i < 8) {
                    assertThat(validity).as("certificate %d: the 100-day cap from 2027-03-15", i + 1).isEqualTo(Duration.ofDays(100));
                } else {
                    assertThat(notAfter).as("the last certificate ends at paidUntil").isEqualTo(paidUntil);
                    assertThat(validity).isLessThanOrEqualTo(Duration.ofDays(70)).isGreaterThan(Duration.ofDays(69));
                }
                assertThat(c.get("state").asText()).isEqualTo(i < 8 ? "SUPERSEDED" : "ACTIVE");
                if (i > 0) {
                    // issued at its predecessor's renewal point: 30 days before the predecessor's end (give or take the sweep's seconds)
                    Instant due = Instant.parse(certs.get(i - 1).get("notAfter").asText()).minus(Duration.ofDays(30));
                    assertThat(Duration.between(due, issued)).isBetween(Duration.ZERO, Duration.ofMinutes(2));
                }
            }
            assertThat(term.get("nextReissueAt").isNull()).isTrue();

            JsonNode order = json(hub.get("/api/v1/orders/" + id, "demo-key"));
            List<String> reissued = StreamSupport.stream(order.get("history").spliterator(), false).map(h -> h.get("reason").asText())
                .filter(r -> r.startsWith("certificate reissued")).toList();
            assertThat(reissued).hasSize(8);
            for (int n = 2; n <= 9; n++) {
                assertThat(reissued.get(n - 2)).startsWith("certificate reissued (" + n + " of 9)");
            }
            assertThat(order.get("warnings")).isEmpty();
            assertThat(order.get("hold").get("state").asText()).isEqualTo("CAPTURED");

            assertEachDeliveredOnceAndOneCapture(hub, id, certs);
            JsonNode account = json(hub.get("/api/v1/account", "demo-key"));
            assertThat(account.get("balance").asText()).isEqualTo("902.00");
            assertThat(account.get("held").asText()).isEqualTo("0.00");

            // the vendor's last email again, as a new mail (another Message-ID): nothing changes
            // (the sandbox's Message-ID is <sandbox-<outbox row>.<vendor order>.issued@…>: the highest row is the last certificate)
            Mailboxes.Mail last = Mailboxes.read(hub.imapPort(), HUB_MAILBOX, "Processed").stream()
                .max(Comparator.comparingLong(TermChainTest::outboxRow)).orElseThrow();
            long seen = hub.count("select count(*) from mailbox_message");
            byte[] again = new String(last.raw(), StandardCharsets.ISO_8859_1)
                .replaceFirst("(?im)^Message-ID:.*$", "Message-ID: <again-" + System.nanoTime() + "@sandbox-vendor.example>")
                .getBytes(StandardCharsets.ISO_8859_1);
            Mailboxes.send(hub.smtpPort(), HUB_MAILBOX, again);
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from mailbox_message") == seen + 1);
            assertThat(hub.count("select count(*) from mailbox_message where outcome = 'PROCESSED'")).isEqualTo(seen + 1);
            assertEachDeliveredOnceAndOneCapture(hub, id, certs);
            assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'certificate.issued'", id)).isEqualTo(1);
            assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'certificate.reissued'", id)).isEqualTo(8);

            // restart on the same data, the clock where the test left it: nothing is stored, sent or captured again
            // (the embedded mail server keeps mail in memory: the admin's mailbox starts empty and must stay so)
            Instant now = moveClock(hub, 0, 0);
            hub.close();
            hub.start(args(now.toString()));
            await().atMost(Duration.ofSeconds(60)).until(() -> hub.get("/actuator/health", null).statusCode() == 200);
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(30)).until(() -> adminLeaves(hub).isEmpty());
            assertThat(certificates(hub, id)).hasSize(9);
            assertDatabase(hub, id);
            assertThat(hub.count("select count(*) from sandbox_mail_outbox where sent_at is null")).isZero();
            assertThat(json(hub.get("/api/v1/orders/" + id, "demo-key")).get("term").get("certificatesIssued").asInt()).isEqualTo(9);
        }
    }

    static List<JsonNode> certificates(RunningHub hub, String orderId) {
        JsonNode page = json(hub.get("/api/v1/certificates?orderId=" + orderId + "&size=50", "demo-key"));
        List<JsonNode> items = new ArrayList<>();
        page.get("items").forEach(items::add);
        items.sort(Comparator.comparing(c -> Instant.parse(c.get("notBefore").asText())));
        return items;
    }

    static long outboxRow(Mailboxes.Mail m) {
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("(?im)^Message-ID:\\s*<sandbox-(\\d+)\\.").matcher(
            new String(m.raw(), StandardCharsets.ISO_8859_1));
        return id.find() ? Long.parseLong(id.group(1)) : -1;
    }

    /** Nine deliveries (one per certificate, all SENT), nine certificates, one hold, one HOLD and one CAPTURE entry. */
    static void assertDatabase(RunningHub hub, String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where order_id = ? and state = 'SENT'", id) == 9);
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(9);
        assertThat(hub.count("select count(distinct issued_certificate_id) from delivery where order_id = ?", id)).isEqualTo(9);
        assertThat(hub.count("select count(*) from delivery d join certificate c on c.id = d.certificate_id where d.order_id = ?", id)).isEqualTo(9);
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(9);
        assertThat(hub.count("select count(*) from certificate where order_id = ? and state = 'ACTIVE'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from hold where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'HOLD'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal where order_id = ?", id)).isEqualTo(2);
    }

    static void assertEachDeliveredOnceAndOneCapture(RunningHub hub, String id, List<JsonNode> certs) {
        assertDatabase(hub, id);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> adminLeaves(hub).size() == 9);
        List<X509Certificate> leaves = adminLeaves(hub);
        assertThat(leaves).hasSize(9);
        Set<String> mailed = new HashSet<>();
        for (X509Certificate leaf : leaves) {
            mailed.add(CertificateFacts.serialHex(leaf.getSerialNumber()));
        }
        assertThat(mailed).containsExactlyInAnyOrderElementsOf(certs.stream().map(c -> c.get("serialNumber").asText()).toList());
    }
}
