package io.certhub.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.issuer.VendorException.Kind;
import io.certhub.order.Order;
import io.certhub.order.OrderRepository;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenSRS adapter against OpenSRS-shaped XML from a scripted vendor on loopback, through
 * the hub's real camel-http route with a checked signature: every outcome class, malformed and
 * hostile XML, and a process_pending that timed out after the vendor accepted it.
 */
class OpenSrsAdapterTest {

    @TempDir
    static Path dataDir;
    static FakeOpenSrs vendor;
    static RunningHub hub;

    @BeforeAll
    static void start() throws Exception {
        vendor = new FakeOpenSrs();
        hub = RunningHub.start(dataDir, "--hub.vendor.opensrs.url=" + vendor.url(), "--hub.vendor.opensrs.username=certhub",
            "--hub.vendor.opensrs.api-key=" + FakeOpenSrs.KEY, "--hub.vendor.opensrs.read-timeout-ms=700",
            "--hub.vendor.retry-base=100ms", "--hub.vendor.poll-base=100ms", "--hub.vendor.poll-cron=* * * * * ?");
    }

    @AfterAll
    static void stop() {
        hub.close();
        vendor.close();
    }

    @BeforeEach
    void reset() {
        vendor.script.clear();
        vendor.defaults.clear();
    }

    VendorAdapter adapter() {
        return hub.context().getBean(Vendors.class).active();
    }

    Order order(String ref, String dcvMethod) {
        var doc = OrderJson.order(ref, "comodo_ssl", "save", ref.toLowerCase() + ".example.com",
            TestCsrs.ec(ref.toLowerCase() + ".example.com", "www." + ref.toLowerCase() + ".example.com"));
        doc.putArray("additionalDomains").add("www." + ref.toLowerCase() + ".example.com");
        doc.put("dcvMethod", dcvMethod);
        JsonNode created = OrderJson.parse(hub.post("/api/v1/orders", "demo-key", doc.toString()).body());
        return hub.context().getBean(OrderRepository.class).find(created.get("id").asText()).orElseThrow();
    }

    VendorException.Kind kindOf(Runnable call) {
        try {
            call.run();
        } catch (VendorException e) {
            return e.kind();
        }
        throw new AssertionError("no VendorException");
    }

