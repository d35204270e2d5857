package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vendor that does not offer reissue and revoke through its API (the real OpenSRS:
 * {@code hub.vendor.opensrs.lifecycle-actions=false}, as in the production profile), across the
 * wire: both requests answer 409 {@code VENDOR_UNSUPPORTED} and change nothing, here or at the
 * vendor (no XCP action is sent).
 */
class ReissueUnsupportedVendorTest {

    @TempDir
    Path dataDir;

    @Test
    void reissueAndRevokeAnswerVendorUnsupportedAndChangeNothing() {
        try (RunningHub hub = RunningHub.start(dataDir, "--hub.vendor.opensrs.lifecycle-actions=false", "--hub.mailbox.poll-delay-ms=300")) {
            String domain = "unsupported.example.com";
            var doc = OrderJson.order("UNSUP-1", "symantec_ssl_lite", "process", domain, TestCsrs.ec(domain));
            doc.put("approverEmail", "admin@" + domain);
            HttpResponse<String> placed = hub.post("/api/v1/orders", "demo-key", doc.toString());
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
            String id = OrderJson.parse(placed.body()).get("id").asText();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                OrderJson.parse(hub.get("/api/v1/orders/" + id, "demo-key").body()).get("state").asText().equals("COMPLETED"));
            String cert = hub.jdbc().queryForObject("select id from certificate where order_id = ?", String.class, id);
            String csr = hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id);
            String body = OrderJson.MAPPER.createObjectNode().put("csr", TestCsrs.ec(domain)).toString();

            HttpResponse<String> r = hub.post("/api/v1/orders/" + id + "/reissue", "demo-key", body);
            io.certhub.support.Problems.assertProblem(r, 409, "VENDOR_UNSUPPORTED", null);
            assertThat(OrderJson.parse(r.body()).get("detail").asText()).contains("CA portal");
            HttpResponse<String> v = hub.post("/api/v1/certificates/" + cert + "/revoke", "demo-key", "{\"reason\":\"keyCompromise\"}");
            io.certhub.support.Problems.assertProblem(v, 409, "VENDOR_UNSUPPORTED", null);
            assertThat(OrderJson.parse(v.body()).get("detail").asText()).contains("CA portal");
            // another account's certificate is still not found (never revealed), whatever the vendor
            io.certhub.support.Problems.assertProblem(hub.post("/api/v1/certificates/" + cert + "/revoke", "other-key", "{\"reason\":\"keyCompromise\"}"),
                404, "CERTIFICATE_NOT_FOUND", null);

            assertThat(hub.count("select count(*) from order_reissue")).isZero();
            assertThat(hub.count("select count(*) from certificate where order_id = ? and state = 'ACTIVE' and revoked_at is null", id)).isEqualTo(1);
            assertThat(hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, id)).isEqualTo(csr);
            assertThat(hub.count("select count(*) from sandbox_certificate where revoked_at is not null")).isZero();
            assertThat(hub.count("select certificates_issued from sandbox_order")).isEqualTo(1);
            assertThat(hub.count("select count(*) from webhook_event where type = 'certificate.revoked'")).isZero();
        }
    }
}
