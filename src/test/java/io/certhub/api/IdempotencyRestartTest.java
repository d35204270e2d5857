package io.certhub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Duplicate REST requests (Idempotency-Key and client reference) across a restart of the hub
 * on the same data dir: the rows are counted afterwards.
 */
class IdempotencyRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void retriesReplayAndCreateNothingTwiceAcrossARestart() {
        try (RunningHub hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false")) {
            String body = OrderJson.order("IDEM-1", "comodo_ssl", "process", "idem.example.com", TestCsrs.ec("idem.example.com")).toString();
            HttpResponse<String> first = hub.post("/api/v1/orders", "demo-key", body, "Idempotency-Key", "k-1");
            assertThat(first.statusCode()).isEqualTo(201);
            String id = OrderJson.parse(first.body()).get("id").asText();
            HttpResponse<String> replay = hub.post("/api/v1/orders", "demo-key", body, "Idempotency-Key", "k-1");
            assertThat(replay.statusCode()).isEqualTo(201);
            assertThat(replay.body()).isEqualTo(first.body());
            assertThat(replay.headers().firstValue("Location")).hasValue("/api/v1/orders/" + id);

            String other = OrderJson.order("IDEM-2", "comodo_ssl", "process", "idem.example.com", TestCsrs.ec("idem.example.com")).toString();
            HttpResponse<String> reused = hub.post("/api/v1/orders", "demo-key", other, "Idempotency-Key", "k-1");
            assertThat(reused.statusCode()).isEqualTo(422);
            assertThat(OrderJson.parse(reused.body()).get("code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
            // keys are per account: another account may use the same key
            HttpResponse<String> otherAccount = hub.post("/api/v1/orders", "other-key", other, "Idempotency-Key", "k-1");
            assertThat(otherAccount.statusCode()).isEqualTo(201);

            hub.restart();

            HttpResponse<String> afterRestart = hub.post("/api/v1/orders", "demo-key", body, "Idempotency-Key", "k-1");
            assertThat(afterRestart.statusCode()).isEqualTo(201);
            assertThat(OrderJson.parse(afterRestart.body()).get("id").asText()).isEqualTo(id);
            HttpResponse<String> sameReference = hub.post("/api/v1/orders", "demo-key", body);
            assertThat(sameReference.statusCode()).isEqualTo(200);
            assertThat(OrderJson.parse(sameReference.body()).get("id").asText()).isEqualTo(id);

            assertThat(hub.count("select count(*) from orders where account_id = 'demo'")).isEqualTo(1);
            assertThat(hub.count("select count(*) from hold where account_id = 'demo'")).isEqualTo(1);
            assertThat(hub.count("select count(*) from journal where account_id = 'demo' and entry_type = 'HOLD'")).isEqualTo(1);
            // the sandbox accounts were not made again by the restart
            assertThat(hub.count("select count(*) from journal where account_id = 'demo' and entry_type = 'DEPOSIT'")).isEqualTo(1);
            JsonNode account = OrderJson.parse(hub.get("/api/v1/account", "demo-key").body());
            assertThat(account.get("available").asText()).isEqualTo("971.00");
        }
    }
}