    @Test
    void placeMapsTheOrderToSignedOpenSrsAttributes() {
        Order o = order("MAP-1", "http");
        vendor.then("sw_register", vendor.ok(Map.of("order_id", "7730101", "state", "pending")));
        assertThat(adapter().place(o)).isEqualTo("7730101");
        Map<String, Object> a = vendor.last("sw_register");
        assertThat(a).containsEntry("handle", "save").containsEntry("product_type", "comodo_ssl").containsEntry("domain", "map-1.example.com")
            .containsEntry("dv_auth_method", "file").containsEntry("server_type", "nginx").containsEntry("period", "1");
        assertThat(a.get("additional_domains")).isEqualTo(List.of("www.map-1.example.com"));
        assertThat(a.get("csr").toString()).startsWith("-----BEGIN CERTIFICATE REQUEST-----\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> admin = (Map<String, Object>) ((Map<String, Object>) a.get("contact_set")).get("admin");
        assertThat(admin).containsEntry("first_name", "Alex").containsEntry("email", "alex@example.com");
        @SuppressWarnings("unchecked")
        Map<String, Object> org = (Map<String, Object>) ((Map<String, Object>) a.get("contact_set")).get("organization");
        assertThat(org).containsEntry("org_name", "Example Inc").containsEntry("postal_code", "62701");
        assertThat(vendor.badSignatures).isZero();
    }

    @Test
    void reissueAndRevokeAreSentAsSignedXcpActionsWhenTheVendorDeclaresThem() {
        assertThat(adapter().supports(VendorAdapter.LifecycleAction.REISSUE)).isTrue();
        assertThat(adapter().supports(VendorAdapter.LifecycleAction.REVOKE)).isTrue();
        String csr = TestCsrs.ec("ri.example.com");
        vendor.then("reissue_cert", vendor.ok(Map.of("order_id", "7730300", "state", "completed")));
        assertThat(adapter().reissue("7730300", csr, "keyCompromise")).isEqualTo("completed");
        assertThat(vendor.last("reissue_cert")).containsEntry("order_id", "7730300").containsEntry("csr", csr).containsEntry("reason", "keyCompromise");
        vendor.then("revoke_cert", vendor.ok(Map.of("order_id", "7730300", "serial", "0abc", "state", "revoked")));
        assertThat(adapter().revoke("7730300", "0abc", VendorAdapter.RevocationReason.CESSATION_OF_OPERATION)).isEqualTo("revoked");
        assertThat(vendor.last("revoke_cert")).containsEntry("order_id", "7730300").containsEntry("serial", "0abc")
            .containsEntry("reason", "cessationOfOperation");
        // a refusal is classified like any other action's
        vendor.then("revoke_cert", vendor.fail(465, "Invalid attribute: serial"));
        assertThat(kindOf(() -> adapter().revoke("7730300", "0abd", VendorAdapter.RevocationReason.UNSPECIFIED))).isEqualTo(Kind.REFUSED);
        assertThat(vendor.badSignatures).isZero();
    }

    @Test
    void withoutLifecycleActionsNothingIsSentAndTheRefusalIsUnsupported() {
        var plain = new io.certhub.issuer.opensrs.OpenSrsAdapter(hub.context().getBean(io.certhub.issuer.opensrs.OpsTransport.class),
            OrderJson.MAPPER, false);
        assertThat(plain.supports(VendorAdapter.LifecycleAction.REISSUE)).isFalse();
        assertThat(plain.supports(VendorAdapter.LifecycleAction.REVOKE)).isFalse();
        long before = vendor.requests.size();
        VendorException r = org.junit.jupiter.api.Assertions.assertThrows(VendorException.class,
            () -> plain.reissue("7730301", TestCsrs.ec("ri.example.com"), null));
        assertThat(r.code()).isEqualTo("UNSUPPORTED");
        assertThat(r.toProblem().code()).isEqualTo("VENDOR_UNSUPPORTED");
        VendorException v = org.junit.jupiter.api.Assertions.assertThrows(VendorException.class,
            () -> plain.revoke("7730301", "0abc", VendorAdapter.RevocationReason.KEY_COMPROMISE));
        assertThat(v.code()).isEqualTo("UNSUPPORTED");
        assertThat(vendor.requests.size()).isEqualTo(before);
    }

    @Test
    void revocationReasonsAreTheRfc5280NamesASubscriberMayRequest() {
        assertThat(VendorAdapter.RevocationReason.names())
            .containsExactly("unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation");
        assertThat(VendorAdapter.RevocationReason.of("keyCompromise")).hasValue(VendorAdapter.RevocationReason.KEY_COMPROMISE);
        assertThat(VendorAdapter.RevocationReason.KEY_COMPROMISE.code()).isEqualTo(1);
        assertThat(VendorAdapter.RevocationReason.CESSATION_OF_OPERATION.code()).isEqualTo(5);
        for (String caOnly : List.of("cACompromise", "certificateHold", "removeFromCRL", "privilegeWithdrawn", "aACompromise", "keycompromise", "")) {
            assertThat(VendorAdapter.RevocationReason.of(caOnly)).as(caOnly).isEmpty();
        }
    }

    @Test
    void eachOutcomeClassIsRecognised() {
        Order o = order("OUT-1", "email");
        vendor.then("sw_register", vendor.fail(435, "Permission denied"), vendor.fail(440, "Insufficient funds"),
            vendor.fail(465, "Invalid attribute: csr"), vendor.fail(486, "Entity already being processed"),
            vendor.fail(705, "Timed out, resubmit"), vendor.fail(400, "Authentication failed"),
            vendor.fail(200, "Command failed"), new FakeOpenSrs.Answer(503, "<html>Service Unavailable</html>", 0),
            new FakeOpenSrs.Answer(200, "<OPS_envelope><body><data_block><dt_assoc><item key=", 0),
            new FakeOpenSrs.Answer(200, "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<OPS_envelope><body><data_block><dt_assoc><item key=\"response_text\">&e;</item></dt_assoc></data_block></body></OPS_envelope>", 0));
        assertThat(kindOf(() -> adapter().place(o))).isEqualTo(Kind.REFUSED);
        assertThat(kindOf(() -> adapter().place(o))).isEqualTo(Kind.REFUSED);
        assertThat(kindOf(() -> adapter().place(o))).isEqualTo(Kind.REFUSED);
        assertThat(kindOf(() -> adapter().place(o))).isEqualTo(Kind.TRANSIENT);
        assertThat(kindOf(() -> adapter().place(o))).isEqualTo(Kind.AMBIGUOUS);
        assertThat(kindOf(() -> adapter().place(o))).isEqualTo(Kind.AUTH_FAILED);
        assertThat(kindOf(() -> adapter().place(o))).as("HTTP 200 with is_success=0 is not a success").isEqualTo(Kind.AMBIGUOUS);
        assertThat(kindOf(() -> adapter().place(o))).isEqualTo(Kind.TRANSIENT);
        assertThat(kindOf(() -> adapter().place(o))).as("malformed XML").isEqualTo(Kind.AMBIGUOUS);
        assertThatThrownBy(() -> adapter().place(o)).as("XXE").isInstanceOf(VendorException.class)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("root:"));
    }

