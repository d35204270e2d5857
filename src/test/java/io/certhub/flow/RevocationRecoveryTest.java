package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revocation is never lost between the vendor and the hub (issue 13 §5,
 * {@link io.certhub.certificate.CertificateRevocation}): a revoke whose vendor answer was lost is
 * answered 202 with {@code revocationRequestedAt} and confirmed by the route
 * {@code revocation-recovery}; a request left recorded by a hub that stopped between the vendor's
 * call and its record is confirmed after the restart; a vendor refusal during the follow-up leaves
 * the certificate as it was and says so in the history. Across the wire: HTTP to the hub, the vendor
 * reached through camel-http (sandbox XCP {@code revoke_cert}, faults from {@code POST /sandbox/faults}).
 * Rows are counted: certificates by state, vendor revocations, webhook events, history entries.
 */
class RevocationRecoveryTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    static final String[] ARGS = {"--hub.mailbox.poll-delay-ms=300", "--hub.mail.delivery-sweep-ms=200",
        // a vendor reply held back 6 s (fault "timeout") is lost to the hub's 3 s read timeout; requests
        // older than 4 s are followed up every second
        "--hub.vendor.opensrs.read-timeout-ms=3000", "--hub.sandbox.fault-timeout-delay=6s",
        "--hub.lifecycle.revocation-recovery-after=4s", "--hub.lifecycle.revocation-recovery-cron=0/1 * * * * ?"};

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, ARGS);
        hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"5000.00\",\"currency\":\"USD\"}");
        HttpResponse<String> hook = hub.post("/api/v1/webhooks", "demo-key",
            "{\"url\":\"http://127.0.0.1:9/revocations\",\"events\":[\"certificate.revoked\"]}");
        assertThat(hook.statusCode()).as(hook.body()).isEqualTo(201);
    }

    /** An SSL Lite order (issued at once by the sandbox), awaited until its certificate is stored; returns the certificate's id. */
    static String certificateOf(String ref) {
        String domain = ref.toLowerCase() + ".example.com";
        ObjectNode doc = OrderJson.order(ref, "symantec_ssl_lite", "process", domain, TestCsrs.ec(domain));
        doc.put("approverEmail", "admin@" + domain);
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.count("select count(*) from certificate where order_id = ? and state = 'ACTIVE'", id) == 1);
        return hub.jdbc().queryForObject("select id from certificate where order_id = ?", String.class, id);
    }

    static JsonNode certificate(String id) {
        HttpResponse<String> r = hub.get("/api/v1/certificates/" + id, "demo-key");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return OrderJson.parse(r.body());
    }

    static void failNextRevoke(String kind) {
        HttpResponse<String> f = hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"" + kind + "\",\"count\":1,\"action\":\"revoke_cert\"}");
        assertThat(f.statusCode()).as(f.body()).isEqualTo(200);
    }

    static List<String> history(String orderId) {
        return StreamSupport.stream(hub.order(orderId).get("history").spliterator(), false).map(h -> h.get("reason").asText()).toList();
    }

    /** @return how many of this certificate's revocations the sandbox vendor recorded (0 or 1) */
    static long vendorRevoked(String certificateId) {
        String serial = certificate(certificateId).get("serialNumber").asText();
        return hub.count("select count(*) from sandbox_certificate where serial_hex = ? and revoked_at is not null", serial);
    }

    static long revokedEvents(String orderId) {
        return hub.count("select count(*) from webhook_event where order_id = ? and type = 'certificate.revoked'", orderId);
    }

    /** Writes what a hub that stopped right after asking the vendor leaves behind (V25). */
    static void leaveRequest(String certificateId, String reason, Instant at) {
        assertThat(hub.jdbc().update("update certificate set revocation_requested_at = ?, revocation_requested_reason = ?,"
            + " revocation_requested_by = 'account:demo' where id = ?", Timestamp.from(at), reason, certificateId)).isEqualTo(1);
    }

    @Test
    void aRevokeWhoseVendorAnswerIsLostIsAnswered202AndConfirmedOnceByTheHub() {
        String cert = certificateOf("RR-1");
        String orderId = certificate(cert).get("orderId").asText();

        failNextRevoke("timeout");                 // the sandbox revokes; its reply comes after the hub gave up
        HttpResponse<String> r = hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"keyCompromise\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode pending = OrderJson.parse(r.body());
        assertThat(pending.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(pending.get("revocationRequestedAt").asText()).isNotBlank();
        assertThat(pending.get("revokedAt").isNull()).isTrue();
        assertThat(vendorRevoked(cert)).isEqualTo(1);
        assertThat(history(orderId)).anyMatch(h -> h.contains("its answer was lost"));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> certificate(cert).get("state").asText().equals("REVOKED"));
        JsonNode revoked = certificate(cert);
        assertThat(revoked.get("revocationReason").asText()).isEqualTo("keyCompromise");
        assertThat(revoked.get("revocationRequestedAt").isNull()).isTrue();
        assertThat(Instant.parse(revoked.get("revokedAt").asText())).isAfter(Instant.parse(pending.get("revocationRequestedAt").asText()));
        assertThat(history(orderId)).filteredOn(h -> h.startsWith("certificate ") && h.contains(" revoked (reason keyCompromise); confirmed by"
            + " the hub after the vendor's answer was lost")).hasSize(1);
        assertThat(revokedEvents(orderId)).isEqualTo(1);
        assertThat(hub.count("select count(*) from certificate where id = ? and revocation_requested_at is null", cert)).isEqualTo(1);
    }

    @Test
    void aRequestLeftByAHubThatStoppedIsConfirmedAfterTheRestartOnce() {
        String cert = certificateOf("RR-2");
        String orderId = certificate(cert).get("orderId").asText();
        long journal = hub.count("select count(*) from journal where account_id = 'demo'");
        leaveRequest(cert, "superseded", Instant.now().minusSeconds(60));
        assertThat(vendorRevoked(cert)).isZero();               // the hub stopped before its call reached the vendor

        hub.restart();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> certificate(cert).get("state").asText().equals("REVOKED"));
        assertThat(certificate(cert).get("revocationReason").asText()).isEqualTo("superseded");
        assertThat(vendorRevoked(cert)).isEqualTo(1);
        assertThat(revokedEvents(orderId)).isEqualTo(1);
        assertThat(hub.count("select count(*) from certificate where order_id = ?", orderId)).isEqualTo(1);
        assertThat(hub.count("select count(*) from certificate where revocation_requested_at is not null")).isZero();
        assertThat(hub.count("select count(*) from journal where account_id = 'demo'")).isEqualTo(journal);
        // further runs change nothing
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> revokedEvents(orderId) == 1);
        assertThat(history(orderId)).filteredOn(h -> h.contains(" revoked (reason superseded)")).hasSize(1);
    }

    @Test
    void aFollowUpTheVendorRefusesLeavesTheCertificateAsItWasAndSaysSo() {
        String cert = certificateOf("RR-3");
        String orderId = certificate(cert).get("orderId").asText();
        failNextRevoke("invalid");
        leaveRequest(cert, "keyCompromise", Instant.now().minusSeconds(60));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> certificate(cert).get("revocationRequestedAt").isNull());
        assertThat(certificate(cert).get("state").asText()).isEqualTo("ACTIVE");
        assertThat(vendorRevoked(cert)).isZero();
        assertThat(revokedEvents(orderId)).isZero();
        assertThat(history(orderId)).anyMatch(h -> h.contains("by account:demo was not carried out: the vendor refused (465: "));
        // the reseller can ask again; this time it goes through at once
        HttpResponse<String> r = hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"keyCompromise\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(OrderJson.parse(r.body()).get("state").asText()).isEqualTo("REVOKED");
        assertThat(revokedEvents(orderId)).isEqualTo(1);
    }

    @Test
    void aSecondRevokeWhileOneAwaitsTheVendorIsRefusedAndLeavesTheFirstOnesTrace() {
        String cert = certificateOf("RR-4");
        String orderId = certificate(cert).get("orderId").asText();
        // the first request: recorded, its vendor call still under way (dated ahead so the follow-up leaves it alone)
        Instant first = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        leaveRequest(cert, "keyCompromise", first);

        HttpResponse<String> r = hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"superseded\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(OrderJson.parse(r.body()).get("code").asText()).isEqualTo("REVOCATION_IN_PROGRESS");
        assertThat(OrderJson.parse(r.body()).get("detail").asText()).contains(first.toString());
        assertThat(vendorRevoked(cert)).isZero();
        assertThat(hub.jdbc().queryForObject("select revocation_requested_reason from certificate where id = ?", String.class, cert))
            .isEqualTo("keyCompromise");
        assertThat(Instant.parse(certificate(cert).get("revocationRequestedAt").asText())).isEqualTo(first);

        // once the first request is due for its follow-up, the hub carries it out with its own reason
        assertThat(hub.jdbc().update("update certificate set revocation_requested_at = ? where id = ?",
            Timestamp.from(Instant.now().minusSeconds(60)), cert)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> certificate(cert).get("state").asText().equals("REVOKED"));
        assertThat(certificate(cert).get("revocationReason").asText()).isEqualTo("keyCompromise");
        assertThat(revokedEvents(orderId)).isEqualTo(1);
        assertThat(vendorRevoked(cert)).isEqualTo(1);
    }
}
