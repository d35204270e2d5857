package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.support.RunningHub;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub that requires https webhook URLs ({@code hub.webhooks.require-https=true}, what the
 * {@code production} profile sets and {@code WebhookApi} also derives from the profile itself:
 * {@code io.certhub.api.WebhookApiTest}) refuses a plain http URL over HTTP with 422
 * {@code WEBHOOK_URL_NOT_HTTPS} and stores nothing; an https one is registered.
 */
class WebhookHttpsRequiredTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.webhooks.require-https=true", "--hub.mailbox.enabled=false");
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void plainHttpIsRefusedHttpsIsTaken() {
        WebhookFlowTest.assertProblem(hub.post("/api/v1/webhooks", "demo-key",
            "{\"url\":\"http://billing.example.com/certhub\",\"events\":[\"order.completed\"]}"), 422, "WEBHOOK_URL_NOT_HTTPS", "url");
        assertThat(hub.count("select count(*) from webhook")).isZero();
        var ok = hub.post("/api/v1/webhooks", "demo-key", "{\"url\":\"https://billing.example.com/certhub\",\"events\":[\"order.completed\"]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(hub.count("select count(*) from webhook where account_id = 'demo' and url = 'https://billing.example.com/certhub'")).isEqualTo(1);
    }
}
