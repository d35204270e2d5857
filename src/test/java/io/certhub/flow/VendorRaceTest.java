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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §4, races and lost replies with the vendor. (1) A reseller's cancel racing the order's
 * placement at the vendor. The sandbox
 * vendor answers after 300 ms, so most cancels sent right after the submit arrive while
 * {@code sw_register} is in flight. Whatever the timing: every order ends CANCELLED with its
 * hold released; an order that got a vendor order id has both the placement and the
 * cancellation at the vendor in its history; and no vendor order is left alive (every sandbox
 * order of these orders is cancelled). (2) A {@code sw_register} whose reply is lost (the sandbox
 * answers after the hub's read timeout although it saved the order) is recorded as a possible
 * orphan on the order's history and on the operator's list before it is placed again.
 */
class VendorRaceTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false", "--hub.sandbox.vendor-latency=300ms",
            "--hub.vendor.poll-cron=0/1 * * * * ?", "--hub.vendor.poll-base=1s",
            "--hub.vendor.opensrs.read-timeout-ms=2000", "--hub.sandbox.fault-timeout-delay=3s", "--hub.vendor.retry-base=200ms");
        hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"5000.00\",\"currency\":\"USD\"}");
    }

    @Test
    void aCancelRacingThePlacementLeavesNoVendorOrderAliveAndExplainsEveryVendorStep() throws Exception {
        int n = 24;
        List<String> ids = new ArrayList<>();
        ExecutorService cancels = Executors.newFixedThreadPool(8);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String domain = "race" + i + ".example.com";
                ObjectNode doc = OrderJson.order("RACE-" + i, "comodo_ssl", "process", domain, TestCsrs.ec(domain));
                doc.put("dcvMethod", "dns");
                HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                String id = OrderJson.parse(r.body()).get("id").asText();
                ids.add(id);
                long delayMs = (i % 6) * 80L;          // 0 … 400 ms after the submit: before, during and after sw_register
                answers.add(cancels.submit(() -> {
                    TimeUnit.MILLISECONDS.sleep(delayMs);   // the race's timing itself is what is varied here
                    return hub.post("/api/v1/orders/" + id + "/cancel", "demo-key", null);
                }));
            }
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get(2, TimeUnit.MINUTES);
                assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
            }
        } finally {
            cancels.shutdown();
        }

        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> ids.stream().allMatch(id -> "CANCELLED".equals(hub.order(id).path("state").asText())));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            for (String id : ids) {
                JsonNode o = hub.order(id);
                if (!"CANCELLED".equals(o.path("state").asText())) {
                    System.out.println("not cancelled: " + o.path("clientReference").asText() + " " + o.path("state").asText() + " "
                        + o.path("vendorStatus").asText() + " " + o.path("vendorOrderId").asText() + " history " + o.path("history"));
                }
            }
            throw e;
        }
        int placed = 0;
        for (String id : ids) {
            JsonNode o = hub.order(id);
            assertThat(o.path("hold").path("state").asText()).as(id).isEqualTo("RELEASED");
            String vendorOrderId = o.path("vendorOrderId").asText(null);
            List<String> reasons = new ArrayList<>();
            o.path("history").forEach(h -> reasons.add(h.path("reason").asText()));
            if (vendorOrderId != null && !vendorOrderId.isEmpty()) {
                placed++;
                assertThat(reasons).as("history of %s (vendor order %s)", id, vendorOrderId)
                    .anyMatch(r -> r.contains("saved at the vendor as order " + vendorOrderId))
                    .anyMatch(r -> r.contains("cancel"));
                assertThat(hub.count("select count(*) from sandbox_order where order_id = ? and state <> 'cancelled'", vendorOrderId))
                    .as("vendor order %s still alive (%s); the order's history: %s", vendorOrderId,
                        hub.jdbc().queryForList("select state from sandbox_order where order_id = ?", String.class, vendorOrderId), o.path("history"))
                    .isZero();
            }
        }
        // every vendor order the sandbox holds for these domains is cancelled: none orphaned alive
        assertThat(hub.count("select count(*) from sandbox_order where domain like 'race%.example.com' and state <> 'cancelled'")).isZero();
        assertThat(hub.count("select count(*) from journal where entry_type = 'RELEASE' and order_id in "
            + "(select id from orders where client_reference like 'RACE-%')")).isEqualTo(n);
        assertThat(hub.count("select count(*) from journal where entry_type = 'CAPTURE' and order_id in "
            + "(select id from orders where client_reference like 'RACE-%')")).isZero();
        System.out.printf("cancel race: %d of %d orders had reached the vendor when cancelled%n", placed, n);
    }

    @Test
    void aLostSwRegisterReplyIsRecordedAsAPossibleOrphanBeforeTheOrderIsPlacedAgain() {
        assertThat(hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"timeout\",\"count\":1,\"action\":\"sw_register\"}").statusCode()).isEqualTo(200);
        String domain = "lost-reply.example.com";
        ObjectNode doc = OrderJson.order("LOST-1", "comodo_ssl", "process", domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", "dns");
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id).path("vendorOrderId").asText("").matches("\\d{7,}"));

        JsonNode list = OrderJson.parse(hub.get("/api/v1/vendor/possible-orphans", "operator-key").body());
        List<JsonNode> mine = new ArrayList<>();
        list.path("items").forEach(i -> {
            if (id.equals(i.path("orderId").asText())) {
                mine.add(i);
            }
        });
        assertThat(mine).hasSize(1);
        assertThat(mine.get(0).path("action").asText()).isEqualTo("sw_register");
        assertThat(mine.get(0).path("errorCode").asText()).isEqualTo("TIMEOUT");
        assertThat(mine.get(0).path("clientReference").asText()).isEqualTo("LOST-1");
        assertThat(mine.get(0).path("reconciledAt").isNull()).isTrue();
        List<String> reasons = new ArrayList<>();
        hub.order(id).path("history").forEach(h -> reasons.add(h.path("reason").asText()));
        assertThat(reasons).anyMatch(t -> t.contains("reply to sw_register was lost (TIMEOUT)"));
        // the vendor did save the first attempt: two saved orders for the domain, one of them the hub's
        assertThat(hub.count("select count(*) from sandbox_order where domain = ?", domain)).isEqualTo(2);
        String vendorOrderId = hub.order(id).path("vendorOrderId").asText();
        assertThat(hub.count("select count(*) from sandbox_order where domain = ? and order_id <> ? and state = 'pending'", domain, vendorOrderId))
            .isEqualTo(1);

        assertThat(hub.get("/api/v1/vendor/possible-orphans", "demo-key").statusCode()).isEqualTo(403);
        long orphanId = mine.get(0).path("id").asLong();
        HttpResponse<String> done = hub.post("/api/v1/vendor/possible-orphans/" + orphanId + "/reconcile", "operator-key",
            "{\"note\":\"cancelled in the vendor portal\"}");
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(hub.post("/api/v1/vendor/possible-orphans/" + orphanId + "/reconcile", "operator-key", "{}").statusCode()).isEqualTo(404);
        JsonNode open = OrderJson.parse(hub.get("/api/v1/vendor/possible-orphans", "operator-key").body());
        open.path("items").forEach(i -> assertThat(i.path("id").asLong()).isNotEqualTo(orphanId));
        JsonNode all = OrderJson.parse(hub.get("/api/v1/vendor/possible-orphans?all=true", "operator-key").body());
        List<String> notes = new ArrayList<>();
        all.path("items").forEach(i -> notes.add(i.path("note").asText()));
        assertThat(notes).contains("cancelled in the vendor portal");
    }

    @Test
    void aPlacementInterruptedByACrashIsRecordedAsAPossibleOrphanBeforeTheOrderIsPlacedAgain() {
        String domain = "interrupted.example.com";
        ObjectNode doc = OrderJson.order("INTERRUPTED-1", "comodo_ssl", "save", domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", "dns");
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        // what a worker that died between its claim and the record of sw_register's answer leaves on
        // the row: its claim (here on the saved order, which the submit queues as it is)
        assertThat(hub.jdbc().update("update orders set vendor_claimed_until = ?, vendor_claimed_by = 'crashed-instance' where id = ?",
            java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1)), id)).isEqualTo(1);
        HttpResponse<String> submitted = hub.post("/api/v1/orders/" + id + "/submit", "demo-key", null);
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.order(id).path("vendorOrderId").asText("").matches("\\d{7,}"));

        List<JsonNode> mine = new ArrayList<>();
        OrderJson.parse(hub.get("/api/v1/vendor/possible-orphans", "operator-key").body()).path("items").forEach(i -> {
            if (id.equals(i.path("orderId").asText())) {
                mine.add(i);
            }
        });
        assertThat(mine).hasSize(1);
        assertThat(mine.get(0).path("action").asText()).isEqualTo("sw_register");
        assertThat(mine.get(0).path("errorCode").asText()).isEqualTo("INTERRUPTED");
        assertThat(mine.get(0).path("errorDetail").asText()).contains("crashed-instance");
        List<String> reasons = new ArrayList<>();
        hub.order(id).path("history").forEach(h -> reasons.add(h.path("reason").asText()));
        assertThat(reasons).anyMatch(t -> t.contains("the placement by instance crashed-instance stopped before the vendor's answer was recorded"));
        assertThat(hub.count("select count(*) from sandbox_order where domain = ?", domain)).isEqualTo(1);
        // the worker gives its claim back once the vendor has the order (placed and submitted)
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.count("select count(*) from orders where id = ? and vendor_claimed_by is null"
            + " and vendor_step = 'SUBMITTED'", id) == 1);
    }
}
