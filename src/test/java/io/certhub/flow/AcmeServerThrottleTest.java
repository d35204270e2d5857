package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACME front door under a flood (issue 15 §2: rate limits): one client address asking for
 * nonces faster than {@code hub.acme.requests-per-second} gets 429 {@code rateLimited} with
 * {@code Retry-After}, and a refused request writes no nonce row; a body over the cap is refused
 * before it is read.
 */
class AcmeServerThrottleTest {

    @TempDir
    static Path dir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dir, "--hub.acme.requests-per-second=5");
    }

    @Test
    void aFloodOfNonceRequestsIsRateLimitedAndWritesNoRowsForTheRefused() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI nonce = URI.create("http://127.0.0.1:" + hub.port() + "/acme/new-nonce");
        long rowsBefore = hub.count("select count(*) from acme_nonce");
        int ok = 0;
        int limited = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 60; i++) {
            // GET (204 with a nonce) rather than HEAD, so a refusal's problem document can be read
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(nonce).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 204) {
                ok++;
            } else {
                assertThat(r.statusCode()).isEqualTo(429);
                limited++;
                refused = r;
            }
        }
        assertThat(limited).isPositive();
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        assertThat(refused.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        assertThat(OrderJson.parse(refused.body()).get("type").asText()).isEqualTo("urn:ietf:params:acme:error:rateLimited");
        assertThat(hub.count("select count(*) from acme_nonce")).isEqualTo(rowsBefore + ok);
    }

    @Test
    void aBodyOverTheCapIsRefusedBeforeItIsRead() {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest big = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/acme/new-account"))
            .header("Content-Type", "application/jose+json").POST(HttpRequest.BodyPublishers.ofString("x".repeat(70_000))).build();
        // the other test may have spent this address's permits: send until the request is let through
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> last = new java.util.concurrent.atomic.AtomicReference<>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(300)).until(() -> {
            last.set(http.send(big, HttpResponse.BodyHandlers.ofString()));
            return last.get().statusCode() != 429;
        });
        assertThat(last.get().statusCode()).as(last.get().body()).isEqualTo(413);
        // an ACME client reads RFC 8555 types, here too
        assertThat(OrderJson.parse(last.get().body()).get("type").asText()).isEqualTo("urn:ietf:params:acme:error:malformed");

        // the directory (a GET) writes no nonce row; a HEAD new-nonce does
        long nonces = hub.count("select count(*) from acme_nonce");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(300)).until(() ->
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/acme/directory")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        assertThat(hub.count("select count(*) from acme_nonce")).isEqualTo(nonces);
    }
}
