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
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.camel.CamelContext;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reissue and revoke on request across the wire (issue 13 §5): {@code POST /api/v1/orders/{id}/reissue}
 * and {@code POST /api/v1/certificates/{id}/revoke} over HTTP to the running hub, the vendor calls
 * through camel-http to the sandbox vendor (XCP {@code reissue_cert} / {@code revoke_cert}, signed),
 * the reissued certificate emailed by the sandbox to the hub's mailbox over SMTP, read over IMAP,
 * stored as a reissue (previous SUPERSEDED) and emailed to the admin contact. Rows are counted:
 * certificates, reissue requests, vendor certificates, deliveries, holds and journal entries,
 * webhook events. Bad input gets its named error and changes nothing.
 */
class ReissueRevokeFlowTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        // a vendor reply held back 8 s (fault "timeout") is lost to the hub's 5 s read timeout
        hub = RunningHub.start(dataDir, "--hub.mailbox.poll-delay-ms=300", "--hub.mail.delivery-sweep-ms=200",
            "--hub.vendor.opensrs.read-timeout-ms=5000", "--hub.sandbox.fault-timeout-delay=8s");
        hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"5000.00\",\"currency\":\"USD\"}");
        HttpResponse<String> hook = hub.post("/api/v1/webhooks", "demo-key",
            "{\"url\":\"http://127.0.0.1:9/lifecycle\",\"events\":[\"certificate.reissued\",\"certificate.revoked\",\"hold.captured\"]}");
        assertThat(hook.statusCode()).as(hook.body()).isEqualTo(201);
    }

    static String admin(String ref) {
        return ref.toLowerCase() + "-admin@example.com";
    }

    static String domain(String ref) {
        return ref.toLowerCase() + ".example.com";
    }

    /** An SSL Lite order (issued at once by the sandbox), awaited to COMPLETED with its certificate emailed to its admin. */
    static String completed(String ref) {
        String id = place(ref, "process");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));
        await().atMost(Duration.ofSeconds(60)).until(() -> adminLeaves(ref).size() == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where order_id = ? and state = 'SENT'", id) == 1);
        return id;
    }

    static String place(String ref, String handle) {
        ObjectNode doc = OrderJson.order(ref, "symantec_ssl_lite", handle, domain(ref), TestCsrs.ec(domain(ref)));
        doc.put("approverEmail", "admin@" + domain(ref));
        ((ObjectNode) doc.get("contacts").get("admin")).put("email", admin(ref));
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return OrderJson.parse(r.body()).get("id").asText();
    }

    static List<X509Certificate> adminLeaves(String ref) {
        List<X509Certificate> out = new ArrayList<>();
        for (Mailboxes.Mail m : Mailboxes.read(hub.imapPort(), admin(ref), "INBOX")) {
            out.add(Certificates.parseAny(m.attachments().get(domain(ref).replace('.', '_') + ".crt")).get(0));
        }
        return out;
    }

    /** @return a new EC P-256 key pair (TestCsrs.ec shares one key: a reissue here is for a new key, as after a key compromise) */
    static KeyPair newEcKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** @return a CSR of a new EC key naming {@code names} */
    static String newEc(String... names) throws Exception {
        return TestCsrs.csr(newEcKey(), "SHA256withECDSA", names);
    }

    static String reissueBody(String csr, String reason) {
        ObjectNode b = OrderJson.MAPPER.createObjectNode().put("csr", csr);
        if (reason != null) {
            b.put("reason", reason);
        }
        return b.toString();
    }

    static String vendorOrderId(String id) {
        return hub.order(id).get("vendorOrderId").asText();
    }

    static long vendorCertificates(String id) {
        return hub.jdbc().queryForObject("select certificates_issued from sandbox_order where order_id = ?", Integer.class, vendorOrderId(id));
    }

    static List<String> history(String id) {
        return StreamSupport.stream(hub.order(id).get("history").spliterator(), false).map(h -> h.get("reason").asText()).toList();
    }

    static void assertProblem(HttpResponse<String> r, int status, String code, String field) {
        io.certhub.support.Problems.assertProblem(r, status, code, field);
    }

    static JsonNode certificate(String certificateId) {
        HttpResponse<String> r = hub.get("/api/v1/certificates/" + certificateId, "demo-key");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return OrderJson.parse(r.body());
    }

    static String onlyCertificate(String orderId) {
        return hub.jdbc().queryForObject("select id from certificate where order_id = ?", String.class, orderId);
    }

    /** The account's money: journal rows, hold rows and balance, which a reissue or revoke never touches. */
    static List<Object> money() {
        return List.of(hub.count("select count(*) from journal where account_id = 'demo'"), hub.count("select count(*) from hold where account_id = 'demo'"),
            OrderJson.parse(hub.get("/api/v1/account", "demo-key").body()).get("balance").asText());
    }

    @Test
    void aReissueWithANewKeyIsFreeStoredAsAReissueDeliveredAndNotDoneTwice() throws Exception {
        String ref = "RI-1";
        String id = completed(ref);
        String first = onlyCertificate(id);
        List<Object> money = money();
        assertThat(hub.order(id).get("reissue").isNull()).isTrue();

        KeyPair newKey = newEcKey();
        String csr = TestCsrs.csr(newKey, "SHA256withECDSA", domain(ref));
        String body = reissueBody(csr, "keyCompromise");
        // the hub's mailbox is held for a moment, so the reissue is observably under way
        CamelContext camel = hub.context().getBean(CamelContext.class);
        camel.getRouteController().stopRoute("certificate-mailbox");
        HttpResponse<String> r;
        JsonNode reissue;
        try {
            r = hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", body, "Idempotency-Key", "ri-1-a");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode answered = OrderJson.parse(r.body());
            assertThat(answered.get("id").asText()).isEqualTo(id);
            assertThat(answered.get("state").asText()).isEqualTo("COMPLETED");
            reissue = answered.get("reissue");
            assertThat(reissue.get("state").asText()).isEqualTo("SENT");
            assertThat(reissue.get("reason").asText()).isEqualTo("keyCompromise");
            assertThat(reissue.get("previousCertificateId").asText()).isEqualTo(first);
            assertThat(reissue.get("certificateId").isNull()).isTrue();
            // the new CSR is the order's now; the vendor reissued once for it
            assertThat(hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id).strip()).isEqualTo(csr.strip());
            assertThat(vendorCertificates(id)).isEqualTo(2);
            assertThat(hub.jdbc().queryForObject("select csr from sandbox_order where order_id = ?", String.class, vendorOrderId(id)).strip())
                .isEqualTo(csr.strip());

            // the same request again with its Idempotency-Key: the same answer, nothing reissued twice
            HttpResponse<String> again = hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", body, "Idempotency-Key", "ri-1-a");
            assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
            assertThat(OrderJson.parse(again.body()).get("reissue").get("id").asText()).isEqualTo(reissue.get("id").asText());
            // another request while this one is under way: refused, nothing sent
            assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", body), 409, "REISSUE_IN_PROGRESS", null);
            assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", body, "Idempotency-Key", "ri-1-b"), 409, "REISSUE_IN_PROGRESS", null);
            assertThat(hub.count("select count(*) from order_reissue where order_id = ?", id)).isEqualTo(1);
            assertThat(vendorCertificates(id)).isEqualTo(2);
        } finally {
            camel.getRouteController().startRoute("certificate-mailbox");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> adminLeaves(ref).size() == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where order_id = ? and state = 'SENT'", id) == 2);
        // the second certificate the admin got is for the new key
        X509Certificate delivered = adminLeaves(ref).stream().filter(c -> java.util.Arrays.equals(c.getPublicKey().getEncoded(),
            newKey.getPublic().getEncoded())).findFirst().orElseThrow();

        JsonNode done = hub.order(id).get("reissue");
        assertThat(done.get("state").asText()).isEqualTo("COMPLETED");
        String second = done.get("certificateId").asText();
        assertThat(certificate(second).get("serialNumber").asText()).isEqualTo(CertificateFacts.serialHex(delivered.getSerialNumber()));
        assertThat(certificate(second).get("state").asText()).isEqualTo("ACTIVE");
        assertThat(certificate(first).get("state").asText()).isEqualTo("SUPERSEDED");
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(2);
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(2);
        assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'certificate.reissued'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'hold.captured'", id)).isEqualTo(1);
        assertThat(history(id)).anyMatch(h -> h.startsWith("reissue requested (reason: keyCompromise) for a new CSR"))
            .anyMatch(h -> h.startsWith("certificate reissued on request (reissue " + done.get("id").asText() + ")"));
        // free: no hold, no capture, the ledger untouched
        assertThat(money()).isEqualTo(money);
        assertThat(hub.count("select count(*) from hold where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", id)).isEqualTo(1);
        assertThat(hub.order(id).get("term").get("certificatesIssued").asInt()).isEqualTo(2);

        // once it is done, the Idempotency-Key still replays the first answer and reissues nothing
        HttpResponse<String> replay = hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", body, "Idempotency-Key", "ri-1-a");
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(replay.body()).isEqualTo(r.body());
        assertThat(vendorCertificates(id)).isEqualTo(2);
        assertThat(hub.count("select count(*) from order_reissue where order_id = ?", id)).isEqualTo(1);
    }

    @Test
    void badReissuesGetANamedErrorAndChangeNothing() throws Exception {
        String pending = place("RI-2", "save");
        assertProblem(hub.post("/api/v1/orders/" + pending + "/reissue", "demo-key", reissueBody(TestCsrs.ec(domain("RI-2")), null)),
            409, "INVALID_STATE", "state");

        String ref = "RI-3";
        String id = completed(ref);
        String csrBefore = hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id);
        List<Object> money = money();
        String good = reissueBody(TestCsrs.ec(domain(ref)), null);
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "other-key", good), 404, "ORDER_NOT_FOUND", null);
        assertProblem(hub.post("/api/v1/orders/no-such-order/reissue", "demo-key", good), 404, "ORDER_NOT_FOUND", null);
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        String weak = TestCsrs.csr(g.generateKeyPair(), "SHA256withRSA", domain(ref));
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", reissueBody(weak, null)), 422, "CSR_WEAK_KEY", "csr");
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", reissueBody(TestCsrs.ec("elsewhere.example.com"), null)),
            422, "CSR_NAME_MISSING", "csr");
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key",
            reissueBody(TestCsrs.ec(domain(ref), "extra." + domain(ref)), null)), 422, "CSR_NAME_NOT_ORDERED", "csr");
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", "{\"reason\":\"lost key\"}"), 422, "FIELD_REQUIRED", "csr");
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", "{\"csr\":42}"), 422, "FIELD_INVALID", "csr");
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", reissueBody(TestCsrs.ec(domain(ref)), "two\nlines")),
            422, "FIELD_INVALID_CHARACTERS", "reason");
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", "[1]"), 400, "MALFORMED_REQUEST", null);
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", "not json"), 400, "MALFORMED_REQUEST", null);

        assertThat(hub.count("select count(*) from order_reissue where order_id = ?", id)).isZero();
        assertThat(vendorCertificates(id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id)).isEqualTo(csrBefore);
        assertThat(history(id)).noneMatch(h -> h.contains("reissue"));
        assertThat(hub.order(id).get("reissue").isNull()).isTrue();
        assertThat(money()).isEqualTo(money);
    }

    /** Makes the sandbox vendor fail its next {@code reissue_cert} call with {@code kind} (POST /sandbox/faults). */
    static void failNextReissue(String kind) {
        HttpResponse<String> f = hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"" + kind + "\",\"count\":1,\"action\":\"reissue_cert\"}");
        assertThat(f.statusCode()).as(f.body()).isEqualTo(200);
    }

    @Test
    void eightConcurrentReissuesOfOneOrderReachTheVendorOnce() throws Exception {
        String ref = "RI-6";
        String id = completed(ref);
        List<Object> money = money();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            bodies.add(reissueBody(newEc(domain(ref)), "parallel " + i));      // eight different new keys, no Idempotency-Key
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<Integer> statuses;
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (String b : bodies) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", b);
                }));
            }
            go.countDown();
            statuses = new ArrayList<>();
            for (var c : calls) {
                HttpResponse<String> r = c.get(120, java.util.concurrent.TimeUnit.SECONDS);
                statuses.add(r.statusCode());
                if (r.statusCode() != 202) {
                    assertProblem(r, 409, "REISSUE_IN_PROGRESS", null);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(statuses).filteredOn(st -> st == 202).hasSize(1);
        assertThat(statuses).filteredOn(st -> st == 409).hasSize(7);
        assertThat(hub.count("select count(*) from order_reissue where order_id = ?", id)).isEqualTo(1);
        assertThat(vendorCertificates(id)).isEqualTo(2);                        // one reissue at the vendor
        await().atMost(Duration.ofSeconds(60)).until(() -> "COMPLETED".equals(hub.order(id).get("reissue").get("state").asText()));
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(2);
        assertThat(money()).isEqualTo(money);
    }

    @Test
    void aReissueTheVendorRefusesIsRecordedFailedKeepsTheOrderAsItWasAndDoesNotBlockTheNext() throws Exception {
        String ref = "RI-4";
        String id = completed(ref);
        String first = onlyCertificate(id);
        String csrBefore = hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id);
        List<Object> money = money();

        failNextReissue("invalid");                    // is_success=0, response_code 465: a refusal no retry cures
        assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", reissueBody(newEc(domain(ref)), "new server")),
            409, "VENDOR_REFUSED", null);

        JsonNode failed = hub.order(id).get("reissue");
        assertThat(failed.get("state").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("code").asText()).isEqualTo("465");                // the vendor's response_code
        assertThat(failed.get("previousCertificateId").asText()).isEqualTo(first);
        assertThat(hub.count("select count(*) from order_reissue where order_id = ? and state = 'FAILED' and open_order_id is null", id))
            .isEqualTo(1);
        assertThat(hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id)).isEqualTo(csrBefore);
        assertThat(vendorCertificates(id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(1);
        assertThat(certificate(first).get("state").asText()).isEqualTo("ACTIVE");
        assertThat(history(id)).anyMatch(h -> h.startsWith("reissue requested (reason: new server); the vendor did not take it (465: "));
        assertThat(money()).isEqualTo(money);

        // the refusal does not hold the order: the next request goes through and brings its certificate
        String csr = newEc(domain(ref));
        HttpResponse<String> ok = hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", reissueBody(csr, null));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
        assertThat(OrderJson.parse(ok.body()).get("reissue").get("state").asText()).isEqualTo("SENT");
        await().atMost(Duration.ofSeconds(60)).until(() -> "COMPLETED".equals(hub.order(id).get("reissue").get("state").asText()));
        assertThat(hub.count("select count(*) from order_reissue where order_id = ?", id)).isEqualTo(2);
        assertThat(vendorCertificates(id)).isEqualTo(2);
        assertThat(certificate(first).get("state").asText()).isEqualTo("SUPERSEDED");
        assertThat(money()).isEqualTo(money);
    }

    @Test
    void aReissueWhoseVendorAnswerIsLostWaitsForTheCertificateAndCompletesOnce() throws Exception {
        String ref = "RI-5";
        String id = completed(ref);
        String first = onlyCertificate(id);
        String csrBefore = hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id);
        List<Object> money = money();
        KeyPair newKey = newEcKey();
        String csr = TestCsrs.csr(newKey, "SHA256withECDSA", domain(ref));

        // the vendor reissues, but its reply is held past the hub's read timeout: the hub cannot know
        failNextReissue("timeout");
        CamelContext camel = hub.context().getBean(CamelContext.class);
        camel.getRouteController().stopRoute("certificate-mailbox");
        try {
            HttpResponse<String> r = hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", reissueBody(csr, "keyCompromise"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode reissue = OrderJson.parse(r.body()).get("reissue");
            assertThat(reissue.get("state").asText()).isEqualTo("SENT");
            // counted as sent (the vendor may have reissued), but the order keeps its CSR until a certificate for the new one arrives
            assertThat(hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id)).isEqualTo(csrBefore);
            assertThat(history(id)).anyMatch(h -> h.contains("the vendor's answer was lost"));
            // while it may be under way, another request is refused
            assertProblem(hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", reissueBody(newEc(domain(ref)), null)),
                409, "REISSUE_IN_PROGRESS", null);
            assertThat(vendorCertificates(id)).isEqualTo(2);            // the sandbox did reissue
        } finally {
            camel.getRouteController().startRoute("certificate-mailbox");
        }

        // the certificate for the new key arrives by email: stored once as the reissue, the CSR switched, delivered once
        await().atMost(Duration.ofSeconds(60)).until(() -> "COMPLETED".equals(hub.order(id).get("reissue").get("state").asText()));
        await().atMost(Duration.ofSeconds(60)).until(() -> adminLeaves(ref).size() == 2);
        String second = hub.order(id).get("reissue").get("certificateId").asText();
        assertThat(adminLeaves(ref).stream().filter(c -> java.util.Arrays.equals(c.getPublicKey().getEncoded(), newKey.getPublic().getEncoded())))
            .hasSize(1);
        assertThat(certificate(second).get("state").asText()).isEqualTo("ACTIVE");
        assertThat(certificate(first).get("state").asText()).isEqualTo("SUPERSEDED");
        assertThat(hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id).strip()).isEqualTo(csr.strip());
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(2);
        assertThat(hub.count("select count(*) from order_reissue where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'certificate.reissued'", id)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where order_id = ? and state = 'SENT'", id) == 2);
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(2);
        assertThat(money()).isEqualTo(money);
    }

    @Test
    void aRevokeIsRecordedOnceEndsTheAutomaticChainAndAnExplicitReissueRestartsIt() throws Exception {
        String ref = "RV-1";
        String id = completed(ref);
        String cert = onlyCertificate(id);
        String serial = certificate(cert).get("serialNumber").asText();
        List<Object> money = money();

        // bad input: named, nothing changes (here or at the vendor)
        assertProblem(hub.post("/api/v1/certificates/" + cert + "/revoke", "other-key", "{\"reason\":\"keyCompromise\"}"),
            404, "CERTIFICATE_NOT_FOUND", null);
        assertProblem(hub.post("/api/v1/certificates/no-such-certificate/revoke", "demo-key", "{\"reason\":\"keyCompromise\"}"),
            404, "CERTIFICATE_NOT_FOUND", null);
        assertProblem(hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"cACompromise\"}"), 422, "FIELD_INVALID", "reason");
        assertProblem(hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"KEYCOMPROMISE\"}"), 422, "FIELD_INVALID", "reason");
        assertProblem(hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":1}"), 422, "FIELD_INVALID", "reason");
        assertProblem(hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{}"), 422, "FIELD_REQUIRED", "reason");
        assertProblem(hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "[]"), 400, "MALFORMED_REQUEST", null);
        assertThat(certificate(cert).get("state").asText()).isEqualTo("ACTIVE");
        assertThat(hub.count("select count(*) from sandbox_certificate where revoked_at is not null")).isZero();

        HttpResponse<String> r = hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"keyCompromise\"}",
            "Idempotency-Key", "rv-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode revoked = OrderJson.parse(r.body());
        assertThat(revoked.get("id").asText()).isEqualTo(cert);
        assertThat(revoked.get("state").asText()).isEqualTo("REVOKED");
        assertThat(revoked.get("revocationReason").asText()).isEqualTo("keyCompromise");
        assertThat(revoked.get("revokedAt").asText()).isNotBlank();
        assertThat(certificate(cert).get("state").asText()).isEqualTo("REVOKED");
        assertThat(certificate(cert).get("revokedAt").asText()).isEqualTo(revoked.get("revokedAt").asText());
        // the CSV export carries when and why (its last two columns)
        HttpResponse<String> csv = hub.call("GET", "/api/v1/certificates?state=REVOKED&domain=" + certificate(cert).get("domain").asText(),
            "demo-key", null, "Accept", "text/csv");
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
            .parse(new StringReader(csv.body())).getRecords();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("id")).isEqualTo(cert);
        assertThat(rows.get(0).get("state")).isEqualTo("REVOKED");
        assertThat(rows.get(0).get("revokedAt")).isEqualTo(revoked.get("revokedAt").asText());
        assertThat(rows.get(0).get("revocationReason")).isEqualTo("keyCompromise");
        // the same request again: the Idempotency-Key replays it; without the key it is refused; one revocation each side
        HttpResponse<String> again = hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"keyCompromise\"}",
            "Idempotency-Key", "rv-1");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(r.body());
        assertProblem(hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"superseded\"}"),
            409, "CERTIFICATE_ALREADY_REVOKED", null);
        assertThat(hub.count("select count(*) from certificate where id = ? and state = 'REVOKED' and revocation_reason = 'keyCompromise'"
            + " and revoked_at is not null", cert)).isEqualTo(1);
        assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'certificate.revoked'", id)).isEqualTo(1);
        assertThat(hub.jdbc().queryForObject("select payload from webhook_event where order_id = ? and type = 'certificate.revoked'",
            String.class, id)).contains("\"reason\":\"keyCompromise\"").contains(serial);
        assertThat(hub.count("select count(*) from sandbox_certificate where serial_hex = ? and revoked_at is not null"
            + " and revocation_reason = 'keyCompromise'", serial)).isEqualTo(1);
        // no automatic reissue of a revoked chain: the vendor's renewal point is cleared, the hub shows none
        assertThat(hub.count("select count(*) from sandbox_order where order_id = ? and renew_at is null", vendorOrderId(id))).isEqualTo(1);
        assertThat(hub.order(id).get("term").get("nextReissueAt").isNull()).isTrue();
        assertThat(hub.order(id).get("state").asText()).isEqualTo("COMPLETED");
        assertThat(history(id)).anyMatch(h -> h.startsWith("certificate " + serial + " revoked (reason keyCompromise)"));
        assertThat(money()).isEqualTo(money);

        // a vendor certificate for the revoked chain's CSR that still arrives (the vendor reissues it behind the hub's back,
        // through the same signed protocol) is not taken: Review, CHAIN_REVOKED, nothing stored or delivered
        String oldCsr = hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id);
        hub.context().getBean(io.certhub.issuer.opensrs.OpsTransport.class).call("reissue_cert",
            java.util.Map.of("order_id", vendorOrderId(id), "csr", oldCsr));
        await().atMost(Duration.ofSeconds(60)).until(() ->
            hub.count("select count(*) from mailbox_message where order_id = ? and outcome = 'REVIEW' and reason like '%CHAIN_REVOKED%'", id) == 1);
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(1);

        // the reseller restarts the chain with an explicit reissue: a new ACTIVE certificate; the revoked one stays REVOKED
        HttpResponse<String> re = hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", reissueBody(newEc(domain(ref)), "keyCompromise"));
        assertThat(re.statusCode()).as(re.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id).get("reissue").get("state").asText().equals("COMPLETED"));
        String next = hub.order(id).get("reissue").get("certificateId").asText();
        assertThat(certificate(next).get("state").asText()).isEqualTo("ACTIVE");
        assertThat(certificate(cert).get("state").asText()).isEqualTo("REVOKED");
        await().atMost(Duration.ofSeconds(60)).until(() -> adminLeaves(ref).size() == 2);
        assertThat(money()).isEqualTo(money);

        // a SUPERSEDED certificate that has not expired may be revoked too (its key may be the compromised one)
        String ri = "RV-2";
        String other = completed(ri);
        String old = onlyCertificate(other);
        assertThat(hub.post("/api/v1/orders/" + other + "/reissue", "demo-key", reissueBody(newEc(domain(ri)), null)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> certificate(old).get("state").asText().equals("SUPERSEDED"));
        HttpResponse<String> sup = hub.post("/api/v1/certificates/" + old + "/revoke", "demo-key", "{\"reason\":\"superseded\"}");
        assertThat(sup.statusCode()).as(sup.body()).isEqualTo(200);
        assertThat(OrderJson.parse(sup.body()).get("state").asText()).isEqualTo("REVOKED");
        // revoking the old one leaves the current chain alone
        assertThat(hub.count("select count(*) from sandbox_order where order_id = ? and renew_at is not null", vendorOrderId(other))).isEqualTo(1);

        // past the end of the paid term: the reissue is refused, an expired certificate is not revoked
        String active = hub.order(other).get("reissue").get("certificateId").asText();
        TermChainTest.moveClock(hub, 400, 0);
        assertProblem(hub.post("/api/v1/orders/" + other + "/reissue", "demo-key", reissueBody(newEc(domain(ri)), null)), 409, "TERM_OVER", null);
        assertProblem(hub.post("/api/v1/certificates/" + active + "/revoke", "demo-key", "{\"reason\":\"cessationOfOperation\"}"),
            409, "CERTIFICATE_EXPIRED", null);
        assertThat(certificate(active).get("state").asText()).isEqualTo("EXPIRED");
        assertThat(hub.count("select count(*) from order_reissue where order_id = ?", other)).isEqualTo(1);
    }
}
