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
 * {@code WEBHOOK_URL_NOT_HTTPS} and stores nothing; an https one is registered. With
 * {@code hub.webhooks.allow-private-addresses=false} (production's setting) a URL reaching a
 * loopback, private or link-local address is refused ({@code WEBHOOK_URL_NOT_PUBLIC}), and a
 * delivery whose host points there later is not sent (the try is logged, "not sent: …").
 */
class WebhookHttpsRequiredTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.webhooks.require-https=true", "--hub.webhooks.allow-private-addresses=false",
            "--hub.webhooks.retry-base=1s", "--hub.mailbox.enabled=false");
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void plainHttpIsRefusedHttpsIsTaken() {
        io.certhub.support.Problems.assertProblem(hub.post("/api/v1/webhooks", "demo-key",
            "{\"url\":\"http://billing.example.com/certhub\",\"events\":[\"order.completed\"]}"), 422, "WEBHOOK_URL_NOT_HTTPS", "url");
        assertThat(hub.count("select count(*) from webhook where url like 'http:%'")).isZero();
        var ok = hub.post("/api/v1/webhooks", "demo-key", "{\"url\":\"https://billing.example.com/certhub\",\"events\":[\"order.completed\"]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(hub.count("select count(*) from webhook where account_id = 'demo' and url = 'https://billing.example.com/certhub'")).isEqualTo(1);
    }

    @Test
    void internalAddressesAreRefusedAtRegistrationAndNotCalledLater() {
        long before = hub.count("select count(*) from webhook");
        for (String url : new String[] {"https://127.0.0.1/certhub", "https://[::1]:8443/certhub", "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.7/billing", "https://localhost/certhub"}) {
            var r = hub.post("/api/v1/webhooks", "demo-key", "{\"url\":\"" + url + "\",\"events\":[\"certificate.expiring\"]}");
            io.certhub.support.Problems.assertProblem(r, 422, "WEBHOOK_URL_NOT_PUBLIC", "url");
            assertThat(r.body()).contains("allow-private-addresses");
        }
        assertThat(hub.count("select count(*) from webhook")).isEqualTo(before);

        // registered while its name was public (or unresolvable), then pointed at loopback: never called
        var ok = hub.post("/api/v1/webhooks", "demo-key", "{\"url\":\"https://billing.example.com/later\",\"events\":[\"certificate.expiring\"]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        String id = io.certhub.support.OrderJson.parse(ok.body()).get("id").asText();
        hub.jdbc().update("update webhook set url = 'https://127.0.0.1:9/later' where id = ?", id);
        hub.context().getBean(org.springframework.transaction.support.TransactionTemplate.class).executeWithoutResult(s ->
            hub.context().publishEvent(new io.certhub.webhook.HubEvent(io.certhub.webhook.WebhookEventType.CERTIFICATE_EXPIRING, "demo", null,
                java.util.Map.of("ssrf", true))));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(200))
            .until(() -> hub.count("select count(*) from webhook_attempt where webhook_id = ?", id) >= 1);
        assertThat(hub.jdbc().queryForObject("select error from webhook_attempt where webhook_id = ? order by id limit 1", String.class, id))
            .isEqualTo("not sent: 127.0.0.1 is loopback (hub.webhooks.allow-private-addresses is false)");
        assertThat(hub.jdbc().queryForObject("select status_code from webhook_attempt where webhook_id = ? order by id limit 1", Integer.class, id))
            .isNull();
        assertThat(hub.call("DELETE", "/api/v1/webhooks/" + id, "demo-key", null).statusCode()).isEqualTo(204);
    }
}
