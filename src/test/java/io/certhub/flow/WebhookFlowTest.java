package io.certhub.flow;

import static io.certhub.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.order.OrderService;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Webhooks across the wire (issue 13 §4): webhooks are registered over HTTP on the running hub,
 * orders are placed over HTTP and moved by the sandbox vendor, and the events arrive at a real
 * HTTP endpoint on a loopback port ({@link WebhookReceiver}) signed per the Standard Webhooks
 * specification; the delivery log and the replay are read and driven over HTTP. The outbox is
 * checked in the hub's database: an event commits with its state change or not at all, and nothing
 * is written for an account without a subscription. {@link WebhookFlowPostgresTest} runs the same on
 * PostgreSQL (migration V17 included).
 */
class WebhookFlowTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;
    static WebhookReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WebhookReceiver();
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        // the admin emails go to a port nothing listens on, so every certificate email fails (delivery.failed)
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false", "--hub.mailbox.enabled=false",
            "--hub.mail.smtp.port=" + closedPort, "--hub.mail.retry-base=200ms", "--hub.mail.retry-max=1s",
            "--hub.vendor.poll-cron=* * * * * ?", "--hub.vendor.poll-base=200ms", "--hub.vendor.poll-max=1s",
            "--hub.webhooks.sweep-ms=100", "--hub.webhooks.max-attempts=3", "--hub.webhooks.retry-base=300ms", "--hub.webhooks.retry-max=1s", "--hub.webhooks.read-timeout=5s");
        hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"5000.00\",\"currency\":\"USD\"}");
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    static JsonNode awaitOrder(String id, Predicate<JsonNode> until) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> until.test(hub.order(id)));
        return hub.order(id);
    }

    static String place(String key, String ref, String product, String dcv, String handle) {
        String domain = ref.toLowerCase() + ".example.com";
        ObjectNode doc = OrderJson.order(ref, product, handle, domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", dcv);
        doc.put("approverEmail", "admin@" + domain);
        HttpResponse<String> r = hub.post("/api/v1/orders", key, doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return OrderJson.parse(r.body()).get("id").asText();
    }

    /** Registers a webhook at the receiver's {@code path}; @return {id, secret} */
    static String[] register(String path, String... events) {
        ObjectNode body = OrderJson.MAPPER.createObjectNode();
        body.put("url", receiver.url(path));
        var arr = body.putArray("events");
        for (String e : events) {
            arr.add(e);
        }
        HttpResponse<String> r = hub.post("/api/v1/webhooks", "demo-key", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode w = OrderJson.parse(r.body());
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/webhooks/" + w.get("id").asText());
        assertThat(w.get("url").asText()).isEqualTo(receiver.url(path));
        assertThat(w.get("events")).extracting(JsonNode::asText).containsExactly(events);
        assertThat(w.get("secret").asText()).startsWith("whsec_");
        return new String[] {w.get("id").asText(), w.get("secret").asText()};
    }

    static boolean allDelivered(String webhookId) {
        return hub.count("select count(*) from webhook_delivery where webhook_id = ? and state <> 'DELIVERED'", webhookId) == 0
            && hub.count("select count(*) from webhook_delivery where webhook_id = ?", webhookId) > 0;
    }

    /** The requests at {@code path} about {@code orderId} that were answered 200, by event type. */
    static Map<String, List<WebhookReceiver.Received>> deliveredByType(String path, String orderId) {
        return receiver.at(path).stream().filter(r -> r.answered() == 200)
            .filter(r -> OrderJson.parse(r.body()).path("data").path("orderId").asText().equals(orderId))
            .collect(Collectors.groupingBy(r -> OrderJson.parse(r.body()).get("type").asText()));
    }

    static void assertWellFormed(WebhookReceiver.Received r, String secret) {
        JsonNode body = OrderJson.parse(r.body());
        assertThat(r.id()).as("webhook-id is the event id").isEqualTo(body.get("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(Long.parseLong(r.timestamp())).isBetween(Instant.now().getEpochSecond() - 300, Instant.now().getEpochSecond() + 5);
        assertThat(WebhookReceiver.validSignature(secret, r)).as("signature of " + r).isTrue();
        assertThat(body.get("accountId").asText()).isEqualTo("demo");
        assertThat(Instant.parse(body.get("createdAt").asText())).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void eventsOfAnOrderArriveSignedOnceEachAfterA503AndAReplaySendsOneAgainWithTheSameId() {
        receiver.failFirst("/flow", 1);
        String[] hook = register("/flow", "order.submitted", "hold.captured", "certificate.issued", "order.completed");
        String[] mailHook = register("/mailfail", "delivery.failed");
        String webhookId = hook[0];
        JsonNode shown = OrderJson.parse(hub.get("/api/v1/webhooks/" + webhookId, "demo-key").body());
        assertThat(shown.has("secret")).as("the secret is shown once only").isFalse();
        assertThat(shown.get("id").asText()).isEqualTo(webhookId);

        String id = place("demo-key", "WH-FLOW-1", "symantec_ssl_lite", "email", "process");     // the sandbox issues it at once
        JsonNode done = awaitOrder(id, n -> n.get("state").asText().equals("COMPLETED"));
        long price = new java.math.BigDecimal(done.get("price").get("amount").asText()).movePointRight(2).longValueExact();
        assertThat(price).isPositive();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> deliveredByType("/flow", id).size() == 4 && allDelivered(webhookId));
        Map<String, List<WebhookReceiver.Received>> byType = deliveredByType("/flow", id);
        assertThat(byType.keySet()).containsExactlyInAnyOrder("order.submitted", "hold.captured", "certificate.issued", "order.completed");
        byType.forEach((type, got) -> assertThat(got).as(type + " delivered exactly once").hasSize(1));
        List<WebhookReceiver.Received> all = receiver.at("/flow");
        all.forEach(r -> assertWellFormed(r, hook[1]));
        // every event id answered 200 exactly once; the one 503 was for an event delivered later
        Map<String, Long> okById = all.stream().filter(r -> r.answered() == 200).collect(Collectors.groupingBy(WebhookReceiver.Received::id, Collectors.counting()));
        assertThat(okById).hasSize(4).allSatisfy((eventId, n) -> assertThat(n).isEqualTo(1L));
        List<WebhookReceiver.Received> refused = all.stream().filter(r -> r.answered() == 503).toList();
        assertThat(refused).hasSize(1);
        String retriedId = refused.get(0).id();
        assertThat(okById).containsKey(retriedId);
        assertThat(all).hasSize(5);

        // the payloads carry the order's real values
        JsonNode submitted = OrderJson.parse(byType.get("order.submitted").get(0).body());
        assertThat(submitted.get("type").asText()).isEqualTo("order.submitted");
        assertThat(submitted.at("/data/orderId").asText()).isEqualTo(id);
        assertThat(submitted.at("/data/clientReference").asText()).isEqualTo("WH-FLOW-1");
        assertThat(submitted.at("/data/state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(submitted.at("/data/price/amountMinor").asLong()).isEqualTo(price);
        assertThat(submitted.at("/data/price/currency").asText()).isEqualTo(done.get("price").get("currency").asText()).isEqualTo("USD");
        JsonNode captured = OrderJson.parse(byType.get("hold.captured").get(0).body());
        assertThat(captured.at("/data/hold/state").asText()).isEqualTo("CAPTURED");
        assertThat(captured.at("/data/hold/amountMinor").asLong()).isEqualTo(price);
        assertThat(captured.at("/data/hold/currency").asText()).isEqualTo("USD");
        assertThat(captured.at("/data/state").asText()).isEqualTo("COMPLETED");
        JsonNode completed = OrderJson.parse(byType.get("order.completed").get(0).body());
        assertThat(completed.at("/data/state").asText()).isEqualTo("COMPLETED");
        JsonNode cert = OrderJson.parse(hub.get("/api/v1/certificates?orderId=" + id, "demo-key").body()).get("items").get(0);
        JsonNode issued = OrderJson.parse(byType.get("certificate.issued").get(0).body());
        assertThat(issued.at("/data/certificate/id").asText()).isEqualTo(cert.get("id").asText());
        assertThat(issued.at("/data/certificate/serialNumber").asText()).isEqualTo(cert.get("serialNumber").asText());
        assertThat(Instant.parse(issued.at("/data/certificate/notAfter").asText())).isEqualTo(Instant.parse(cert.get("notAfter").asText()));

        // the delivery log: 5 tries, the 503 one first for its event, then its 200
        JsonNode log = OrderJson.parse(hub.get("/api/v1/webhooks/" + webhookId + "/deliveries", "demo-key").body());
        assertThat(log.get("totalElements").asLong()).isEqualTo(5);
        List<JsonNode> tries = list(log.get("items"));
        List<JsonNode> ofRetried = tries.stream().filter(t -> t.get("eventId").asText().equals(retriedId)).toList();
        assertThat(ofRetried).hasSize(2);       // newest first
        assertThat(ofRetried.get(1).get("attempt").asInt()).isEqualTo(1);
        assertThat(ofRetried.get(1).get("statusCode").asInt()).isEqualTo(503);
        assertThat(ofRetried.get(1).get("error").asText()).isEqualTo("HTTP 503");
        assertThat(ofRetried.get(0).get("attempt").asInt()).isEqualTo(2);
        assertThat(ofRetried.get(0).get("statusCode").asInt()).isEqualTo(200);
        assertThat(ofRetried.get(0).get("error").isNull()).isTrue();
        assertThat(ofRetried.get(0).get("deliveryState").asText()).isEqualTo("DELIVERED");
        assertThat(tries).allSatisfy(t -> assertThat(Set.of("order.submitted", "hold.captured", "certificate.issued", "order.completed"))
            .contains(t.get("type").asText()));

        // the certificate email cannot be sent (SMTP port closed): one delivery.failed, at its first failure only
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.count("select coalesce(max(attempts), 0) from delivery where order_id = ?", id) >= 3 && allDelivered(mailHook[0]));
        List<WebhookReceiver.Received> mailFailed = receiver.at("/mailfail");
        assertThat(mailFailed).hasSize(1);
        assertWellFormed(mailFailed.get(0), mailHook[1]);
        JsonNode df = OrderJson.parse(mailFailed.get(0).body());
        assertThat(df.get("type").asText()).isEqualTo("delivery.failed");
        assertThat(df.at("/data/orderId").asText()).isEqualTo(id);
        assertThat(df.at("/data/delivery/recipient").asText()).isEqualTo("alex@example.com");
        assertThat(df.at("/data/delivery/attempts").asInt()).isEqualTo(1);
        assertThat(df.at("/data/delivery/error").asText()).isNotBlank();
        assertThat(df.at("/data/delivery/id").asLong()).isEqualTo(hub.count("select max(id) from delivery where order_id = ?", id));

        // replay: one more request with the same event id and the same body, freshly signed
        String replayed = byType.get("order.submitted").get(0).id();
        HttpResponse<String> r = hub.post("/api/v1/webhooks/" + webhookId + "/events/" + replayed + "/replay", "demo-key", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(OrderJson.parse(r.body()).get("eventId").asText()).isEqualTo(replayed);
        assertThat(OrderJson.parse(r.body()).get("state").asText()).isEqualTo("PENDING");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> receiver.at("/flow").size() == 6 && allDelivered(webhookId));
        // (the replayed event may be the one that got the 503: count its 200s)
        List<WebhookReceiver.Received> again = receiver.at("/flow").stream().filter(x -> x.id().equals(replayed) && x.answered() == 200).toList();
        assertThat(again).hasSize(2);
        assertThat(receiver.at("/flow").get(5).id()).isEqualTo(replayed);
        assertThat(again.get(1).body()).isEqualTo(again.get(0).body());
        assertWellFormed(again.get(1), hook[1]);
        JsonNode log2 = OrderJson.parse(hub.get("/api/v1/webhooks/" + webhookId + "/deliveries", "demo-key").body());
        assertThat(log2.get("totalElements").asLong()).isEqualTo(6);
        JsonNode newest = log2.get("items").get(0);
        assertThat(newest.get("eventId").asText()).isEqualTo(replayed);
        assertThat(newest.get("attempt").asInt()).isEqualTo(1);
        assertThat(newest.get("statusCode").asInt()).isEqualTo(200);
        assertThat(newest.get("deliveryId").asLong()).isEqualTo(OrderJson.parse(r.body()).get("deliveryId").asLong());
    }

    @Test
    void cancelAndDeclineSendTheirEventsAndHoldReleased() {
        String[] hook = register("/released", "order.cancelled", "order.declined", "hold.released");
        String cancelled = place("demo-key", "WH-CANCEL", "comodo_ssl", "email", "process");
        awaitOrder(cancelled, n -> "awaiting-approval".equals(n.path("vendorStatus").asText()));
        HttpResponse<String> cancel = hub.post("/api/v1/orders/" + cancelled + "/cancel", "demo-key", null);
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
        String declined = place("demo-key", "WH-DECLINE", "comodo_ssl", "email", "process");
        String vid = awaitOrder(declined, n -> "awaiting-approval".equals(n.path("vendorStatus").asText())).get("vendorOrderId").asText();
        assertThat(hub.post("/sandbox/orders/" + vid + "/decline", "operator-key", null).statusCode()).isEqualTo(200);
        JsonNode d = awaitOrder(declined, n -> n.get("state").asText().equals("DECLINED"));
        long price = new java.math.BigDecimal(d.get("price").get("amount").asText()).movePointRight(2).longValueExact();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> deliveredByType("/released", cancelled).size() == 2 && deliveredByType("/released", declined).size() == 2);
        Map<String, List<WebhookReceiver.Received>> c = deliveredByType("/released", cancelled);
        Map<String, List<WebhookReceiver.Received>> x = deliveredByType("/released", declined);
        assertThat(c.keySet()).containsExactlyInAnyOrder("order.cancelled", "hold.released");
        assertThat(x.keySet()).containsExactlyInAnyOrder("order.declined", "hold.released");
        for (var e : List.of(c.get("hold.released").get(0), x.get("hold.released").get(0))) {
            JsonNode b = OrderJson.parse(e.body());
            assertThat(b.at("/data/hold/state").asText()).isEqualTo("RELEASED");
            assertThat(b.at("/data/hold/amountMinor").asLong()).isEqualTo(price);
            assertWellFormed(e, hook[1]);
        }
        assertThat(OrderJson.parse(c.get("order.cancelled").get(0).body()).at("/data/state").asText()).isEqualTo("CANCELLED");
        assertThat(OrderJson.parse(x.get("order.declined").get(0).body()).at("/data/state").asText()).isEqualTo("DECLINED");
        // not subscribed: no order.submitted here
        assertThat(receiver.at("/released")).noneMatch(r -> r.body().contains("\"order.submitted\""));
    }

    @Test
    void aReceiverThatKeepsFailingEndsFailedInTheLogAndAReplayLaterDeliversIt() {
        receiver.failFirst("/down", 3);                                  // hub.webhooks.max-attempts=3 here
        String[] hook = register("/down", "order.cancelled");
        String id = place("demo-key", "WH-DOWN", "quickssl_premium", "email", "save");
        HttpResponse<String> cancel = hub.post("/api/v1/orders/" + id + "/cancel", "demo-key", null);
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> hub.count("select count(*) from webhook_delivery where webhook_id = ? and state = 'FAILED'", hook[0]) == 1);
        JsonNode log = OrderJson.parse(hub.get("/api/v1/webhooks/" + hook[0] + "/deliveries", "demo-key").body());
        assertThat(log.get("totalElements").asLong()).isEqualTo(3);
        assertThat(list(log.get("items"))).extracting(t -> t.get("attempt").asInt(), t -> t.get("statusCode").asInt(),
                t -> t.get("deliveryState").asText(), t -> t.get("type").asText())
            .containsExactly(org.assertj.core.groups.Tuple.tuple(3, 503, "FAILED", "order.cancelled"),
                org.assertj.core.groups.Tuple.tuple(2, 503, "FAILED", "order.cancelled"),
                org.assertj.core.groups.Tuple.tuple(1, 503, "FAILED", "order.cancelled"));
        String eventId = log.get("items").get(0).get("eventId").asText();
        assertThat(receiver.at("/down")).hasSize(3).allSatisfy(r -> assertThat(r.id()).isEqualTo(eventId));

        // the receiver is back: the replay delivers the same event
        HttpResponse<String> replay = hub.post("/api/v1/webhooks/" + hook[0] + "/events/" + eventId + "/replay", "demo-key", null);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> receiver.at("/down").size() == 4);
        WebhookReceiver.Received last = receiver.at("/down").get(3);
        assertThat(last.answered()).isEqualTo(200);
        assertThat(last.id()).isEqualTo(eventId);
        assertThat(last.body()).isEqualTo(receiver.at("/down").get(0).body());
        assertWellFormed(last, hook[1]);
        await().atMost(Duration.ofSeconds(10)).until(() ->
            hub.count("select count(*) from webhook_delivery where webhook_id = ? and state = 'DELIVERED'", hook[0]) == 1);
    }

    /**
     * The claim: 200 deliveries due at once are pushed through the delivery route by three more
     * senders (standing for other sweeps or hub instances on the database) while the hub's own
     * sweep sends them too; each event still reaches the receiver exactly once. The events are
     * written through the outbox in one transaction; their type (certificate.expiring, which the hub
     * itself does not emit yet) keeps the other tests' webhooks out of it.
     */
    @Test
    void concurrentSendersNeverSendOneDeliveryTwice() throws Exception {
        String[] hook = register("/burst", "certificate.expiring");
        TransactionTemplate tx = hub.context().getBean(TransactionTemplate.class);
        tx.executeWithoutResult(s -> {
            for (int i = 0; i < 200; i++) {
                hub.context().publishEvent(new io.certhub.webhook.HubEvent(io.certhub.webhook.WebhookEventType.CERTIFICATE_EXPIRING, "demo", null,
                    Map.of("n", i)));
            }
        });
        List<Long> ids = hub.jdbc().queryForList("select id from webhook_delivery where webhook_id = ? order by id", Long.class, hook[0]);
        assertThat(ids).hasSize(200);
        org.apache.camel.ProducerTemplate producer = hub.context().getBean(org.apache.camel.CamelContext.class).createProducerTemplate();
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 3; t++) {
                done.add(senders.submit(() -> ids.forEach(id -> producer.sendBody("direct:webhook-delivery", id))));
            }
            for (var f : done) {
                f.get();
            }
        } finally {
            senders.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> allDelivered(hook[0]));
        List<WebhookReceiver.Received> got = receiver.at("/burst");
        assertThat(got).hasSize(200).allSatisfy(r -> assertThat(r.answered()).isEqualTo(200));
        assertThat(got.stream().map(WebhookReceiver.Received::id).distinct().count()).isEqualTo(200);
        assertThat(got.stream().map(r -> OrderJson.parse(r.body()).at("/data/n").asInt()).collect(Collectors.toSet())).hasSize(200);
        assertThat(hub.count("select count(*) from webhook_attempt where webhook_id = ?", hook[0])).isEqualTo(200);
        assertThat(hub.call("DELETE", "/api/v1/webhooks/" + hook[0], "demo-key", null).statusCode()).isEqualTo(204);
    }

    /** A receiver that does not answer within hub.webhooks.read-timeout (5 s here): a timed-out try in the log, then delivered. */
    @Test
    void aTryWithoutAnAnswerTimesOutAndIsRetried() {
        java.util.concurrent.CountDownLatch gate = receiver.hold("/slow");
        String[] hook = register("/slow", "certificate.expiring");
        TransactionTemplate tx = hub.context().getBean(TransactionTemplate.class);
        try {
            tx.executeWithoutResult(s -> hub.context().publishEvent(new io.certhub.webhook.HubEvent(
                io.certhub.webhook.WebhookEventType.CERTIFICATE_EXPIRING, "demo", null, Map.of("slow", true))));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> hub.count("select count(*) from webhook_attempt where webhook_id = ?", hook[0]) >= 1);
        } finally {
            gate.countDown();
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> allDelivered(hook[0]));
        List<JsonNode> tries = list(OrderJson.parse(hub.get("/api/v1/webhooks/" + hook[0] + "/deliveries", "demo-key").body()).get("items"));
        assertThat(tries).hasSize(2);
        assertThat(tries.get(1).get("attempt").asInt()).isEqualTo(1);
        assertThat(tries.get(1).get("statusCode").isNull()).isTrue();
        assertThat(tries.get(1).get("error").asText()).startsWith("timeout");
        assertThat(tries.get(1).get("durationMs").asLong()).isGreaterThanOrEqualTo(4900);
        assertThat(tries.get(0).get("attempt").asInt()).isEqualTo(2);
        assertThat(tries.get(0).get("statusCode").asInt()).isEqualTo(200);
        assertThat(receiver.at("/slow")).extracting(WebhookReceiver.Received::answered).containsExactly(0, 200);
        assertThat(hub.call("DELETE", "/api/v1/webhooks/" + hook[0], "demo-key", null).statusCode()).isEqualTo(204);
    }

    /** Retention: an old event whose delivery ended goes with its delivery and tries; an old pending one and a recent one stay. */
    @Test
    void theRetentionSweepDeletesOldEndedEventsWithTheirDeliveriesAndTriesOnly() {
        String[] hook = register("/retention", "certificate.expiring");
        TransactionTemplate tx = hub.context().getBean(TransactionTemplate.class);
        for (int i = 0; i < 3; i++) {
            int n = i;
            tx.executeWithoutResult(s -> hub.context().publishEvent(new io.certhub.webhook.HubEvent(
                io.certhub.webhook.WebhookEventType.CERTIFICATE_EXPIRING, "demo", null, Map.of("retention", n))));
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> allDelivered(hook[0]));
        List<String> events = hub.jdbc().queryForList("select distinct event_id from webhook_delivery where webhook_id = ? order by event_id",
            String.class, hook[0]);
        assertThat(events).hasSize(3);
        String old = events.get(0);
        String oldPending = events.get(1);
        String recent = events.get(2);
        java.sql.Timestamp longAgo = java.sql.Timestamp.from(java.time.Instant.now().minus(Duration.ofDays(31)));
        hub.jdbc().update("update webhook_event set created_at = ? where id in (?, ?)", longAgo, old, oldPending);
        hub.jdbc().update("update webhook_delivery set state = 'PENDING', next_at = ? where event_id = ?",
            java.sql.Timestamp.from(java.time.Instant.now().plus(Duration.ofDays(1))), oldPending);
        long attemptsBefore = hub.count("select count(*) from webhook_attempt where webhook_id = ?", hook[0]);

        int deleted = hub.context().getBean(io.certhub.webhook.WebhookRetention.class).prune();

        assertThat(deleted).isEqualTo(1);
        assertThat(hub.count("select count(*) from webhook_event where id = ?", old)).isZero();
        assertThat(hub.count("select count(*) from webhook_delivery where event_id = ?", old)).isZero();
        assertThat(hub.count("select count(*) from webhook_attempt where event_id = ?", old)).isZero();
        assertThat(hub.count("select count(*) from webhook_attempt where webhook_id = ?", hook[0])).isEqualTo(attemptsBefore - 1);
        assertThat(hub.count("select count(*) from webhook_event where id in (?, ?)", oldPending, recent)).isEqualTo(2);
        assertThat(hub.count("select count(*) from webhook_delivery where event_id in (?, ?)", oldPending, recent)).isEqualTo(2);
        assertThat(hub.context().getBean(io.certhub.webhook.WebhookRetention.class).prune()).isZero();
        hub.jdbc().update("update webhook_delivery set state = 'CANCELLED' where event_id = ?", oldPending);
        assertThat(hub.call("DELETE", "/api/v1/webhooks/" + hook[0], "demo-key", null).statusCode()).isEqualTo(204);
    }

    @Test
    void anEventCommitsWithItsChangeOrNotAtAll() {
        String[] hook = register("/outbox", "order.cancelled");
        String id = place("demo-key", "WH-OUTBOX", "quickssl_premium", "email", "save");
        OrderService orders = hub.context().getBean(OrderService.class);
        TransactionTemplate tx = hub.context().getBean(TransactionTemplate.class);

        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            orders.cancel("demo", id, "account:demo", "cancelled, then rolled back");
            throw new IllegalStateException("the transaction fails after the cancel");
        })).hasMessage("the transaction fails after the cancel");
        assertThat(hub.order(id).get("state").asText()).isEqualTo("PENDING");
        assertThat(hub.count("select count(*) from webhook_event where order_id = ?", id)).isZero();
        assertThat(hub.count("select count(*) from webhook_delivery where webhook_id = ?", hook[0])).isZero();

        orders.cancel("demo", id, "account:demo", "cancelled for real");
        assertThat(hub.order(id).get("state").asText()).isEqualTo("CANCELLED");
        assertThat(hub.count("select count(*) from webhook_event where order_id = ? and type = 'order.cancelled'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from webhook_event where order_id = ?", id)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> allDelivered(hook[0]));
        assertThat(deliveredByType("/outbox", id).get("order.cancelled")).hasSize(1);
    }

    @Test
    void anAccountWithoutWebhooksGetsNoOutboxRows() {
        String id = place("other-key", "WH-NONE", "quickssl_premium", "email", "process");
        assertThat(hub.count("select count(*) from webhook where account_id = 'other'")).isZero();
        assertThat(hub.count("select count(*) from webhook_event where account_id = 'other'")).isZero();
        assertThat(hub.count("select count(*) from webhook_event where order_id = ?", id)).isZero();
    }

    @Test
    void aRetriedPostWithTheSameIdempotencyKeyMakesOneWebhookAndAnswersTheSameSecret() {
        long before = hub.count("select count(*) from webhook where account_id = 'demo' and deleted_at is null");
        String body = "{\"url\":\"http://127.0.0.1:9/retried\",\"events\":[\"order.completed\"]}";
        HttpResponse<String> first = hub.post("/api/v1/webhooks", "demo-key", body, "Idempotency-Key", "wh-retry-1");
        HttpResponse<String> again = hub.post("/api/v1/webhooks", "demo-key", body, "Idempotency-Key", "wh-retry-1");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(201);
        JsonNode a = OrderJson.parse(first.body());
        JsonNode b = OrderJson.parse(again.body());
        assertThat(b.get("id").asText()).isEqualTo(a.get("id").asText());
        assertThat(b.get("secret").asText()).startsWith("whsec_").isEqualTo(a.get("secret").asText());
        assertThat(hub.count("select count(*) from webhook where account_id = 'demo' and deleted_at is null")).isEqualTo(before + 1);
        // the same key with another body is refused and creates nothing
        assertProblem(hub.post("/api/v1/webhooks", "demo-key", body.replace("retried", "other"), "Idempotency-Key", "wh-retry-1"),
            422, "IDEMPOTENCY_KEY_REUSED", null);
        assertThat(hub.count("select count(*) from webhook where account_id = 'demo' and deleted_at is null")).isEqualTo(before + 1);
        assertThat(hub.call("DELETE", "/api/v1/webhooks/" + a.get("id").asText(), "demo-key", null).statusCode()).isEqualTo(204);
    }

    @Test
    void badInputIsRefusedWithItsCodeAndFieldAndChangesNothing() {
        long before = hub.count("select count(*) from webhook");
        assertProblem(hub.post("/api/v1/webhooks", "demo-key", "{\"url\":\"ftp://billing.example.com/x\",\"events\":[\"order.submitted\"]}"),
            422, "WEBHOOK_URL_INVALID", "url");
        assertProblem(hub.post("/api/v1/webhooks", "demo-key", "{\"url\":\"/certhub/events\",\"events\":[\"order.submitted\"]}"),
            422, "WEBHOOK_URL_INVALID", "url");
        assertProblem(hub.post("/api/v1/webhooks", "demo-key", "{\"events\":[\"order.submitted\"]}"), 422, "FIELD_REQUIRED", "url");
        assertProblem(hub.post("/api/v1/webhooks", "demo-key", "{\"url\":\"https://billing.example.com/h\",\"events\":[\"order.submitted\",\"order.shipped\"]}"),
            422, "WEBHOOK_EVENT_UNKNOWN", "events[1]");
        assertProblem(hub.post("/api/v1/webhooks", "demo-key", "{\"url\":\"https://billing.example.com/h\",\"events\":[]}"),
            422, "FIELD_REQUIRED", "events");
        assertProblem(hub.post("/api/v1/webhooks", "demo-key", "{\"url\":"), 400, "MALFORMED_REQUEST", null);
        assertThat(hub.count("select count(*) from webhook")).isEqualTo(before);
        // plain http is fine on the sandbox (not production): the https rule is WebhookHttpsRequiredTest's

        String[] hook = register("/private", "order.submitted");
        String path = "/api/v1/webhooks/" + hook[0];
        assertProblem(hub.get(path, "other-key"), 404, "WEBHOOK_NOT_FOUND", null);
        assertProblem(hub.get(path + "/deliveries", "other-key"), 404, "WEBHOOK_NOT_FOUND", null);
        assertProblem(hub.post(path + "/events/00000000-0000-0000-0000-000000000000/replay", "other-key", null), 404, "WEBHOOK_NOT_FOUND", null);
        assertProblem(hub.call("DELETE", path, "other-key", null), 404, "WEBHOOK_NOT_FOUND", null);
        assertThat(OrderJson.parse(hub.get("/api/v1/webhooks", "other-key").body()).get("items")).isEmpty();
        assertThat(hub.get(path, "demo-key").statusCode()).isEqualTo(200);
        assertProblem(hub.post(path + "/events/00000000-0000-0000-0000-000000000000/replay", "demo-key", null), 404, "WEBHOOK_EVENT_NOT_FOUND", "eventId");
        assertProblem(hub.get(path + "/deliveries?size=0", "demo-key"), 422, "FIELD_INVALID", "size");
        assertThat(hub.get(path, null).statusCode()).isEqualTo(401);

        assertThat(list(OrderJson.parse(hub.get("/api/v1/webhooks", "demo-key").body()).get("items")))
            .extracting(n -> n.get("id").asText()).contains(hook[0]);
        assertThat(hub.call("DELETE", path, "demo-key", null).statusCode()).isEqualTo(204);
        assertProblem(hub.get(path, "demo-key"), 404, "WEBHOOK_NOT_FOUND", null);
        assertProblem(hub.call("DELETE", path, "demo-key", null), 404, "WEBHOOK_NOT_FOUND", null);
        assertThat(list(OrderJson.parse(hub.get("/api/v1/webhooks", "demo-key").body()).get("items")))
            .extracting(n -> n.get("id").asText()).doesNotContain(hook[0]);
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new java.util.ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
