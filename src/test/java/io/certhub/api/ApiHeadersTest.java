package io.certhub.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §5, across the wire: no endpoint echoes request headers (the OpenAPI document used to
 * answer with the caller's {@code X-Api-Key}), and an unknown path under /api/ answers
 * problem+json 404 like every other API error.
 */
class ApiHeadersTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.mailbox.enabled=false");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void noEndpointEchoesTheRequestsHeaders() {
        for (String path : new String[] {"/api/v1/openapi.json", "/api/v1/account", "/api/v1/products", "/api/v1/orders/nope", "/actuator/health"}) {
            HttpResponse<String> r = hub.call("GET", path, "demo-key", null, "X-Echo-Probe", "probe-value-123", "Idempotency-Key", "idem-probe-456");
            assertThat(r.headers().map().keySet()).as(path).noneMatch(h -> h.equalsIgnoreCase("X-Api-Key"))
                .noneMatch(h -> h.equalsIgnoreCase("X-Echo-Probe")).noneMatch(h -> h.equalsIgnoreCase("Idempotency-Key"));
            assertThat(r.headers().map().values().toString()).as(path).doesNotContain("demo-key").doesNotContain("probe-value-123")
                .doesNotContain("idem-probe-456");
        }
        // what the API does set still goes out
        HttpResponse<String> doc = hub.get("/api/v1/openapi.json", "demo-key");
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(doc.headers().firstValue("Content-Type").orElse("")).contains("json");
    }

    @Test
    void anUnknownApiPathIsAProblemJson404() {
        HttpResponse<String> r = hub.get("/api/v1/no-such-thing", "demo-key");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(OrderJson.parse(r.body()).path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(OrderJson.parse(r.body()).path("status").asInt()).isEqualTo(404);
        // outside /api/ Spring's own answer stays
        assertThat(hub.get("/no-such-page", null).headers().firstValue("Content-Type").orElse("")).doesNotStartWith("application/problem+json");
    }
}
