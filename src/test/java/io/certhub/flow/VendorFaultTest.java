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
 * 200 orders go to a vendor that fails 30% of its calls (HTTP 503, then replies later than the
 * hub's 200 ms read timeout although it acted); then the hub restarts on the same data. Every
 * order must end with exactly one submitted vendor order and one hold; none lost.
 */
class VendorFaultTest {

    @TempDir
    Path dataDir;

    @Test
    void aFlakyVendorNeverGetsTwoOrdersForOneHubOrderAcrossARestart() {
        String[] args = {"--hub.sandbox.auto-approve=false", "--hub.mailbox.enabled=false", "--hub.vendor.poll-cron=0 0 0 1 1 ? 2099",
            "--hub.vendor.opensrs.read-timeout-ms=200", "--hub.sandbox.fault-timeout-delay=400ms",
            "--hub.vendor.retry-base=50ms", "--hub.vendor.retry-max=500ms", "--hub.vendor.concurrency=16"};
        RunningHub hub = RunningHub.prepare(dataDir).start(args);
        try {
            hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"10000.00\",\"currency\":\"USD\"}");
            assertThat(hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"http-503\",\"rate\":0.3}").statusCode()).isEqualTo(200);
            String csr = TestCsrs.ec("fault.example.com");
            for (int i = 0; i < 200; i++) {
                var doc = OrderJson.order("FAULT-" + i, "comodo_ssl", "process", "fault.example.com", csr);
                HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                if (i == 100) {
                    hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"timeout\",\"rate\":0.3}");
                }
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                hub.count("select count(*) from orders where client_reference like 'FAULT-%' and vendor_step = 'SUBMITTED'") == 200);
            hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"none\"}");
            hub.restart();
            hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"none\"}");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(60)).until(() ->
                hub.count("select count(*) from orders where client_reference like 'FAULT-%' and vendor_step = 'SUBMITTED'") == 200);

            assertThat(hub.count("select count(*) from orders where client_reference like 'FAULT-%'")).isEqualTo(200);
            assertThat(hub.count("select count(*) from orders where client_reference like 'FAULT-%' and state = 'IN_PROGRESS'")).isEqualTo(200);
            assertThat(hub.count("select count(distinct vendor_order_id) from orders where client_reference like 'FAULT-%'")).isEqualTo(200);
            assertThat(hub.count("select count(*) from hold h join orders o on o.id = h.order_id where o.client_reference like 'FAULT-%'")).isEqualTo(200);
            assertThat(hub.count("select count(*) from hold h join orders o on o.id = h.order_id where o.client_reference like 'FAULT-%' and h.state = 'HELD'")).isEqualTo(200);
            // at the vendor: exactly one submitted order per hub order; unused saved orders (a lost
            // sw_register reply) may exist but are never submitted
            assertThat(hub.count("select count(*) from sandbox_order where state <> 'pending'")).isEqualTo(200);
            assertThat(hub.count("select count(*) from sandbox_order s join orders o on o.vendor_order_id = s.order_id where s.state = 'awaiting-approval'")).isEqualTo(200);
            assertThat(hub.count("select count(*) from journal where entry_type = 'HOLD' and order_id in (select id from orders where client_reference like 'FAULT-%')")).isEqualTo(200);
        } finally {
            hub.close();
        }
    }
}