    @Test
    void aReadTimeoutIsAmbiguous() {
        Order o = order("SLOW-1", "email");
        vendor.then("get_order_info", new FakeOpenSrs.Answer(200, vendor.reply(true, 200, "ok", Map.of("state", "pending")), 1500));
        VendorException e = org.junit.jupiter.api.Assertions.assertThrows(VendorException.class, () -> adapter().info("7730999"));
        assertThat(e.kind()).isEqualTo(Kind.AMBIGUOUS);
        assertThat(e.code()).isEqualTo("TIMEOUT");
    }

    @Test
    void aProcessPendingThatTimedOutAfterTheVendorAcceptedIsLookedUpNotRepeated() {
        vendor.defaults.put("sw_register", a -> vendor.ok(Map.of("order_id", "7730200", "state", "pending")));
        vendor.then("process_pending", new FakeOpenSrs.Answer(200, vendor.reply(true, 200, "ok", Map.of("state", "awaiting-approval")), 1500));
        vendor.defaults.put("get_order_info", a -> vendor.ok(Map.of("order_id", "7730200", "state", "awaiting-approval", "dv_auth_method", "email",
            "approver_email", "admin@example.com")));
        var doc = OrderJson.order("TMO-1", "comodo_ssl", "process", "tmo.example.com", TestCsrs.ec("tmo.example.com"));
        String id = OrderJson.parse(hub.post("/api/v1/orders", "demo-key", doc.toString()).body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() ->
            "awaiting-approval".equals(OrderJson.parse(hub.get("/api/v1/orders/" + id, "demo-key").body()).path("vendorStatus").asText()));
        JsonNode o = OrderJson.parse(hub.get("/api/v1/orders/" + id, "demo-key").body());
        assertThat(o.get("vendorOrderId").asText()).isEqualTo("7730200");
        assertThat(o.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(vendor.count("sw_register")).isEqualTo(1);
        assertThat(vendor.count("process_pending")).isEqualTo(1);
        assertThat(vendor.count("get_order_info")).isGreaterThanOrEqualTo(1);
        assertThat(o.get("history").findValuesAsText("reason")).anyMatch(r -> r.contains("7730200"));
    }

    @Test
    void aDefiniteRefusalDeclinesTheOrderAndReleasesTheHold() {
        vendor.then("sw_register", vendor.fail(435, "Permission denied: product not enabled"));
        var doc = OrderJson.order("REF-1", "comodo_ssl", "process", "ref.example.com", TestCsrs.ec("ref.example.com"));
        String id = OrderJson.parse(hub.post("/api/v1/orders", "other-key", doc.toString()).body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() ->
            "DECLINED".equals(OrderJson.parse(hub.get("/api/v1/orders/" + id, "other-key").body()).path("state").asText()));
        JsonNode o = OrderJson.parse(hub.get("/api/v1/orders/" + id, "other-key").body());
        assertThat(o.get("lastError").get("code").asText()).isEqualTo("VENDOR_REFUSED_435");
        assertThat(o.get("lastError").get("detail").asText()).contains("Permission denied");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("RELEASED");
        assertThat(OrderJson.parse(hub.get("/api/v1/account", "other-key").body()).get("available").asText()).isEqualTo("100.00");
    }
}
