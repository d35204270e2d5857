package io.certhub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.ledger.LedgerService;
import io.certhub.ledger.Money;
import io.certhub.order.OrderService;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order and account REST API across the wire: HTTP to the running hub's port, then rows
 * counted in its database. Each test uses its own account (made through the ledger bean) so
 * figures are exact.
 */
class OrderRestApiTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;

    @BeforeAll
    static void start() {
        // the sandbox vendor must not complete orders while these tests read their holds
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    /** Creates an account with a balance and returns its key. */
    static String account(String id, String balance) {
        hub.context().getBean(LedgerService.class).createAccountIfAbsent(id, "USD", Money.parse(balance, "USD"));
        String key = id + "-key-" + UUID.randomUUID();
        hub.context().getBean(ApiKeyService.class).addIfAbsent(key, id);
        return key;
    }

    static JsonNode json(HttpResponse<String> r) {
        return OrderJson.parse(r.body());
    }

    static String order(String ref, String handle) {
        String domain = ref.toLowerCase() + ".example.com";
        return OrderJson.order(ref, "comodo_ssl", handle, domain, TestCsrs.ec(domain)).toString();
    }

    @Test
    void savedOrderIsPendingWithNothingHeld() {
        String key = account("acct-save", "100.00");
        HttpResponse<String> r = hub.post("/api/v1/orders", key, order("SAVE-1", "save"));
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode o = json(r);
        assertThat(o.get("state").asText()).isEqualTo("PENDING");
        assertThat(o.get("hold").isNull()).isTrue();
        assertThat(o.get("price").get("amount").asText()).isEqualTo("29.00");
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/orders/" + o.get("id").asText());
        assertThat(o.get("history").get(0).get("to").asText()).isEqualTo("PENDING");
        assertThat(o.get("history").get(0).get("actor").asText()).isEqualTo("account:acct-save");
        assertThat(hub.count("select count(*) from hold where account_id = 'acct-save'")).isZero();
        JsonNode account = json(hub.get("/api/v1/account", key));
        assertThat(account.get("available").asText()).isEqualTo("100.00");
    }

    @Test
    void processedOrderHoldsThePriceAndCancelReleasesIt() {
        String key = account("acct-cancel", "100.00");
        JsonNode o = json(hub.post("/api/v1/orders", key, order("CANCEL-1", "process")));
        assertThat(o.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("HELD");
        assertThat(o.get("hold").get("amount").asText()).isEqualTo("29.00");
        JsonNode account = json(hub.get("/api/v1/account", key));
        assertThat(account.get("balance").asText()).isEqualTo("100.00");
        assertThat(account.get("held").asText()).isEqualTo("29.00");
        assertThat(account.get("available").asText()).isEqualTo("71.00");

        HttpResponse<String> cancel = hub.post("/api/v1/orders/" + o.get("id").asText() + "/cancel", key, null);
        // 200 when the order was not being placed at that moment (or the vendor confirmed at once);
        // 202 cancel-requested when a submission worker was placing it: it cancels what it placed
        assertThat(cancel.statusCode()).as(cancel.body()).isIn(200, 202);
        JsonNode cancelled = cancel.statusCode() == 200 ? json(cancel)
            : org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> json(hub.get("/api/v1/orders/" + o.get("id").asText(), key)), n -> "CANCELLED".equals(n.path("state").asText()));
        assertThat(cancelled.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("hold").get("state").asText()).isEqualTo("RELEASED");
        account = json(hub.get("/api/v1/account", key));
        assertThat(account.get("held").asText()).isEqualTo("0.00");
        assertThat(account.get("available").asText()).isEqualTo("100.00");
        JsonNode ledger = json(hub.get("/api/v1/account/ledger", key));
        assertThat(ledger.get("items").findValuesAsText("type")).containsExactly("RELEASE", "HOLD", "DEPOSIT");

        HttpResponse<String> again = hub.post("/api/v1/orders/" + o.get("id").asText() + "/cancel", key, null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).get("code").asText()).isEqualTo("INVALID_STATE");
    }

    @Test
    void insufficientFundsLeavesNothingBehind() {
        String key = account("acct-poor", "10.00");
        HttpResponse<String> r = hub.post("/api/v1/orders", key, order("POOR-1", "process"));
        assertThat(r.statusCode()).isEqualTo(402);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(r).get("code").asText()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(json(r).get("detail").asText()).contains("10.00", "29.00");
        assertThat(hub.count("select count(*) from orders where account_id = 'acct-poor'")).isZero();
        assertThat(hub.count("select count(*) from hold where account_id = 'acct-poor'")).isZero();
        assertThat(hub.count("select count(*) from journal where account_id = 'acct-poor'")).isEqualTo(1); // the deposit

        JsonNode saved = json(hub.post("/api/v1/orders", key, order("POOR-2", "save")));
        HttpResponse<String> submit = hub.post("/api/v1/orders/" + saved.get("id").asText() + "/submit", key, null);
        assertThat(submit.statusCode()).isEqualTo(402);
        assertThat(json(hub.get("/api/v1/orders/" + saved.get("id").asText(), key)).get("state").asText()).isEqualTo("PENDING");
        assertThat(hub.count("select count(*) from hold where account_id = 'acct-poor'")).isZero();
    }

    @Test
    void twentyConcurrentSubmitsNeverOverdraw() throws Exception {
        String key = account("acct-race", "100.00");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(json(hub.post("/api/v1/orders", key, order("RACE-" + i, "save"))).get("id").asText());
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (String id : ids) {
            results.add(pool.submit((Callable<Integer>) () -> {
                go.await();
                return hub.post("/api/v1/orders/" + id + "/submit", key, null).statusCode();
            }));
        }
        go.countDown();
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : results) {
            codes.add(f.get());
        }
        pool.shutdown();
        assertThat(codes).filteredOn(c -> c == 200).hasSize(3);        // 3 × 29.00 = 87.00 ≤ 100.00
        assertThat(codes).filteredOn(c -> c == 402).hasSize(17);
        JsonNode account = json(hub.get("/api/v1/account", key));
        assertThat(account.get("held").asText()).isEqualTo("87.00");
        assertThat(account.get("available").asText()).isEqualTo("13.00");
        assertThat(hub.count("select count(*) from hold where account_id = 'acct-race' and state = 'HELD'")).isEqualTo(3);
        assertThat(hub.count("select count(*) from journal where account_id = 'acct-race' and entry_type = 'HOLD'")).isEqualTo(3);
    }

    @Test
    void completionCapturesAndACompletedOrderCannotBeCancelled() {
        String key = account("acct-complete", "100.00");
        String id = json(hub.post("/api/v1/orders", key, order("DONE-1", "process"))).get("id").asText();
        assertThat(hub.context().getBean(OrderService.class).complete(id, "vendor", "issued")).isTrue();
        assertThat(hub.context().getBean(OrderService.class).complete(id, "mailbox", "issued")).isFalse();
        JsonNode o = json(hub.get("/api/v1/orders/" + id, key));
        assertThat(o.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("CAPTURED");
        JsonNode account = json(hub.get("/api/v1/account", key));
        assertThat(account.get("balance").asText()).isEqualTo("71.00");
        assertThat(account.get("held").asText()).isEqualTo("0.00");
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", id)).isEqualTo(1);
        HttpResponse<String> cancel = hub.post("/api/v1/orders/" + id + "/cancel", key, null);
        assertThat(cancel.statusCode()).isEqualTo(409);
        assertThat(json(cancel).get("detail").asText()).contains("revoked");
    }

    @Test
    void aDeclinedOrderCanBeSubmittedAgainWithANewHold() {
        String key = account("acct-decline", "100.00");
        String id = json(hub.post("/api/v1/orders", key, order("DECL-1", "process"))).get("id").asText();
        hub.context().getBean(OrderService.class).decline(id, "VENDOR_REFUSED", "435 permission denied", "vendor");
        JsonNode o = json(hub.get("/api/v1/orders/" + id, key));
        assertThat(o.get("state").asText()).isEqualTo("DECLINED");
        assertThat(o.get("lastError").get("code").asText()).isEqualTo("VENDOR_REFUSED");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("RELEASED");
        HttpResponse<String> again = hub.post("/api/v1/orders/" + id + "/submit", key, null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(json(again).get("hold").get("state").asText()).isEqualTo("HELD");
        assertThat(hub.count("select count(*) from hold where order_id = ?", id)).isEqualTo(2);
        assertThat(json(hub.get("/api/v1/account", key)).get("available").asText()).isEqualTo("71.00");
    }

    @Test
    void keysAndAccountsAreKeptApart() {
        String key = account("acct-own", "100.00");
        String otherKey = account("acct-stranger", "100.00");
        String id = json(hub.post("/api/v1/orders", key, order("OWN-1", "save"))).get("id").asText();

        assertThat(hub.get("/api/v1/orders/" + id, null).statusCode()).isEqualTo(401);
        assertThat(json(hub.get("/api/v1/orders/" + id, "no-such-key")).get("code").asText()).isEqualTo("UNAUTHORIZED");
        HttpResponse<String> foreign = hub.get("/api/v1/orders/" + id, otherKey);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(hub.post("/api/v1/orders/" + id + "/cancel", otherKey, null).statusCode()).isEqualTo(404);
        assertThat(json(hub.get("/api/v1/orders", otherKey)).get("totalElements").asLong()).isZero();

        HttpResponse<String> deposit = hub.post("/api/v1/accounts/acct-own/deposits", key, "{\"amount\":\"5.00\",\"currency\":\"USD\"}");
        assertThat(deposit.statusCode()).isEqualTo(403);
        HttpResponse<String> byOperator = hub.post("/api/v1/accounts/acct-own/deposits", "operator-key", "{\"amount\":\"5.00\",\"currency\":\"USD\"}");
        assertThat(byOperator.statusCode()).isEqualTo(201);
        assertThat(json(byOperator).get("balance").asText()).isEqualTo("105.00");
        assertThat(hub.post("/api/v1/accounts/nobody/deposits", "operator-key", "{\"amount\":\"5.00\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void sameReferenceSameContentReturnsTheOrderOtherContentConflicts() {
        String key = account("acct-dup", "100.00");
        ObjectNode doc = OrderJson.order("DUP-1", "comodo_ssl", "process", "dup.example.com", TestCsrs.ec("dup.example.com"));
        HttpResponse<String> first = hub.post("/api/v1/orders", key, doc.toString());
        assertThat(first.statusCode()).isEqualTo(201);
        doc.put("handle", "save");                       // handle is not part of the content
        doc.put("domain", "DUP.example.com.");           // names are compared normalised
        HttpResponse<String> second = hub.post("/api/v1/orders", key, doc.toString());
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(json(second).get("id").asText()).isEqualTo(json(first).get("id").asText());
        doc.put("period", 2);
        HttpResponse<String> conflict = hub.post("/api/v1/orders", key, doc.toString());
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(json(conflict).get("code").asText()).isEqualTo("CLIENT_REFERENCE_CONFLICT");
        assertThat(json(conflict).get("detail").asText()).contains("DUP-1");
        assertThat(hub.count("select count(*) from orders where account_id = 'acct-dup'")).isEqualTo(1);
        assertThat(hub.count("select count(*) from hold where account_id = 'acct-dup'")).isEqualTo(1);
    }

    @Test
    void badInputNamesTheFieldAndTheRule() {
        String key = account("acct-bad", "100.00");
        HttpResponse<String> malformed = hub.post("/api/v1/orders", key, "{\"clientReference\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("code").asText()).isEqualTo("MALFORMED_REQUEST");

        ObjectNode doc = OrderJson.order("BAD-1", "comodo_ssl", "process", "bad.example.com", TestCsrs.ec("bad.example.com"));
        ((ObjectNode) doc.get("contacts").get("admin")).remove("email");
        doc.put("period", 7);
        HttpResponse<String> r = hub.post("/api/v1/orders", key, doc.toString());
        assertThat(r.statusCode()).isEqualTo(422);
        JsonNode p = json(r);
        assertThat(p.get("errors").findValuesAsText("field")).contains("contacts.admin.email", "period");
        assertThat(p.get("errors").findValuesAsText("code")).contains("FIELD_REQUIRED", "PERIOD_NOT_ALLOWED");

        ObjectNode wrongName = OrderJson.order("BAD-2", "comodo_ssl", "process", "other.example.com", TestCsrs.ec("bad.example.com"));
        JsonNode missing = json(hub.post("/api/v1/orders", key, wrongName.toString()));
        assertThat(missing.get("code").asText()).isEqualTo("CSR_NAME_MISSING");
        assertThat(missing.get("field").asText()).isEqualTo("csr");

        ObjectNode wildcard = OrderJson.order("BAD-3", "comodo_ssl", "process", "*.bad.example.com", TestCsrs.ec("*.bad.example.com"));
        assertThat(json(hub.post("/api/v1/orders", key, wildcard.toString())).get("code").asText()).isEqualTo("WILDCARD_NOT_ALLOWED");

        ObjectNode ov = OrderJson.order("BAD-5", "sslwebserver", "process", "bad.example.com", TestCsrs.ec("bad.example.com"));
        ((ObjectNode) ov.get("contacts").get("organization")).remove("orgName");
        ((ObjectNode) ov.get("contacts").get("organization")).put("city", "null");      // a real city name, not a missing value
        JsonNode org = json(hub.post("/api/v1/orders", key, ov.toString()));
        assertThat(org.get("code").asText()).isEqualTo("FIELD_REQUIRED");
        assertThat(org.get("field").asText()).isEqualTo("contacts.organization.orgName");
        assertThat(org.path("errors").findValuesAsText("field")).doesNotContain("contacts.organization.city");

        ObjectNode unknown = OrderJson.order("BAD-4", "comodo_ssl", "process", "bad.example.com", TestCsrs.ec("bad.example.com"));
        unknown.put("aproverEmail", "x@example.com");
        JsonNode u = json(hub.post("/api/v1/orders", key, unknown.toString()));
        assertThat(u.get("code").asText()).isEqualTo("FIELD_UNKNOWN");
        assertThat(u.get("field").asText()).isEqualTo("aproverEmail");
        assertThat(hub.count("select count(*) from orders where account_id = 'acct-bad'")).isZero();
    }

    @Test
    void csrFormatsFromTheCasesAreAcceptedInCanonicalFormAndATruncatedOneIsRefused() throws Exception {
        String key = account("acct-csr", "1000.00");
        Path cases = Path.of("../shared/cases/csr-formats");
        String reference = Files.readString(cases.resolve("reference.csr"));
        String canonical = null;
        for (String f : List.of("csr-a-bom-crlf-new-header.csr", "csr-b-indented-whitespace.csr", "csr-c-single-line.csr")) {
            String csr = new String(Files.readAllBytes(cases.resolve(f)), java.nio.charset.StandardCharsets.UTF_8);
            ObjectNode doc = OrderJson.order("CSR-" + f, "comodo_ssl", "save", "files.example.com", csr);
            HttpResponse<String> r = hub.post("/api/v1/orders", key, doc.toString());
            assertThat(r.statusCode()).as(f + ": " + r.body()).isEqualTo(201);
            String stored = json(r).get("csr").asText();
            assertThat(stored).startsWith("-----BEGIN CERTIFICATE REQUEST-----\n").endsWith("-----END CERTIFICATE REQUEST-----\n")
                .doesNotContain("\r").doesNotContain("\uFEFF");
            assertThat(stored.lines().filter(l -> !l.startsWith("-----")).allMatch(l -> l.length() <= 64)).isTrue();
            if (canonical == null) {
                canonical = stored;
            }
            assertThat(stored).isEqualTo(canonical);
        }
        assertThat(canonical.replaceAll("\\s", "")).isEqualTo(reference.replaceAll("\\s", ""));

        String truncated = Files.readString(cases.resolve("csr-d-truncated.csr"));
        HttpResponse<String> d = hub.post("/api/v1/orders", key, OrderJson.order("CSR-D", "comodo_ssl", "process", "files.example.com", truncated).toString());
        assertThat(d.statusCode()).isEqualTo(422);
        assertThat(json(d).get("code").asText()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(hub.count("select count(*) from orders where client_reference = 'CSR-D'")).isZero();
    }

    @Test
    void weakKeyCaseIsRefusedOverRest() throws Exception {
        String key = account("acct-weak", "100.00");
        String body = Files.readString(Path.of("../shared/cases/weak-key/rest-request.json"));
        HttpResponse<String> r = hub.post("/api/v1/orders", key, body);
        assertThat(r.statusCode()).isEqualTo(422);
        JsonNode p = json(r);
        assertThat(p.get("code").asText()).isEqualTo("CSR_WEAK_KEY");
        assertThat(p.get("detail").asText()).contains("RSA", "1024", "2048");
        assertThat(hub.count("select count(*) from orders where account_id = 'acct-weak'")).isZero();
        assertThat(hub.count("select count(*) from hold where account_id = 'acct-weak'")).isZero();
        assertThat(hub.count("select count(*) from journal where account_id = 'acct-weak'")).isEqualTo(1);
    }

    @Test
    void aSavedOrderCanBeEditedAndListedWithFilters() {
        String key = account("acct-edit", "100.00");
        String id = json(hub.post("/api/v1/orders", key, order("EDIT-1", "save"))).get("id").asText();
        HttpResponse<String> patched = hub.call("PATCH", "/api/v1/orders/" + id, key, "{\"period\": 2, \"serverType\": \"apache\"}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched).get("period").asInt()).isEqualTo(2);
        assertThat(json(patched).get("price").get("amount").asText()).isEqualTo("58.00");
        assertThat(json(patched).get("serverType").asText()).isEqualTo("apache");
        assertThat(hub.call("PATCH", "/api/v1/orders/" + id, key, "{\"productType\": \"sslwebserver\"}").statusCode()).isEqualTo(422);
        JsonNode handle = json(hub.call("PATCH", "/api/v1/orders/" + id, key, "{\"handle\": \"process\"}"));
        assertThat(handle.get("code").asText()).isEqualTo("FIELD_NOT_PATCHABLE");
        assertThat(handle.get("field").asText()).isEqualTo("handle");

        hub.post("/api/v1/orders", key, order("EDIT-2", "process"));
        JsonNode pending = json(hub.get("/api/v1/orders?state=PENDING", key));
        assertThat(pending.get("totalElements").asLong()).isEqualTo(1);
        assertThat(pending.get("items").get(0).get("id").asText()).isEqualTo(id);
        JsonNode byDomain = json(hub.get("/api/v1/orders?domain=EDIT-2.example.com", key));
        assertThat(byDomain.get("items").get(0).get("clientReference").asText()).isEqualTo("EDIT-2");
        JsonNode paged = json(hub.get("/api/v1/orders?page=1&size=1", key));
        assertThat(paged.get("items")).hasSize(1);
        assertThat(paged.get("totalElements").asLong()).isEqualTo(2);
        String inProgress = byDomain.get("items").get(0).get("id").asText();
        HttpResponse<String> late = hub.call("PATCH", "/api/v1/orders/" + inProgress, key, "{\"period\": 2}");
        assertThat(late.statusCode()).isEqualTo(409);
    }

    @Test
    void anEmailApproverMustBeAllowedForEveryName() {
        String key = account("acct-dcv", "100.00");
        ObjectNode doc = OrderJson.order("DCV-1", "comodo_ssl", "process", "shop.example.co.uk", TestCsrs.ec("shop.example.co.uk"));
        doc.put("approverEmail", "ceo@gmail.com");
        HttpResponse<String> r = hub.post("/api/v1/orders", key, doc.toString());
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(json(r).get("code").asText()).isEqualTo("APPROVER_NOT_ALLOWED");
        assertThat(json(r).get("field").asText()).isEqualTo("approverEmail");
        assertThat(json(r).get("detail").asText()).contains("admin@shop.example.co.uk", "admin@example.co.uk").doesNotContain("admin@co.uk");
        doc.remove("approverEmail");                        // the admin contact alex@example.com is no candidate either
        assertThat(json(hub.post("/api/v1/orders", key, doc.toString())).get("code").asText()).isEqualTo("APPROVER_NOT_ALLOWED");
        doc.put("approverEmail", "Hostmaster@Example.co.uk");
        HttpResponse<String> ok = hub.post("/api/v1/orders", key, doc.toString());
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(json(ok).get("approverEmail").asText()).isEqualTo("hostmaster@example.co.uk");
        ObjectNode http = OrderJson.order("DCV-2", "comodo_wildcard", "process", "*.shop.example.com", TestCsrs.ec("*.shop.example.com"));
        http.put("dcvMethod", "http");
        assertThat(json(hub.post("/api/v1/orders", key, http.toString())).get("code").asText()).isEqualTo("DCV_METHOD_NOT_ALLOWED");

        JsonNode list = json(hub.get("/api/v1/approvers?domain=sub.shop.example.co.uk&productType=comodo_ssl", key));
        assertThat(list.isArray()).isTrue();
        assertThat(list.findValuesAsText("email")).contains("admin@sub.shop.example.co.uk", "postmaster@example.co.uk")
            .noneMatch(e -> e.endsWith("@co.uk"));
        assertThat(list.get(0).get("type").asText()).isEqualTo("constructed");
        assertThat(list.get(0).get("usable").asBoolean()).isTrue();
        assertThat(list.get(0).get("note").asText()).contains("2028-03-15");
        JsonNode owner = json(hub.get("/api/v1/approvers?domain=shop.example.com", key));
        assertThat(owner.findValuesAsText("type")).contains("whois");
        assertThat(owner).filteredOn(c -> c.get("type").asText().equals("whois")).allMatch(c -> !c.get("usable").asBoolean());
    }

    @Test
    void productsCsrParseAndOpenApiAreServed() {
        JsonNode products = json(hub.get("/api/v1/products", "demo-key"));
        assertThat(products.findValuesAsText("productType")).contains("symantec_ssl_lite", "quickssl_premium", "comodo_ssl",
            "comodo_wildcard", "sslwebserver", "sslwebserver_ev");
        JsonNode parsed = json(hub.post("/api/v1/csr/parse", "demo-key",
            OrderJson.MAPPER.createObjectNode().put("csr", TestCsrs.ec("a.example.com", "b.example.com")).toString()));
        assertThat(parsed.get("names").findValuesAsText("")).isEmpty();
        assertThat(parsed.get("names").toString()).contains("a.example.com", "b.example.com");
        assertThat(parsed.get("keyAlgorithm").asText()).isEqualTo("EC");
        assertThat(parsed.get("curve").asText()).isEqualTo("P-256");
        assertThat(parsed.get("signatureValid").asBoolean()).isTrue();
        HttpResponse<String> openapi = hub.get("/api/v1/openapi.json", null);
        assertThat(openapi.statusCode()).isEqualTo(200);
        assertThat(openapi.body()).contains("/orders");
    }

    @Test
    void theOperatorCreatesAnAccountWhoseKeyPlacesOrdersAndCanIssueAnotherKey() {
        HttpResponse<String> created = hub.post("/api/v1/accounts", "operator-key",
            "{\"id\":\"acme-certs\",\"currency\":\"USD\",\"openingBalance\":\"250.00\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode account = json(created);
        assertThat(account.get("id").asText()).isEqualTo("acme-certs");
        assertThat(account.get("balance").asText()).isEqualTo("250.00");
        assertThat(account.get("available").asText()).isEqualTo("250.00");
        String key = account.get("apiKey").asText();
        assertThat(key).hasSize(43);
        // only the key's hash is stored
        assertThat(hub.count("select count(*) from api_key where account_id = 'acme-certs'")).isEqualTo(1);
        assertThat(hub.count("select count(*) from api_key where key_hash = ?", ApiKeyService.hash(key))).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal where account_id = 'acme-certs' and entry_type = 'DEPOSIT' and amount_minor = 25000"))
            .isEqualTo(1);

        // the new key is a reseller key of that account
        HttpResponse<String> placed = hub.post("/api/v1/orders", key, order("ACME-1", "process"));
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        assertThat(json(hub.get("/api/v1/account", key)).get("held").asText()).isEqualTo(json(placed).get("price").get("amount").asText());

        // again: 409, nothing written twice
        HttpResponse<String> again = hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"acme-certs\",\"currency\":\"USD\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).get("code").asText()).isEqualTo("ACCOUNT_EXISTS");
        assertThat(hub.count("select count(*) from api_key where account_id = 'acme-certs'")).isEqualTo(1);

        // a second key; the first stays valid
        HttpResponse<String> second = hub.post("/api/v1/accounts/acme-certs/api-keys", "operator-key", null);
        assertThat(second.statusCode()).isEqualTo(201);
        String key2 = json(second).get("apiKey").asText();
        assertThat(key2).isNotEqualTo(key);
        assertThat(hub.get("/api/v1/account", key2).statusCode()).isEqualTo(200);
        assertThat(hub.get("/api/v1/account", key).statusCode()).isEqualTo(200);
        assertThat(hub.post("/api/v1/accounts/nobody/api-keys", "operator-key", null).statusCode()).isEqualTo(404);

        // operator only; field rules name the field
        assertThat(hub.post("/api/v1/accounts", key, "{\"id\":\"x\",\"currency\":\"USD\"}").statusCode()).isEqualTo(403);
        assertThat(hub.post("/api/v1/accounts/acme-certs/api-keys", key, null).statusCode()).isEqualTo(403);
        HttpResponse<String> badId = hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"../etc\",\"currency\":\"USD\"}");
        assertThat(badId.statusCode()).isEqualTo(422);
        assertThat(json(badId).get("field").asText()).isEqualTo("id");
        HttpResponse<String> badCurrency = hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"acme-eu\",\"currency\":\"EURO\"}");
        assertThat(json(badCurrency).get("code").asText()).isEqualTo("FIELD_INVALID");
        assertThat(json(badCurrency).get("field").asText()).isEqualTo("currency");
        HttpResponse<String> noCurrency = hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"acme-eu\"}");
        assertThat(json(noCurrency).get("code").asText()).isEqualTo("FIELD_REQUIRED");
        HttpResponse<String> unknown = hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"acme-eu\",\"currency\":\"EUR\",\"balance\":\"1\"}");
        assertThat(json(unknown).get("code").asText()).isEqualTo("FIELD_UNKNOWN");
        assertThat(json(unknown).get("field").asText()).isEqualTo("balance");
        assertThat(hub.count("select count(*) from account where id = 'acme-eu'")).isZero();
    }
}
