package io.certhub.order;

import static io.certhub.support.Problems.assertProblem;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and careless order input across the wire (issue 16, item 3 and "Low"; issue 11 §5):
 * REST with {@code demo-key} (and the operator key for deposits) on a running hub with its
 * sandbox vendor. Every refused input is asserted by status, {@code code} and {@code field}, and
 * by nothing written: no order, hold or journal row.
 */
class HostileOrderInputTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;

    @BeforeAll
    static void start() {
        // the sandbox vendor keeps orders awaiting approval, so holds stay HELD while a test reads them
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    static JsonNode json(HttpResponse<String> r) {
        return OrderJson.parse(r.body());
    }

    static ObjectNode order(String ref, String handle) {
        String domain = ref.toLowerCase() + ".example.com";
        return OrderJson.order(ref, "comodo_ssl", handle, domain, TestCsrs.ec(domain));
    }

    /** Rows of the demo account that any refused input must leave unchanged. */
    record Rows(long orders, long holds, long journal, long balanceMinor) {
        static Rows now() {
            return new Rows(hub.count("select count(*) from orders where account_id = 'demo'"),
                hub.count("select count(*) from hold where account_id = 'demo'"),
                hub.count("select count(*) from journal where account_id = 'demo'"),
                hub.count("select balance_minor from account where id = 'demo'"));
        }
    }

    static Arguments refused(String what, Consumer<ObjectNode> edit, String code, String field) {
        return Arguments.of(what, edit, code, field);
    }

    static ObjectNode admin(ObjectNode o) {
        return (ObjectNode) o.get("contacts").get("admin");
    }

    static ObjectNode org(ObjectNode o) {
        return (ObjectNode) o.get("contacts").get("organization");
    }

    static Stream<Arguments> refusedInputs() {
        return Stream.of(
            refused("control character in a contact name (the poison order)", o -> admin(o).put("firstName", "Al\u0001ex"),
                "FIELD_INVALID_CHARACTERS", "contacts.admin.firstName"),
            refused("NUL byte in a contact name (PostgreSQL refuses it in text)", o -> admin(o).put("lastName", "Ad\u0000min"),
                "FIELD_INVALID_CHARACTERS", "contacts.admin.lastName"),
            refused("NUL byte in the client reference", o -> o.put("clientReference", "HOSTILE-\u0000-NUL"),
                "FIELD_INVALID_CHARACTERS", "clientReference"),
            refused("bidi override in an address", o -> org(o).put("address1", "1 Main St \u202Egnp.exe"),
                "FIELD_INVALID_CHARACTERS", "contacts.organization.address1"),
            refused("line break in the city", o -> org(o).put("city", "Spring\r\nfield"),
                "FIELD_INVALID_CHARACTERS", "contacts.organization.city"),
            refused("control character in a tech contact's email", o -> ((ObjectNode) o.get("contacts")).putObject("tech")
                .put("email", "tech@example.com\u0007"), "FIELD_INVALID_CHARACTERS", "contacts.tech.email"),
            refused("NUL byte in the server type", o -> o.put("serverType", "nginx\u0000"),
                "FIELD_INVALID_CHARACTERS", "serverType"),
            refused("first name over 64 characters", o -> admin(o).put("firstName", "A".repeat(65)),
                "FIELD_TOO_LONG", "contacts.admin.firstName"),
            refused("organization name over 64 characters", o -> org(o).put("orgName", "O".repeat(65)),
                "FIELD_TOO_LONG", "contacts.organization.orgName"),
            refused("city over 128 characters", o -> org(o).put("city", "C".repeat(5000)),
                "FIELD_TOO_LONG", "contacts.organization.city"),
            refused("address over 128 characters", o -> org(o).put("address2", "x".repeat(20000)),
                "FIELD_TOO_LONG", "contacts.organization.address2"),
            refused("client reference over its column (128)", o -> o.put("clientReference", "R".repeat(129)),
                "FIELD_TOO_LONG", "clientReference"),
            refused("approver email over its column (254)", o -> o.put("approverEmail", "a".repeat(300) + "@example.com"),
                "FIELD_TOO_LONG", "approverEmail"),
            refused("product type over its column (64)", o -> o.put("productType", "p".repeat(100)),
                "FIELD_TOO_LONG", "productType"),
            refused("phone that is not a number", o -> admin(o).put("phone", "call me maybe"),
                "FIELD_INVALID", "contacts.admin.phone"),
            refused("period 1.9 (was taken as 1)", o -> o.put("period", 1.9), "FIELD_INVALID", "period"),
            refused("period \"1.9\" as text", o -> o.put("period", "1.9"), "FIELD_INVALID", "period"),
            refused("mixed-script look-alike domain", o -> o.put("domain", "pаypal.example.com"),   // Cyrillic а
                "DOMAIN_MIXED_SCRIPT", "domain"),
            refused("mixed-script look-alike given as an A-label", o -> o.put("domain", "xn--pypal-4ve.example.com"),
                "DOMAIN_MIXED_SCRIPT", "domain"),
            refused("a product that is not in the catalog", o -> o.put("productType", "no_such_product"),
                "PRODUCT_UNKNOWN", "productType"),
            refused("more names than the product covers (comodo_ssl: 2)", o -> {
                String d = o.get("domain").asText();
                o.putArray("additionalDomains").add("www." + d).add("mail." + d);
                o.put("csr", TestCsrs.ec(d, "www." + d, "mail." + d));
            }, "TOO_MANY_DOMAINS", "additionalDomains"),
            refused("a CSR whose CN is not among its SANs", o -> {
                String d = o.get("domain").asText();
                o.putArray("additionalDomains").add("www." + d);
                o.put("csr", TestCsrs.ecWithSans(d, "www." + d));
            }, "CSR_CN_NOT_IN_SAN", "csr"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("refusedInputs")
    void refusedInputWritesNothing(String what, Consumer<ObjectNode> edit, String code, String field) {
        Rows before = Rows.now();
        ObjectNode doc = order("HOSTILE-" + Integer.toHexString(what.hashCode()), "process");
        edit.accept(doc);
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertProblem(r, 422, code, field);
        assertThat(Rows.now()).isEqualTo(before);
    }

    @Test
    void patchRefusesTheSameInputsAndKeepsTheOrder() {
        JsonNode saved = json(hub.post("/api/v1/orders", "demo-key", order("HOSTILE-PATCH", "save").toString()));
        String id = saved.get("id").asText();
        ObjectNode contacts = (ObjectNode) order("HOSTILE-PATCH", "save").get("contacts");
        ((ObjectNode) contacts.get("admin")).put("firstName", "Al\u0000ex");
        HttpResponse<String> r = hub.call("PATCH", "/api/v1/orders/" + id, "demo-key",
            OrderJson.MAPPER.createObjectNode().set("contacts", contacts).toString());
        assertProblem(r, 422, "FIELD_INVALID_CHARACTERS", "contacts.admin.firstName");
        HttpResponse<String> period = hub.call("PATCH", "/api/v1/orders/" + id, "demo-key", "{\"period\": 1.9}");
        assertProblem(period, 422, "FIELD_INVALID", "period");
        JsonNode after = json(hub.get("/api/v1/orders/" + id, "demo-key"));
        assertThat(after.get("contacts").get("admin").get("firstName").asText()).isEqualTo("Alex");
        assertThat(after.get("period").asInt()).isEqualTo(1);
        assertThat(after.get("history")).hasSize(1);
    }

    // ------------------------------------------------------------- poison orders at the vendor

    @Test
    void aRequestTheVendorFindsInvalidDeclinesTheOrderOnceAndReleasesItsHold() {
        // the one faulty sw_register must be this order's: first let earlier tests' orders reach the vendor
        await().atMost(Duration.ofSeconds(60)).until(() ->
            hub.count("select count(*) from orders where state = 'IN_PROGRESS' and vendor_step in ('QUEUED', 'SAVED', 'SUBMITTING')") == 0);
        assertThat(hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"invalid\",\"count\":1,\"action\":\"sw_register\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> placed = hub.post("/api/v1/orders", "demo-key", order("HOSTILE-VENDOR-465", "process").toString());
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        String id = json(placed).get("id").asText();
        assertThat(json(placed).get("hold").get("state").asText()).isEqualTo("HELD");

        JsonNode o = awaitOrder(id, n -> n.get("state").asText().equals("DECLINED"));
        assertThat(o.get("lastError").get("code").asText()).isEqualTo("VENDOR_REJECTED");
        assertThat(o.get("lastError").get("detail").asText()).contains("sw_register").contains("465").contains("Invalid request");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("RELEASED");
        assertThat(o.get("vendorOrderId").isNull()).isTrue();
        assertThat(o.get("history").findValuesAsText("to").stream().filter("DECLINED"::equals)).hasSize(1);
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'RELEASE'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from hold where order_id = ? and state = 'RELEASED'", id)).isEqualTo(1);
        // no further vendor call: one call used the one fault; a second would have saved the order at the
        // sandbox; the order stays DECLINED and out of the vendor queue
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
            hub.count("select count(*) from sandbox_order where domain = 'hostile-vendor-465.example.com'") == 0
                && hub.count("select count(*) from orders where id = ? and state = 'DECLINED' and vendor_step = 'DONE'", id) == 1);

        // the reseller submits it again: placed at the vendor this time
        HttpResponse<String> again = hub.post("/api/v1/orders/" + id + "/submit", "demo-key", null);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        JsonNode resubmitted = awaitOrder(id, n -> "awaiting-approval".equals(n.path("vendorStatus").asText()));
        assertThat(resubmitted.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(resubmitted.get("vendorOrderId").asText()).matches("\\d{7,}");
    }

    @Test
    void aStoredOrderTheHubCannotEncodeForTheVendorIsDeclinedNotRetriedForEver() {
        // an order stored before these rules (a control character in a contact name) is submitted
        String id = json(hub.post("/api/v1/orders", "demo-key", order("HOSTILE-LEGACY", "save").toString())).get("id").asText();
        String contacts = hub.jdbc().queryForObject("select contacts from orders where id = ?", String.class, id);
        hub.jdbc().update("update orders set contacts = ? where id = ?", contacts.replace("\"Alex\"", "\"Al\\u0001ex\""), id);
        HttpResponse<String> submitted = hub.post("/api/v1/orders/" + id + "/submit", "demo-key", null);
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);

        JsonNode o = awaitOrder(id, n -> n.get("state").asText().equals("DECLINED"));
        assertThat(o.get("lastError").get("code").asText()).isEqualTo("VENDOR_REJECTED");
        assertThat(o.get("lastError").get("detail").asText()).contains("sw_register").contains("cannot be encoded").contains("U+0001");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("RELEASED");
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'RELEASE'", id)).isEqualTo(1);
        assertThat(hub.count("select vendor_attempts from orders where id = ?", id)).isZero();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
            hub.count("select count(*) from sandbox_order where domain = 'hostile-legacy.example.com'") == 0
                && hub.count("select count(*) from order_history where order_id = ? and to_state = 'DECLINED'", id) == 1);

        // the reseller fixes the DECLINED order by PATCH and submits it again: placed at the vendor
        ObjectNode fixed = (ObjectNode) order("HOSTILE-LEGACY", "save").get("contacts");
        HttpResponse<String> patched = hub.call("PATCH", "/api/v1/orders/" + id, "demo-key",
            OrderJson.MAPPER.createObjectNode().set("contacts", fixed).toString());
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched).get("state").asText()).isEqualTo("DECLINED");
        assertThat(json(patched).get("contacts").get("admin").get("firstName").asText()).isEqualTo("Alex");
        assertThat(hub.post("/api/v1/orders/" + id + "/submit", "demo-key", null).statusCode()).isEqualTo(200);
        JsonNode placed = awaitOrder(id, n -> "awaiting-approval".equals(n.path("vendorStatus").asText()));
        assertThat(placed.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(placed.get("lastError").isNull()).isTrue();
        assertThat(hub.jdbc().queryForObject("select contacts from sandbox_order where domain = 'hostile-legacy.example.com'", String.class))
            .contains("\"first_name\":\"Alex\"");
    }

    // ------------------------------------------------------------- 500s that are now named 4xx

    @Test
    void hugeDepositsAreRefusedByName() {
        Rows before = Rows.now();
        for (String amount : List.of("1e400", "123456789012345678901234567890", "10000000000000.00")) {
            HttpResponse<String> r = hub.post("/api/v1/accounts/demo/deposits", "operator-key",
                "{\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"reference\":\"hostile\"}");
            assertProblem(r, 422, "AMOUNT_TOO_LARGE", "amount");
        }
        HttpResponse<String> longRef = hub.post("/api/v1/accounts/demo/deposits", "operator-key",
            "{\"amount\":\"1.00\",\"currency\":\"USD\",\"reference\":\"" + "r".repeat(300) + "\"}");
        assertProblem(longRef, 422, "FIELD_TOO_LONG", "reference");
        assertThat(Rows.now()).isEqualTo(before);
    }

    @Test
    void twoSubmitsOfOneOrderAtOnceGive200And409() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String id = json(hub.post("/api/v1/orders", "demo-key", order("HOSTILE-RACE-" + round, "save").toString())).get("id").asText();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<HttpResponse<String>>> calls = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    calls.add(pool.submit(() -> {
                        go.await();
                        return hub.post("/api/v1/orders/" + id + "/submit", "demo-key", null);
                    }));
                }
                go.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<HttpResponse<String>> f : calls) {
                    HttpResponse<String> r = f.get();
                    statuses.add(r.statusCode());
                    if (r.statusCode() == 409) {
                        assertProblem(r, 409, "INVALID_STATE", "state");
                    }
                }
                assertThat(statuses).containsExactlyInAnyOrder(200, 409);
                assertThat(hub.count("select count(*) from hold where order_id = ?", id)).isEqualTo(1);
                assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'HOLD'", id)).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------- names and addresses

    @Test
    void sharpSIsOrderedAsIdna2008NotAsFass() {
        // the CSR names the IDNA2008 A-label of faß-shop.example.com
        ObjectNode doc = OrderJson.order("HOSTILE-FASS", "comodo_ssl", "save", "faß-shop.example.com",
            TestCsrs.ec("xn--fa-shop-1va.example.com"));
        doc.put("approverEmail", "admin@faß-shop.example.com");
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(json(r).get("domain").asText()).isEqualTo("xn--fa-shop-1va.example.com");
        assertThat(json(r).get("approverEmail").asText()).isEqualTo("admin@xn--fa-shop-1va.example.com");
        assertThat(hub.count("select count(*) from orders where domain = 'fass-shop.example.com'")).isZero();
    }

    @Test
    void approverEmailWithAUnicodeDomainIsStoredAndSentAsItsALabel() {
        String domain = "xn--bcher-kva.example.org";
        ObjectNode doc = OrderJson.order("HOSTILE-IDN-APPROVER", "comodo_ssl", "process", "bücher.example.org", TestCsrs.ec(domain));
        doc.put("approverEmail", "admin@bücher.example.org");
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = json(r).get("id").asText();
        assertThat(json(r).get("approverEmail").asText()).isEqualTo("admin@" + domain);
        assertThat(hub.jdbc().queryForObject("select approver_email from orders where id = ?", String.class, id)).isEqualTo("admin@" + domain);
        awaitOrder(id, n -> "awaiting-approval".equals(n.path("vendorStatus").asText()));
        assertThat(hub.jdbc().queryForObject("select approver_email from sandbox_order where domain = ?", String.class, domain))
            .isEqualTo("admin@" + domain);

        // PATCH /dcv: the same conversion
        HttpResponse<String> dcv = hub.call("PATCH", "/api/v1/orders/" + id + "/dcv", "demo-key",
            "{\"dcvMethod\":\"email\",\"approverEmail\":\"Webmaster@Bücher.example.org\"}");
        assertThat(dcv.statusCode()).as(dcv.body()).isEqualTo(200);
        assertThat(json(dcv).get("approverEmail").asText()).isEqualTo("webmaster@" + domain);
        assertThat(hub.jdbc().queryForObject("select approver_email from sandbox_order where domain = ?", String.class, domain))
            .isEqualTo("webmaster@" + domain);
        HttpResponse<String> badDcv = hub.call("PATCH", "/api/v1/orders/" + id + "/dcv", "demo-key",
            "{\"dcvMethod\":\"email\",\"approverEmail\":\"admin@bücher.example.org\\u0000\"}");
        assertProblem(badDcv, 422, "FIELD_INVALID_CHARACTERS", "approverEmail");

        // PATCH of a saved order: the same conversion
        ObjectNode saved = OrderJson.order("HOSTILE-IDN-PATCH", "comodo_ssl", "save", "bücher.example.org", TestCsrs.ec(domain));
        saved.put("approverEmail", "admin@bücher.example.org");
        HttpResponse<String> savedAnswer = hub.post("/api/v1/orders", "demo-key", saved.toString());
        assertThat(savedAnswer.statusCode()).as(savedAnswer.body()).isEqualTo(201);
        String savedId = json(savedAnswer).get("id").asText();
        HttpResponse<String> patched = hub.call("PATCH", "/api/v1/orders/" + savedId, "demo-key",
            "{\"approverEmail\":\"hostmaster@BÜCHER.example.org\"}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched).get("approverEmail").asText()).isEqualTo("hostmaster@" + domain);
    }

    @Test
    void createdAtOfThe201IsTheOneReadBackLater() {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", order("HOSTILE-TIME-" + i, "save").toString());
            JsonNode created = json(r);
            JsonNode read = json(hub.get("/api/v1/orders/" + created.get("id").asText(), "demo-key"));
            assertThat(read.get("createdAt").asText()).isEqualTo(created.get("createdAt").asText());
            assertThat(read.get("updatedAt").asText()).isEqualTo(created.get("updatedAt").asText());
            assertThat(read.get("history").get(0).get("at").asText()).isEqualTo(created.get("history").get(0).get("at").asText());
            // at most microseconds: 2026-12-06T20:05:42.123456Z
            assertThat(created.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d{1,6})?)?Z");
        }
    }

    @Test
    void searchFindsPartsOfReferencesAndNamesAndKeepsExactMatches() {
        for (int i = 1; i <= 3; i++) {
            String ref = "batch-2026-000" + i;
            ObjectNode doc = OrderJson.order(ref, "comodo_ssl", "save", "beta" + i + ".shop.example.net",
                TestCsrs.ec("beta" + i + ".shop.example.net"));
            doc.put("approverEmail", "admin@shop.example.net");
            HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
        assertThat(refs("q=batch")).containsExactlyInAnyOrder("batch-2026-0001", "batch-2026-0002", "batch-2026-0003");
        assertThat(refs("q=BATCH-2026-0002")).containsExactly("batch-2026-0002");
        assertThat(refs("q=beta")).containsExactlyInAnyOrder("batch-2026-0001", "batch-2026-0002", "batch-2026-0003");
        assertThat(refs("q=beta&in=clientReference")).isEmpty();
        assertThat(refs("q=batch&in=domain")).isEmpty();
        assertThat(refs("q=beta2&in=domain")).containsExactly("batch-2026-0002");
        assertThat(refs("q=%25")).isEmpty();                               // '%' is a character, not a wildcard
        assertThat(refs("q=batch_2026")).isEmpty();                        // so is '_'
        // the exact filters are unchanged
        assertThat(refs("clientReference=batch-2026-0001")).containsExactly("batch-2026-0001");
        assertThat(refs("clientReference=batch")).isEmpty();
        assertThat(refs("domain=beta3.shop.example.net")).containsExactly("batch-2026-0003");
        assertProblem(hub.get("/api/v1/orders?q=a%00b", "demo-key"), 422, "FIELD_INVALID_CHARACTERS", "q");
        assertProblem(hub.get("/api/v1/orders?q=a&in=csr", "demo-key"), 422, "FIELD_INVALID", "in");
    }

    static List<String> refs(String query) {
        HttpResponse<String> r = hub.get("/api/v1/orders?size=200&" + query, "demo-key");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get("items").findValuesAsText("clientReference");
    }

    static JsonNode awaitOrder(String id, Predicate<JsonNode> until) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = json(hub.get("/api/v1/orders/" + id, "demo-key"));
            return until.test(last[0]);
        });
        return last[0];
    }
}
