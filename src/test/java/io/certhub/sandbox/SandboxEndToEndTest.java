package io.certhub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole embedded default end to end: an order placed over REST is submitted to the sandbox
 * vendor by the hub's OpenSRS adapter, approved by the sandbox, emailed to the hub's mailbox,
 * read, checked and completed, with the hold captured.
 */
class SandboxEndToEndTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.sandbox.approval-delay=200ms", "--hub.mailbox.poll-delay-ms=300",
            "--hub.vendor.poll-cron=0/1 * * * * ?");
    }

    void placeAndComplete(String ref, String product, String dcv) {
        String domain = ref.toLowerCase() + ".example.com";
        var doc = OrderJson.order(ref, product, "process", domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", dcv);
        doc.put("approverEmail", "admin@" + domain);
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(300))
            .until(() -> hub.order(id).get("state").asText(), s -> s.equals("COMPLETED") || s.equals("DECLINED") || s.equals("CANCELLED"));
        JsonNode o = hub.order(id);
        assertThat(o.get("state").asText()).as(o.toString()).isEqualTo("COMPLETED");
        assertThat(o.get("vendorOrderId").asText()).matches("\\d{7,}");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("CAPTURED");
        assertThat(hub.get("/api/v1/orders/" + id + "/certificate", "demo-key").statusCode()).isEqualTo(200);
    }

    @Test
    void dvEmailOrderCompletes() {
        placeAndComplete("E2E-EMAIL", "quickssl_premium", "email");
    }

    @Test
    void sslLiteCompletes() {
        placeAndComplete("E2E-LITE", "symantec_ssl_lite", "email");
    }

    @Test
    void dnsOrderCompletesWithAutoApprove() {
        placeAndComplete("E2E-DNS", "rapidssl", "dns");
    }
}
