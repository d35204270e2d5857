package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renewal orders across the wire (issue 13 §3, {@code POST /api/v1/orders/{id}/renew}): a
 * COMPLETED order is renewed over HTTP; the renewal is a new order with its own hold, linked both
 * ways ({@code renewalOf}, {@code renewals}), noted in the renewed order's history, and placed at
 * the sandbox vendor with {@code reg_type=renew}; the same request again returns the same renewal
 * and holds nothing more; bad requests are refused with their code and change nothing.
 */
class RenewFlowTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false", "--hub.mailbox.enabled=false",
            "--hub.vendor.poll-cron=* * * * * ?", "--hub.vendor.poll-base=200ms", "--hub.vendor.poll-max=1s");
        hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"5000.00\",\"currency\":\"USD\"}");
    }

    static String place(String ref, String handle) {
        String domain = ref.toLowerCase() + ".example.com";
        var doc = OrderJson.order(ref, "symantec_ssl_lite", handle, domain, TestCsrs.ec(domain));
        doc.put("approverEmail", "admin@" + domain);
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return OrderJson.parse(r.body()).get("id").asText();
    }

    @Test
    void aCompletedOrderIsRenewedOnceWithItsOwnHoldAndReachesTheVendorAsARenewal() {
        String id = place("RN-1", "process");                  // SSL Lite: the sandbox issues it at once
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));
        long holdsBefore = hub.count("select count(*) from hold where account_id = 'demo'");

        HttpResponse<String> r = hub.post("/api/v1/orders/" + id + "/renew", "demo-key", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode renewal = OrderJson.parse(r.body());
        String rid = renewal.get("id").asText();
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/orders/" + rid);
        assertThat(rid).isNotEqualTo(id);
        assertThat(renewal.get("renewalOf").asText()).isEqualTo(id);
        assertThat(renewal.get("clientReference").asText()).isEqualTo("renew-" + id);
        assertThat(renewal.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(renewal.get("domain").asText()).isEqualTo("rn-1.example.com");
        assertThat(renewal.get("productType").asText()).isEqualTo("symantec_ssl_lite");
        assertThat(renewal.get("hold").get("state").asText()).isEqualTo("HELD");
        assertThat(renewal.get("hold").get("amount").asText()).isEqualTo(hub.order(id).get("price").get("amount").asText());
        assertThat(hub.count("select count(*) from hold where account_id = 'demo'")).isEqualTo(holdsBefore + 1);

        JsonNode source = hub.order(id);
        assertThat(source.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(source.get("renewals")).extracting(JsonNode::asText).containsExactly(rid);
        assertThat(source.get("renewalOf").isNull()).isTrue();
        JsonNode last = source.get("history").get(source.get("history").size() - 1);
        assertThat(last.get("reason").asText()).isEqualTo("renewal order " + rid + " placed (submitted)");

        // the same request again: the same renewal, no second order, no second hold
        HttpResponse<String> again = hub.post("/api/v1/orders/" + id + "/renew", "demo-key", null);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(OrderJson.parse(again.body()).get("id").asText()).isEqualTo(rid);
        assertThat(hub.count("select count(*) from orders where renewal_of = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from hold where account_id = 'demo'")).isEqualTo(holdsBefore + 1);

        // at the vendor: the renewal is reg_type renew, the first order new
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(rid).hasNonNull("vendorOrderId"));
        String renewedAt = hub.order(id).get("vendorOrderId").asText();
        String renewalAt = hub.order(rid).get("vendorOrderId").asText();
        assertThat(hub.jdbc().queryForObject("select reg_type from sandbox_order where order_id = ?", String.class, renewalAt)).isEqualTo("renew");
        assertThat(hub.jdbc().queryForObject("select reg_type from sandbox_order where order_id = ?", String.class, renewedAt)).isEqualTo("new");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(rid).get("state").asText().equals("COMPLETED"));
        assertThat(hub.order(rid).get("hold").get("state").asText()).isEqualTo("CAPTURED");
    }

    @Test
    void aRenewalMayCarryANewCsrItsOwnReferenceAndPeriod() throws Exception {
        String id = place("RN-2", "process");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));
        String csr = TestCsrs.rsa("rn-2.example.com");
        var body = OrderJson.MAPPER.createObjectNode().put("clientReference", "RN-2-2027").put("csr", csr).put("period", 1).put("handle", "save");
        HttpResponse<String> r = hub.post("/api/v1/orders/" + id + "/renew", "demo-key", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode renewal = OrderJson.parse(r.body());
        assertThat(renewal.get("clientReference").asText()).isEqualTo("RN-2-2027");
        assertThat(renewal.get("state").asText()).isEqualTo("PENDING");
        assertThat(renewal.get("period").asInt()).isEqualTo(1);
        assertThat(renewal.get("renewalOf").asText()).isEqualTo(id);
        assertThat(hub.jdbc().queryForObject("select csr from orders where id = ?", String.class, renewal.get("id").asText()).strip())
            .isEqualTo(csr.strip());
        assertThat(hub.count("select count(*) from hold where order_id = ?", renewal.get("id").asText())).isZero();
        JsonNode last = hub.order(id).get("history").get(hub.order(id).get("history").size() - 1);
        assertThat(last.get("reason").asText()).isEqualTo("renewal order " + renewal.get("id").asText() + " placed (saved)");
    }

    @Test
    void badRenewalsAreRefusedWithTheirCodeAndChangeNothing() throws Exception {
        String pending = place("RN-3", "save");
        long orders = hub.count("select count(*) from orders");
        long holds = hub.count("select count(*) from hold");

        io.certhub.support.Problems.assertProblem(hub.post("/api/v1/orders/" + pending + "/renew", "demo-key", null), 409, "INVALID_STATE", "state");
        io.certhub.support.Problems.assertProblem(hub.post("/api/v1/orders/" + pending + "/renew", "other-key", null), 404, "ORDER_NOT_FOUND", null);
        io.certhub.support.Problems.assertProblem(hub.post("/api/v1/orders/no-such-order/renew", "demo-key", null), 404, "ORDER_NOT_FOUND", null);

        String done = place("RN-4", "process");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(done).get("state").asText().equals("COMPLETED"));
        orders = hub.count("select count(*) from orders");
        holds = hub.count("select count(*) from hold");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        String weak = TestCsrs.csr(g.generateKeyPair(), "SHA256withRSA", "rn-4.example.com");
        HttpResponse<String> w = hub.post("/api/v1/orders/" + done + "/renew", "demo-key",
            OrderJson.MAPPER.createObjectNode().put("csr", weak).toString());
        assertThat(w.statusCode()).as(w.body()).isEqualTo(422);
        assertThat(OrderJson.parse(w.body()).get("code").asText()).isEqualTo("CSR_WEAK_KEY");
        io.certhub.support.Problems.assertProblem(hub.post("/api/v1/orders/" + done + "/renew", "demo-key", "[1]"), 400, "MALFORMED_REQUEST", null);
        io.certhub.support.Problems.assertProblem(hub.post("/api/v1/orders/" + done + "/renew", "demo-key", "{\"period\":\"two\"}"), 422, "FIELD_INVALID", "period");
        // the renewal is validated whole like any order: SSL Lite is sold for 1 year only
        io.certhub.support.Problems.assertProblem(hub.post("/api/v1/orders/" + done + "/renew", "demo-key", "{\"period\":2}"), 422, "PERIOD_NOT_ALLOWED", "period");
        // a reference already used by another order with other content
        HttpResponse<String> c = hub.post("/api/v1/orders/" + done + "/renew", "demo-key", "{\"clientReference\":\"RN-3\"}");
        assertThat(c.statusCode()).as(c.body()).isEqualTo(409);
        assertThat(OrderJson.parse(c.body()).get("code").asText()).isEqualTo("CLIENT_REFERENCE_CONFLICT");
        assertThat(hub.count("select count(*) from orders")).isEqualTo(orders);
        assertThat(hub.count("select count(*) from hold")).isEqualTo(holds);
        assertThat(hub.order(done).get("renewals")).isEmpty();
    }
}
