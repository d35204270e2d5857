package io.certhub.api;

import static io.certhub.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.CerthubApplication;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TcpProxy;
import io.certhub.support.TestCsrs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Issue 16's hostile inputs against the REST API, across the wire to running hubs: each test
 * sends what an attacker or a careless operator sent, asserts the status, problem {@code code}
 * and {@code field}, and counts the rows (deposits, journal, orders, API keys, deliveries) after.
 *
 * <p>Hubs: {@code hub} is the sandbox (resend limit 3 a day); {@code prod} is configured as the
 * production profile configures the API (actuator protected, health without details, HSTS) with a
 * small failed-key bucket (5, 6 a minute); the key-rotation test starts its own hub on its own
 * data dir and restarts it with other keys and the sandbox off.
 */
@ExtendWith(OutputCaptureExtension.class)
class HostileApiTest {

    @TempDir
    static Path dataDir;
    @TempDir
    static Path prodDataDir;

    static RunningHub hub;
    static RunningHub prod;
    /** In front of the sandbox SMTP server of {@code hub}: down, a certificate email stays PENDING. */
    static TcpProxy smtp;

    private static final HttpClient HTTP11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        hub = RunningHub.prepare(dataDir);
        smtp = new TcpProxy(hub.smtpPort());
        hub.start("--hub.api.resend-certificate-max-per-day=3", "--hub.mail.smtp.port=" + smtp.port(), "--hub.mail.delivery-sweep-ms=200",
            "--hub.mail.retry-base=300ms", "--hub.mail.retry-max=1s");
        prod = RunningHub.start(prodDataDir, "--hub.api.protect-actuator=true", "--hub.api.hsts=true",
            "--management.endpoint.health.show-details=never", "--hub.api.auth-failure-burst=5",
            "--hub.api.auth-failures-per-minute=6", "--hub.sandbox.auto-approve=false", "--hub.mailbox.enabled=false");
    }

    @AfterAll
    static void stop() throws IOException {
        if (smtp != null) {
            smtp.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (prod != null) {
            prod.close();
        }
    }

    // ---- 16.2: sandbox defaults, operator key replacement, key listing and revocation ----

    @Test
    void productionRefusesTheSandboxDefaultSecretsNamingEach() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CerthubApplication.class).profiles("production").run(
            "--server.port=0", "--spring.main.banner-mode=off",
            "--HUB_DB_URL=jdbc:postgresql://db/certhub", "--HUB_DB_USERNAME=certhub", "--HUB_DB_PASSWORD=s3cret-db",
            "--HUB_OPERATOR_KEY=operator-key", "--HUB_VENDOR_OPENSRS_URL=https://vendor.example/api",
            "--HUB_VENDOR_OPENSRS_USERNAME=reseller", "--HUB_VENDOR_OPENSRS_API_KEY=sandbox-key",
            "--HUB_MAILBOX_TRUSTED_ROOTS=/etc/certhub/roots.pem", "--HUB_MAILBOX_HOST=imap.example", "--HUB_MAILBOX_USERNAME=orders",
            "--HUB_MAILBOX_PASSWORD=demo-key", "--HUB_MAIL_SMTP_HOST=smtp.example", "--HUB_MAIL_SMTP_FROM=certs@example.com"))
            .isInstanceOf(IllegalStateException.class)
            .message()
            .startsWith("The production profile refuses the sandbox's default secrets")
            .contains("HUB_OPERATOR_KEY (hub.operator-key) is `operator-key`")
            .contains("HUB_VENDOR_OPENSRS_API_KEY (hub.vendor.opensrs.api-key) is `sandbox-key`")
            .contains("HUB_MAILBOX_PASSWORD (hub.mailbox.password) is `demo-key`")
            .doesNotContain("HUB_DB_PASSWORD");
    }

    @Test
    @Timeout(600)   // three application starts on one database (each ~20 s alone; 1.5 min seen on a machine at load 30)
    void theConfiguredOperatorKeyReplacesEarlierOnesAndSandboxKeysDieWithTheSandbox(@TempDir Path rotationDir) {
        RunningHub h = RunningHub.prepare(rotationDir);
        try {
            h.start("--hub.mailbox.enabled=false", "--hub.sandbox.auto-approve=false");
            assertThat(h.get("/api/v1/operator-keys", "operator-key").statusCode()).isEqualTo(200);
            assertThat(h.get("/api/v1/account", "demo-key").statusCode()).isEqualTo(200);

            // HUB_OPERATOR_KEY changed: the old key is revoked by the start-up, in one transaction with the new one
            h.close();
            h.start("--hub.mailbox.enabled=false", "--hub.sandbox.auto-approve=false", "--hub.operator-key=rotated-operator-key-1");
            assertProblem(h.get("/api/v1/operator-keys", "operator-key"), 401, "UNAUTHORIZED", null);
            HttpResponse<String> listed = h.get("/api/v1/operator-keys", "rotated-operator-key-1");
            assertThat(listed.statusCode()).isEqualTo(200);
            JsonNode items = OrderJson.parse(listed.body()).get("items");
            assertThat(items).hasSize(2);
            assertThat(items.get(0).get("id").asText()).isEqualTo("k_" + ApiKeyService.hash("operator-key").substring(0, 16));
            assertThat(items.get(0).get("revokedAt").isNull()).isFalse();
            assertThat(items.get(1).get("prefix").asText()).isEqualTo("rota");
            assertThat(items.get(1).get("revokedAt").isNull()).isTrue();
            assertThat(listed.body()).doesNotContain("rotated-operator-key-1").doesNotContain(ApiKeyService.hash("operator-key"));

            // production-like start on the same database: sandbox off, another operator key
            h.close();
            h.start("--hub.mailbox.enabled=false", "--hub.sandbox.enabled=false", "--camel.main.routes-exclude-pattern=file:routes/sandbox/**",
                "--hub.operator-key=prod-operator-key-2");
            for (String dead : List.of("operator-key", "rotated-operator-key-1", "demo-key", "other-key")) {
                assertProblem(h.get("/api/v1/operator-keys", dead), 401, "UNAUTHORIZED", null);
                assertProblem(h.get("/api/v1/account", dead), 401, "UNAUTHORIZED", null);
            }
            assertThat(h.get("/api/v1/operator-keys", "prod-operator-key-2").statusCode()).isEqualTo(200);
            assertThat(h.count("select count(*) from api_key")).isEqualTo(5);
            assertThat(h.count("select count(*) from api_key where revoked_at is null")).isEqualTo(1);
            assertThat(h.count("select count(*) from api_key where revoked_at is null and role = 'OPERATOR'")).isEqualTo(1);

            // an operator key can be revoked over the API too: 204, then 401 at once
            String current = "k_" + ApiKeyService.hash("prod-operator-key-2").substring(0, 16);
            assertProblem(h.call("DELETE", "/api/v1/operator-keys/k_0000000000000000", "prod-operator-key-2", null), 404, "API_KEY_NOT_FOUND", "keyId");
            assertThat(h.call("DELETE", "/api/v1/operator-keys/" + current, "prod-operator-key-2", null).statusCode()).isEqualTo(204);
            assertProblem(h.get("/api/v1/operator-keys", "prod-operator-key-2"), 401, "UNAUTHORIZED", null);
            assertThat(h.count("select count(*) from api_key where revoked_at is null")).isZero();
        } finally {
            h.close();
        }
    }

    @Test
    void apiKeysAreListedWithoutTheKeyAndARevokedKeyAnswers401AtOnce() {
        HttpResponse<String> created = hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"acme\",\"currency\":\"USD\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String first = OrderJson.parse(created.body()).get("apiKey").asText();
        HttpResponse<String> issued = hub.post("/api/v1/accounts/acme/api-keys", "operator-key", null);
        assertThat(issued.statusCode()).isEqualTo(201);
        String second = OrderJson.parse(issued.body()).get("apiKey").asText();

        HttpResponse<String> listed = hub.get("/api/v1/accounts/acme/api-keys", "operator-key");
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode items = OrderJson.parse(listed.body()).get("items");
        assertThat(items).hasSize(2);
        assertThat(listed.body()).doesNotContain(first).doesNotContain(second).doesNotContain(ApiKeyService.hash(first));
        assertThat(items.get(0).get("prefix").asText()).hasSize(4).isEqualTo(first.substring(0, 4));
        assertThat(items.get(0).get("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(items.get(0).get("revokedAt").isNull()).isTrue();
        String firstId = items.get(0).get("id").asText();

        assertProblem(hub.get("/api/v1/accounts/acme/api-keys", "demo-key"), 403, "FORBIDDEN", null);
        assertProblem(hub.call("DELETE", "/api/v1/accounts/acme/api-keys/" + firstId, "demo-key", null), 403, "FORBIDDEN", null);
        assertProblem(hub.get("/api/v1/accounts/nobody/api-keys", "operator-key"), 404, "ACCOUNT_NOT_FOUND", null);
        // demo's key is not acme's: it cannot be revoked through acme
        String demoKeyId = "k_" + ApiKeyService.hash("demo-key").substring(0, 16);
        assertProblem(hub.call("DELETE", "/api/v1/accounts/acme/api-keys/" + demoKeyId, "operator-key", null), 404, "API_KEY_NOT_FOUND", "keyId");
        assertThat(hub.get("/api/v1/account", "demo-key").statusCode()).isEqualTo(200);

        assertThat(hub.get("/api/v1/account", first).statusCode()).isEqualTo(200);
        assertThat(hub.call("DELETE", "/api/v1/accounts/acme/api-keys/" + firstId, "operator-key", null).statusCode()).isEqualTo(204);
        assertProblem(hub.get("/api/v1/account", first), 401, "UNAUTHORIZED", null);
        assertThat(hub.get("/api/v1/account", second).statusCode()).isEqualTo(200);
        assertThat(hub.call("DELETE", "/api/v1/accounts/acme/api-keys/" + firstId, "operator-key", null).statusCode()).isEqualTo(204);
        JsonNode after = OrderJson.parse(hub.get("/api/v1/accounts/acme/api-keys", "operator-key").body()).get("items");
        assertThat(after.get(0).get("revokedAt").isNull()).isFalse();
        assertThat(after.get(1).get("revokedAt").isNull()).isTrue();
        assertThat(hub.count("select count(*) from api_key where account_id = 'acme'")).isEqualTo(2);
        assertThat(hub.count("select count(*) from api_key where account_id = 'acme' and revoked_at is not null")).isEqualTo(1);

        HttpResponse<String> operators = hub.get("/api/v1/operator-keys", "operator-key");
        assertThat(OrderJson.parse(operators.body()).get("items")).hasSize(1);
        assertProblem(hub.call("DELETE", "/api/v1/operator-keys/k_0000000000000000", "operator-key", null), 404, "API_KEY_NOT_FOUND", "keyId");
    }

    // ---- 16.6: Idempotency-Key claimed before the work ----

    @Test
    void twentyConcurrentDepositsWithOneKeyDepositOnce() throws Exception {
        assertThat(hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"idem-dep\",\"currency\":\"USD\"}").statusCode()).isEqualTo(201);
        String body = "{\"amount\":\"10.00\",\"currency\":\"USD\",\"reference\":\"wire 1\"}";
        List<HttpResponse<String>> answers = concurrently(20, () -> hub.post("/api/v1/accounts/idem-dep/deposits", "operator-key", body,
            "Idempotency-Key", "dep-1"));
        List<String> created = new ArrayList<>();
        for (HttpResponse<String> r : answers) {
            if (r.statusCode() == 201) {
                created.add(r.body());
            } else {
                assertProblem(r, 409, "IDEMPOTENCY_KEY_IN_PROGRESS", "Idempotency-Key");
            }
        }
        assertThat(created).isNotEmpty();
        assertThat(created).allMatch(b -> b.equals(created.get(0)));
        HttpResponse<String> replay = hub.post("/api/v1/accounts/idem-dep/deposits", "operator-key", body, "Idempotency-Key", "dep-1");
        assertThat(replay.statusCode()).isEqualTo(201);
        assertThat(replay.body()).isEqualTo(created.get(0));
        assertThat(OrderJson.parse(replay.body()).get("balance").asText()).isEqualTo("10.00");
        assertThat(hub.count("select count(*) from journal where account_id = 'idem-dep' and entry_type = 'DEPOSIT'")).isEqualTo(1);
        assertThat(hub.count("select balance_minor from account where id = 'idem-dep'")).isEqualTo(1000);
        assertThat(hub.count("select count(*) from idempotency_record where account_id = 'operator' and idem_key = 'dep-1' and state = 'DONE'"))
            .isEqualTo(1);
    }

    @Test
    void twentyConcurrentOrdersWithOneKeyCreateOneOrder() throws Exception {
        String body = OrderJson.order("IDEM-RACE-1", "comodo_ssl", "save", "race.example.com", TestCsrs.ec("race.example.com")).toString();
        List<HttpResponse<String>> answers = concurrently(20, () -> hub.post("/api/v1/orders", "demo-key", body, "Idempotency-Key", "ord-1"));
        List<String> created = new ArrayList<>();
        for (HttpResponse<String> r : answers) {
            if (r.statusCode() == 201) {
                created.add(r.body());
            } else {
                assertProblem(r, 409, "IDEMPOTENCY_KEY_IN_PROGRESS", "Idempotency-Key");
            }
        }
        assertThat(created).isNotEmpty().allMatch(b -> b.equals(created.get(0)));
        HttpResponse<String> replay = hub.post("/api/v1/orders", "demo-key", body, "Idempotency-Key", "ord-1");
        assertThat(replay.statusCode()).isEqualTo(201);
        assertThat(replay.body()).isEqualTo(created.get(0));
        assertThat(hub.count("select count(*) from orders where account_id = 'demo' and client_reference = 'IDEM-RACE-1'")).isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyOver255CharactersIsRefusedBeforeAnyWork() {
        assertThat(hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"idem-long\",\"currency\":\"USD\"}").statusCode()).isEqualTo(201);
        String body = "{\"amount\":\"5.00\",\"currency\":\"USD\"}";
        String tooLong = "k".repeat(256);
        long records = hub.count("select count(*) from idempotency_record");
        for (int retry = 0; retry < 3; retry++) {
            assertProblem(hub.post("/api/v1/accounts/idem-long/deposits", "operator-key", body, "Idempotency-Key", tooLong),
                422, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key");
        }
        String order = OrderJson.order("IDEM-LONG-1", "comodo_ssl", "process", "long.example.com", TestCsrs.ec("long.example.com")).toString();
        assertProblem(hub.post("/api/v1/orders", "other-key", order, "Idempotency-Key", tooLong), 422, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key");
        assertThat(hub.count("select count(*) from journal where account_id = 'idem-long'")).isZero();
        assertThat(hub.count("select balance_minor from account where id = 'idem-long'")).isZero();
        assertThat(hub.count("select count(*) from orders where client_reference = 'IDEM-LONG-1'")).isZero();
        assertThat(hub.count("select count(*) from idempotency_record")).isEqualTo(records);

        // 255 characters is the longest key: it works, once
        String longest = "k".repeat(255);
        assertThat(hub.post("/api/v1/accounts/idem-long/deposits", "operator-key", body, "Idempotency-Key", longest).statusCode()).isEqualTo(201);
        assertThat(hub.post("/api/v1/accounts/idem-long/deposits", "operator-key", body, "Idempotency-Key", longest).statusCode()).isEqualTo(201);
        assertThat(hub.count("select count(*) from journal where account_id = 'idem-long' and entry_type = 'DEPOSIT'")).isEqualTo(1);
        assertThat(hub.count("select balance_minor from account where id = 'idem-long'")).isEqualTo(500);
    }

    @Test
    void aClaimLeftPendingByADeadRequestIsTakenOverAfterTheTimeoutAndAFreshOneAnswers409() {
        assertThat(hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"idem-crash\",\"currency\":\"USD\"}").statusCode()).isEqualTo(201);
        String path = "/api/v1/accounts/idem-crash/deposits";
        String body = "{\"amount\":\"7.00\",\"currency\":\"USD\"}";
        assertThat(hub.post(path, "operator-key", body, "Idempotency-Key", "probe-1").statusCode()).isEqualTo(201);
        String hash = hub.jdbc().queryForObject("select request_hash from idempotency_record where account_id = 'operator' and idem_key = 'probe-1'",
            String.class);
        // a request that claimed "crash-1" 10 minutes ago and died before its deposit committed (claim timeout 5 min)
        String insert = "insert into idempotency_record(account_id, idem_key, request_hash, status, response_body, created_at, state, claim_token)"
            + " values ('operator', ?, ?, 0, '', ?, 'PENDING', 'dead-request')";
        hub.jdbc().update(insert, "crash-1", hash, java.sql.Timestamp.from(java.time.Instant.now().minus(Duration.ofMinutes(10))));
        // and one that claimed "inflight-1" just now and is still working
        hub.jdbc().update(insert, "inflight-1", hash, java.sql.Timestamp.from(java.time.Instant.now()));

        HttpResponse<String> taken = hub.post(path, "operator-key", body, "Idempotency-Key", "crash-1");
        assertThat(taken.statusCode()).isEqualTo(201);
        assertThat(hub.post(path, "operator-key", body, "Idempotency-Key", "crash-1").body()).isEqualTo(taken.body());
        assertProblem(hub.post(path, "operator-key", body, "Idempotency-Key", "inflight-1"), 409, "IDEMPOTENCY_KEY_IN_PROGRESS", "Idempotency-Key");
        assertThat(hub.count("select count(*) from journal where account_id = 'idem-crash' and entry_type = 'DEPOSIT'")).isEqualTo(2);
        assertThat(hub.count("select balance_minor from account where id = 'idem-crash'")).isEqualTo(1400);
        assertThat(hub.count("select count(*) from idempotency_record where idem_key = 'crash-1' and state = 'DONE' and claim_token <> 'dead-request'"))
            .isEqualTo(1);
    }

    // ---- 16.7: authenticate before the body is read; body caps ----

    @Test
    void anUnauthenticatedLargePostIsAnswered401WithoutItsBodyBeingRead() {
        long orders = hub.count("select count(*) from orders");
        String head = "POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n";
        // not one byte of the 50 MB is sent: the answer can only come if the hub does not wait for it
        Raw none = raw(hub.port(), "127.0.0.1", head + "\r\n", out -> { });
        assertThat(none.status).isEqualTo(401);
        assertThat(none.json().get("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(none.headers.get("connection")).isEqualTo("close");
        Raw wrong = raw(hub.port(), "127.0.0.1", head + "X-Api-Key: guessed-key\r\n\r\n", out -> out.write(new byte[1024]));
        assertThat(wrong.status).isEqualTo(401);
        // chunked: the first 64 KB chunk sent, no end
        Raw chunked = raw(hub.port(), "127.0.0.1", "POST /api/v1/accounts/demo/deposits HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n", out -> {
                out.write("10000\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[0x10000]);
            });
        assertThat(chunked.status).isEqualTo(401);
        assertThat(hub.count("select count(*) from orders")).isEqualTo(orders);
    }

    @Test
    void anAuthenticatedOversizeBodyIs413AndOneWithinTheCapGoesThrough() throws Exception {
        long orders = hub.count("select count(*) from orders where account_id = 'demo'");
        long journal = hub.count("select count(*) from journal");
        Raw declared = raw(hub.port(), "127.0.0.1", "POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: demo-key\r\n"
            + "Content-Type: application/json\r\nContent-Length: 1048577\r\n\r\n", out -> { });
        assertThat(declared.status).isEqualTo(413);
        assertThat(declared.json().get("code").asText()).isEqualTo("BODY_TOO_LARGE");
        assertThat(declared.json().get("detail").asText()).contains("1048576");
        // other endpoints: 64 KB
        Raw csr = raw(hub.port(), "127.0.0.1", "POST /api/v1/csr/parse HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: demo-key\r\n"
            + "Content-Type: application/json\r\nContent-Length: 65537\r\n\r\n", out -> { });
        assertThat(csr.status).isEqualTo(413);
        Raw deposit = raw(hub.port(), "127.0.0.1", "POST /api/v1/accounts/demo/deposits HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "X-Api-Key: operator-key\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n", out -> { });
        assertThat(deposit.status).isEqualTo(413);
        // chunked, no length: read up to the cap, refused as soon as it passes
        Raw chunked = raw(hub.port(), "127.0.0.1", "POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: demo-key\r\n"
            + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n", out -> {
                out.write((Integer.toHexString(1048577) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[1048577]);
            });
        assertThat(chunked.status).isEqualTo(413);
        assertThat(chunked.json().get("code").asText()).isEqualTo("BODY_TOO_LARGE");

        // a chunked order within the cap is read and placed
        byte[] order = OrderJson.order("CHUNKED-1", "comodo_ssl", "save", "chunked.example.com", TestCsrs.ec("chunked.example.com"))
            .toString().getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> ok = HTTP11.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/api/v1/orders"))
            .header("X-Api-Key", "demo-key").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(order))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(hub.count("select count(*) from orders where account_id = 'demo'")).isEqualTo(orders + 1);
        assertThat(hub.count("select count(*) from journal")).isEqualTo(journal);
    }

    // ---- 16 Low: failed keys throttled, logged once per window, counted ----

    @Test
    void failedKeysAreThrottledPerAddressLoggedOnceAndCounted(CapturedOutput output) {
        double throttledBefore = metric("throttled");
        double rejectedBefore = metric("rejected");
        String from = "127.0.0.23";
        String get = "GET /api/v1/account HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
        for (int i = 0; i < 5; i++) {
            Raw r = raw(prod.port(), from, get + "X-Api-Key: guess-" + i + "\r\n\r\n", out -> { });
            assertThat(r.status).as("guess %d", i).isEqualTo(401);
        }
        Raw throttled = raw(prod.port(), from, get + "X-Api-Key: guess-5\r\n\r\n", out -> { });
        assertThat(throttled.status).isEqualTo(429);
        assertThat(throttled.json().get("code").asText()).isEqualTo("TOO_MANY_AUTH_FAILURES");
        assertThat(throttled.json().get("field").asText()).isEqualTo("X-Api-Key");
        assertThat(Long.parseLong(throttled.headers.get("retry-after"))).isBetween(1L, 10L);
        // throttled before the key is looked at: even the right key waits
        assertThat(raw(prod.port(), from, get + "X-Api-Key: demo-key\r\n\r\n", out -> { }).status).isEqualTo(429);
        // another address is not affected
        assertThat(prod.get("/api/v1/account", "demo-key").statusCode()).isEqualTo(200);

        assertThat(metric("rejected") - rejectedBefore).isEqualTo(5.0);
        assertThat(metric("throttled") - throttledBefore).isEqualTo(2.0);
        long lines = output.getAll().lines().filter(l -> l.contains("failed API key check from client " + from)).count();
        assertThat(lines).isEqualTo(1);
        assertThat(output.getAll()).doesNotContain("guess-0");
    }

    // ---- 16 Low: resend-certificate bounded per order ----

    @Test
    void resendCertificateIsBoundedPerOrder() throws Exception {
        String domain = "resend.example.com";
        HttpResponse<String> placed = hub.post("/api/v1/orders", "demo-key",
            OrderJson.order("RESEND-1", "symantec_ssl_lite", "process", domain, TestCsrs.ec(domain)).toString());
        assertThat(placed.statusCode()).isEqualTo(201);
        String id = OrderJson.parse(placed.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> "SENT".equals(hub.order(id).path("delivery").path("state").asText()));

        // SMTP down: a queued resend stays PENDING, so every other resend meanwhile is refused
        smtp.down(true);
        List<HttpResponse<String>> answers = concurrently(30, () -> hub.post("/api/v1/orders/" + id + "/resend-certificate", "demo-key", null));
        assertThat(answers.stream().filter(r -> r.statusCode() == 202)).hasSize(1);
        answers.stream().filter(r -> r.statusCode() != 202).forEach(r -> assertProblem(r, 409, "RESEND_IN_PROGRESS", null));
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(2);
        assertProblem(hub.post("/api/v1/orders/" + id + "/resend-certificate", "demo-key", null), 409, "RESEND_IN_PROGRESS", null);

        smtp.down(false);
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where order_id = ? and state = 'SENT'", id) == 2);
        assertThat(hub.post("/api/v1/orders/" + id + "/resend-certificate", "demo-key", null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from delivery where order_id = ? and state = 'SENT'", id) == 3);
        assertProblem(hub.post("/api/v1/orders/" + id + "/resend-certificate", "demo-key", null), 429, "RESEND_LIMIT_REACHED", null);
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(3);
        await().atMost(Duration.ofSeconds(20)).until(() -> Mailboxes.read(hub.imapPort(), "alex@example.com", "INBOX").stream()
            .filter(m -> m.subject().contains(domain)).count() == 3);
    }

    // ---- 16 Low: actuator in production, security headers ----

    @Test
    void productionActuatorShowsProbesOpenlyAndTheRestOnlyToTheOperator() {
        HttpResponse<String> health = prod.get("/actuator/health", null);
        assertThat(health.statusCode()).isIn(200, 503);
        assertThat(OrderJson.parse(health.body()).has("status")).isTrue();
        assertThat(health.body()).doesNotContain("components").doesNotContain("details");
        for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
            HttpResponse<String> r = prod.get(probe, null);
            assertThat(r.statusCode()).as(probe).isEqualTo(200);
            assertThat(OrderJson.parse(r.body()).get("status").asText()).isEqualTo("UP");
        }
        for (String closed : List.of("/actuator/info", "/actuator/metrics", "/actuator/metrics/certhub.api.auth.failures", "/actuator")) {
            assertProblem(prod.get(closed, null), 401, "UNAUTHORIZED", null);
            assertProblem(prod.get(closed, "demo-key"), 403, "FORBIDDEN", null);
        }
        assertThat(prod.get("/actuator/metrics", "operator-key").statusCode()).isEqualTo(200);
        assertThat(prod.get("/actuator/info", "operator-key").statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000; includeSubDomains");
        // the sandbox keeps its details and its open metrics (the benchmark reads them)
        assertThat(hub.get("/actuator/health", null).body()).contains("components");
        assertThat(hub.get("/actuator/metrics", null).statusCode()).isEqualTo(200);
    }

    @Test
    void dashboardAndApiAnswersCarryTheSecurityHeaders() {
        HttpResponse<String> page = hub.get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        for (HttpResponse<String> r : List.of(page, hub.get("/js/main.js", null), hub.get("/api/v1/account", "demo-key"),
            hub.get("/api/v1/account", null), hub.get("/api/v1/openapi.json", null))) {
            var h = r.headers();
            assertThat(h.firstValue("Content-Security-Policy").orElse("")).as(r.uri().toString())
                .contains("default-src 'self'").contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
            assertThat(h.firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(h.firstValue("Referrer-Policy")).hasValue("no-referrer");
            assertThat(h.firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(h.firstValue("Strict-Transport-Security")).isEmpty();     // sandbox: plain HTTP
        }
        // the dashboard works under script-src 'self': no inline script, no inline handler, no style attribute
        String html = page.body().toLowerCase(Locale.ROOT);
        assertThat(html).contains("<script type=\"module\" src=\"js/main.js\"");
        var tags = java.util.regex.Pattern.compile("<script\\b[^>]*>").matcher(html).results().map(m -> m.group()).toList();
        assertThat(tags).isNotEmpty().allMatch(t -> t.contains(" src="));
        assertThat(html).doesNotContainPattern("\\son[a-z]+\\s*=").doesNotContain(" style=");
    }

    // ---- helpers ----

    private static double metric(String outcome) {
        HttpResponse<String> r = prod.get("/actuator/metrics/certhub.api.auth.failures?tag=outcome:" + outcome, "operator-key");
        if (r.statusCode() == 404) {
            return 0;
        }
        assertThat(r.statusCode()).isEqualTo(200);
        return OrderJson.parse(r.body()).get("measurements").get(0).get("value").asDouble();
    }

    private static <T> List<T> concurrently(int n, Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** What a plain socket read back: status, headers (lower-case names), body. */
    record Raw(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            return OrderJson.parse(body);
        }
    }

    interface Sender {
        void send(OutputStream out) throws IOException;
    }

    /**
     * One HTTP/1.1 exchange on a plain socket from a chosen local address (127.0.0.0/8): the head
     * is written, then whatever {@code sender} writes (it may stop short of what the head
     * declares), then the answer is read.
     */
    static Raw raw(int port, String from, String head, Sender sender) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            sender.send(out);
            out.flush();
            InputStream in = s.getInputStream();
            String status = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l; !(l = line(in)).isEmpty(); ) {
                int c = l.indexOf(':');
                headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            return new Raw(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}
