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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §3: a vendor outage is visible and the vendor's pace is honoured. The sandbox vendor
 * answers its next three calls with HTTP 503 and {@code Retry-After: 2}. While it does, the order
 * shows {@code lastError VENDOR_UNAVAILABLE} with {@code vendorRetry {attempts, nextAttemptAt}},
 * and {@code /actuator/health} shows the vendor component as {@code VENDOR_UNAVAILABLE} (the hub
 * itself stays UP); the hub waits at least the 2 s the vendor asked for between calls; when the
 * vendor answers again the error clears, and the history holds one entry for the start of the
 * trouble and one for its end (not one per retry).
 */
class VendorOutageTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false", "--hub.vendor.poll-cron=0 0 0 1 1 ? 2099",
            "--hub.vendor.retry-base=100ms", "--hub.vendor.retry-max=1s");
        // health is DOWN until the consumers have polled once (README): wait for UP before the outage
        await().atMost(Duration.ofSeconds(60)).until(() -> "UP".equals(health().path("status").asText()));
    }

    static JsonNode health() {
        return OrderJson.parse(hub.get("/actuator/health", null).body());
    }

    @Test
    void anOutageShowsOnTheOrderAndInHealthOnceAndTheRetryAfterIsHonoured() {
        HttpResponse<String> f = hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"http-503\",\"count\":3,\"retryAfter\":2,\"action\":\"sw_register\"}");
        assertThat(f.statusCode()).as(f.body()).isEqualTo(200);
        String domain = "outage.example.com";
        ObjectNode doc = OrderJson.order("OUTAGE-1", "comodo_ssl", "process", domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", "dns");
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();

        JsonNode waiting = await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id),
            o -> "VENDOR_UNAVAILABLE".equals(o.path("lastError").path("code").asText()) && o.path("vendorRetry").path("attempts").asInt() >= 1);
        assertThat(waiting.path("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(waiting.path("lastError").path("detail").asText()).contains("HTTP_503").contains("asked to wait 2 s");
        assertThat(waiting.path("vendorRetry").path("nextAttemptAt").asText()).isNotEmpty();
        JsonNode h = health();
        assertThat(h.path("status").asText()).isEqualTo("UP");
        assertThat(h.path("components").path("vendor").path("status").asText()).isEqualTo("VENDOR_UNAVAILABLE");
        assertThat(h.path("components").path("vendor").path("details").path("consecutiveFailures").asInt()).isGreaterThanOrEqualTo(1);

        JsonNode done = await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id), o -> "awaiting-approval".equals(o.path("vendorStatus").asText()));
        assertThat(done.path("lastError").isNull()).isTrue();
        assertThat(done.has("vendorRetry")).isFalse();
        List<JsonNode> trouble = new ArrayList<>();
        List<JsonNode> cleared = new ArrayList<>();
        JsonNode saved = null;
        for (JsonNode e : done.path("history")) {
            String reason = e.path("reason").asText();
            if (reason.contains("the vendor does not answer")) {
                trouble.add(e);
            } else if (reason.contains("the vendor answers again")) {
                cleared.add(e);
            } else if (reason.startsWith("saved at the vendor")) {
                saved = e;
            }
        }
        assertThat(trouble).as("history entries for the start of the trouble").hasSize(1);
        assertThat(cleared).as("history entries for its end").hasSize(1);
        assertThat(cleared.get(0).path("reason").asText()).contains("after 3 failed attempts");
        assertThat(saved).isNotNull();
        // three answers each asked for 2 s: the placement went through no sooner than 2 × 2 s after the first failure
        Duration waited = Duration.between(Instant.parse(trouble.get(0).path("at").asText()), Instant.parse(saved.path("at").asText()));
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        assertThat(health().path("components").path("vendor").path("status").asText()).isEqualTo("UP");
        assertThat(OrderJson.parse(hub.get("/actuator/metrics/certhub.vendor.available", null).body())
            .path("measurements").path(0).path("value").asDouble()).isEqualTo(1.0);
    }
}
