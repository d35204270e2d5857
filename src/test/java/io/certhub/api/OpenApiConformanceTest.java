package io.certhub.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running hub answers as its OpenAPI document ({@code src/main/resources/openapi.yaml}) says
 * (issue 14 §1). Every documented operation is called over HTTP — with real resources where that
 * is cheap (an order placed, completed by the sandbox vendor, renewed, reissued, its certificate
 * revoked; a webhook with a failed delivery replayed; an account opened, funded, its keys issued and
 * revoked) and with a minimal bad request where a body is required — and each answer is checked
 * against the operation: its status is one the document lists, its media type one the document
 * gives for that status, and a JSON body (problem+json included) is valid against the documented
 * schema (JSON Schema 2020-12, networknt json-schema-validator). Every REST DSL route under
 * {@code /api/v1} is in the document with the REST DSL id as its operationId, and every documented
 * operation is a route of the hub; the last test checks that every documented operation was called.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiConformanceTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    /** The document's IRI inside the JSON Schema registry (never fetched: the registry holds it). */
    static final String BASE = "https://certhub.invalid/api/v1/openapi.json";

    static JsonNode doc;
    static SchemaRegistry schemas;
    static final Map<String, Schema> compiled = new ConcurrentHashMap<>();
    /** "METHOD /template" of every operation called so far. */
    static final Set<String> called = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.mailbox.poll-delay-ms=300", "--hub.mail.delivery-sweep-ms=200");
        doc = OpenApiDocumentTest.document();
        String docJson = doc.toString();
        schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b.schemas(Map.of(BASE, docJson)));
    }

    /**
     * Calls one operation and checks the answer against the document.
     *
     * @param method   HTTP method
     * @param template the documented path, e.g. {@code /api/v1/orders/{id}}
     * @param path     the path called (template filled in, query added)
     * @param key      X-Api-Key or null
     * @param body     JSON body or null
     * @param headers  extra header name/value pairs
     * @return the answer
     */
    static HttpResponse<String> call(String method, String template, String path, String key, String body, String... headers) {
        JsonNode op = doc.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        assertThat(op.isMissingNode()).as(method + " " + template + " is documented").isFalse();
        HttpResponse<String> r = hub.call(method, path, key, body, headers);
        String what = method + " " + path + " → " + r.statusCode() + " " + r.body();
        JsonNode documented = op.path("responses").path(Integer.toString(r.statusCode()));
        assertThat(documented.isMissingNode()).as(what + ": the status is documented").isFalse();
        JsonNode response = OpenApiDocumentTest.resolve(doc, documented);
        String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!response.has("content")) {
            assertThat(r.body()).as(what + ": no content is documented").isEmpty();
        } else {
            JsonNode media = response.path("content").path(type);
            assertThat(media.isMissingNode()).as(what + ": media type " + type + " is documented, one of "
                + response.path("content").properties().stream().map(Map.Entry::getKey).toList()).isFalse();
            if (r.statusCode() >= 400) {
                assertThat(type).as(what).isEqualTo("application/problem+json");
                // the codes a problem answer may carry are the ones its documented response names
                Set<String> named = new TreeSet<>();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})`")
                    .matcher(response.path("description").asText());
                while (m.find()) {
                    named.add(m.group(1));
                }
                JsonNode problem = OrderJson.parse(r.body());
                assertThat(named).as(what + ": the documented response names the code").contains(problem.path("code").asText());
                problem.path("errors").forEach(e -> assertThat(named).as(what + ": errors[] code").contains(e.path("code").asText()));
            }
            if (type.endsWith("json")) {
                JsonNode answer = OrderJson.parse(r.body());
                List<String> errors = schema(media.path("schema")).validate(answer).stream().map(Object::toString).toList();
                assertThat(errors).as(what + ": the body matches the documented schema").isEmpty();
                List<String> undocumented = new ArrayList<>();
                undocumented(media.path("schema"), answer, "", undocumented);
                assertThat(undocumented).as(what + ": every field of the answer is documented").isEmpty();
            }
        }
        // a body the hub took is one the documented request schema takes
        JsonNode requestSchema = OpenApiDocumentTest.resolve(doc, op.path("requestBody")).path("content").path("application/json").path("schema");
        if (r.statusCode() < 300 && body != null && !requestSchema.isMissingNode()) {
            List<String> refused = schema(requestSchema).validate(OrderJson.parse(body)).stream().map(Object::toString).toList();
            assertThat(refused).as(what + ": the request body the hub took matches the documented request schema").isEmpty();
        }
        called.add(method + " " + template);
        return r;
    }

    /** {@link #call} of the template itself (no path parameter). */
    static HttpResponse<String> plain(String method, String template, String key, String body, String... headers) {
        return call(method, template, template, key, body, headers);
    }

    static void expect(HttpResponse<String> r, int... statuses) {
        List<Integer> allowed = new ArrayList<>();
        for (int s : statuses) {
            allowed.add(s);
        }
        assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isIn(allowed);
    }

    /**
     * Collects the fields of an answer that its schema does not name (the schemas leave
     * {@code additionalProperties} open so that clients accept new fields; the hub's own answers
     * must still have none the document does not describe). An object schema without properties
     * (free-form, e.g. the document itself) is not looked into.
     */
    static void undocumented(JsonNode schema, JsonNode value, String at, List<String> out) {
        if (value.isObject()) {
            Map<String, JsonNode> props = new java.util.LinkedHashMap<>();
            properties(schema, props);
            if (props.isEmpty()) {
                return;
            }
            value.properties().forEach(f -> {
                JsonNode p = props.get(f.getKey());
                if (p == null) {
                    out.add(at + "/" + f.getKey());
                } else {
                    undocumented(p, f.getValue(), at + "/" + f.getKey(), out);
                }
            });
        } else if (value.isArray()) {
            JsonNode items = items(schema);
            for (int i = 0; items != null && i < value.size(); i++) {
                undocumented(items, value.get(i), at + "/" + i, out);
            }
        }
    }

    private static void properties(JsonNode schema, Map<String, JsonNode> into) {
        JsonNode s = OpenApiDocumentTest.resolve(doc, schema);
        s.path("properties").properties().forEach(e -> into.putIfAbsent(e.getKey(), e.getValue()));
        for (String list : List.of("allOf", "oneOf", "anyOf")) {
            s.path(list).forEach(m -> properties(m, into));
        }
    }

    private static JsonNode items(JsonNode schema) {
        JsonNode s = OpenApiDocumentTest.resolve(doc, schema);
        if (s.has("items")) {
            return s.get("items");
        }
        for (String list : List.of("allOf", "oneOf", "anyOf")) {
            for (JsonNode m : s.path(list)) {
                JsonNode found = items(m);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    static Schema schema(JsonNode node) {
        return compiled.computeIfAbsent(node.toString(), k -> schemas.getSchema(absolute(node.deepCopy())));
    }

    /** Points every local {@code $ref} of a schema at the document in the registry. */
    static JsonNode absolute(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            if (o.has("$ref") && o.get("$ref").asText().startsWith("#")) {
                o.put("$ref", BASE + o.get("$ref").asText());
            }
            o.properties().forEach(e -> absolute(e.getValue()));
        } else if (node.isArray()) {
            node.forEach(OpenApiConformanceTest::absolute);
        }
        return node;
    }

    static JsonNode json(HttpResponse<String> r) {
        return OrderJson.parse(r.body());
    }

    @Test
    @Order(1)
    void theDocumentIsServedAsJsonAndAsYamlWithoutAKey() {
        HttpResponse<String> asJson = plain("GET", "/api/v1/openapi.json", null, null);
        expect(asJson, 200);
        assertThat(json(asJson)).isEqualTo(doc);
        HttpResponse<String> asYaml = plain("GET", "/api/v1/openapi.yaml", null, null);
        expect(asYaml, 200);
        assertThat(asYaml.body()).isEqualTo(OpenApiDocumentTest.text(OpenApiDocument.RESOURCE));
        assertThat(asJson.body()).doesNotContain("0.0.0.0").doesNotContain("/sandbox");
    }

    @Test
    @Order(2)
    void everyRestDslRouteUnderApiV1IsDocumentedAndEveryDocumentedOperationIsARoute() {
        CamelContext camel = hub.context().getBean(CamelContext.class);
        Set<String> served = new TreeSet<>();
        camel.getRestRegistry().listAllRestServices().forEach(s -> {
            String path = (s.getBasePath() == null ? "" : s.getBasePath()) + (s.getUriTemplate() == null ? "" : s.getUriTemplate());
            if (path.startsWith("/api/")) {
                served.add(s.getMethod().toUpperCase(Locale.ROOT) + " " + path);
            }
        });
        Set<String> documented = new TreeSet<>(OpenApiDocumentTest.operations(doc).keySet());
        assertThat(served).as("REST DSL routes under /api/ (left) against the document's operations").isEqualTo(documented);
        // operationId = the REST DSL id of the verb
        Map<String, JsonNode> ops = OpenApiDocumentTest.operations(doc);
        int verbs = 0;
        for (RestDefinition rest : camel.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions()) {
            if (rest.getPath() == null || !rest.getPath().startsWith("/api/")) {
                continue;
            }
            for (VerbDefinition verb : rest.getVerbs()) {
                String key = verb.asVerb().toUpperCase(Locale.ROOT) + " " + rest.getPath() + verb.getPath();
                assertThat(ops).as(key).containsKey(key);
                assertThat(ops.get(key).path("operationId").asText()).as(key).isEqualTo(verb.getId());
                verbs++;
            }
        }
        assertThat(verbs).isEqualTo(documented.size());
    }

    @Test
    @Order(0)
    void theSchemaCheckRefusesBodiesTheDocumentDoesNotAllow() {
        JsonNode problem = doc.at("/components/responses/Unauthorized/content/application~1problem+json/schema");
        assertThat(schema(problem).validate(OrderJson.parse("{\"code\":5}"))).isNotEmpty();
        JsonNode order = doc.at("/paths/~1api~1v1~1orders~1{id}/get/responses/200/content/application~1json/schema");
        assertThat(schema(order).validate(OrderJson.parse("{\"id\":\"x\"}"))).as("Order's required fields, through allOf and $ref")
            .isNotEmpty();
        JsonNode valid = OrderJson.parse("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"x\","
            + "\"code\":\"NOT_FOUND\",\"field\":null}");
        assertThat(schema(problem).validate(valid)).isEmpty();
        List<String> extra = new ArrayList<>();
        undocumented(order, OrderJson.parse("{\"id\":\"x\",\"hold\":{\"state\":\"HELD\",\"x\":1},\"history\":[{\"at\":\"t\",\"y\":2}],\"z\":3}"),
            "", extra);
        assertThat(extra).containsExactly("/hold/x", "/history/0/y", "/z");
    }

    @Test
    @Order(3)
    void ordersAnswerAsDocumented() {
        String csr = TestCsrs.ec("conform.example.com");
        String body = OrderJson.order("conform-0001", "comodo_ssl", "save", "conform.example.com", csr).toString();
        HttpResponse<String> created = plain("POST", "/api/v1/orders", "demo-key", body);
        expect(created, 201);
        String id = json(created).get("id").asText();
        assertThat(created.headers().firstValue("Location")).contains("/api/v1/orders/" + id);
        expect(plain("POST", "/api/v1/orders", "demo-key", body), 200);
        expect(plain("POST", "/api/v1/orders", "demo-key", "{"), 400);
        expect(plain("POST", "/api/v1/orders", "demo-key", "{\"clientReference\":\"conform-0002\"}"), 422);
        expect(plain("POST", "/api/v1/orders", "demo-key", body, "Idempotency-Key", "k".repeat(256)), 422);
        String idem = OrderJson.order("conform-0003", "comodo_ssl", "save", "conform.example.com", csr).toString();
        HttpResponse<String> first = plain("POST", "/api/v1/orders", "demo-key", idem, "Idempotency-Key", "conform-idem-1");
        HttpResponse<String> replay = plain("POST", "/api/v1/orders", "demo-key", idem, "Idempotency-Key", "conform-idem-1");
        expect(first, 201);
        assertThat(replay.statusCode()).isEqualTo(201);
        assertThat(replay.body()).isEqualTo(first.body());

        HttpResponse<String> page = call("GET", "/api/v1/orders", "/api/v1/orders?clientReference=conform-0001&size=5", "demo-key", null);
        expect(page, 200);
        assertThat(json(page).get("totalElements").asLong()).isEqualTo(1);
        expect(call("GET", "/api/v1/orders", "/api/v1/orders?q=conform&in=domain&page=0", "demo-key", null), 200);
        expect(call("GET", "/api/v1/orders", "/api/v1/orders?state=NOPE", "demo-key", null), 422);
        String one = "/api/v1/orders/{id}";
        expect(call("GET", one, "/api/v1/orders/" + id, "demo-key", null), 200);
        expect(call("GET", one, "/api/v1/orders/no-such-order", "demo-key", null), 404);
        expect(call("GET", one, "/api/v1/orders/" + id, "other-key", null), 404);
        expect(call("PATCH", one, "/api/v1/orders/" + id, "demo-key", "{\"serverType\":\"nginx\"}"), 200);
        expect(call("PATCH", one, "/api/v1/orders/" + id, "demo-key", "{\"productType\":\"comodo_wildcard\"}"), 422);
        expect(call("PATCH", one, "/api/v1/orders/" + id, "demo-key", "not json"), 400);

        expect(call("GET", one + "/certificate", "/api/v1/orders/" + id + "/certificate", "demo-key", null), 404);
        expect(call("POST", one + "/renew", "/api/v1/orders/" + id + "/renew", "demo-key", null), 409);
        expect(call("POST", one + "/renew", "/api/v1/orders/" + id + "/renew", "demo-key", "[1]"), 400);
        expect(call("POST", one + "/reissue", "/api/v1/orders/" + id + "/reissue", "demo-key", "[]"), 400);
        expect(call("POST", one + "/reissue", "/api/v1/orders/" + id + "/reissue", "demo-key", "{\"csr\":\"" + csr.replace("\n", "\\n") + "\"}"),
            409);
        expect(call("POST", one + "/resend-certificate", "/api/v1/orders/" + id + "/resend-certificate", "demo-key", null), 409);
        expect(call("POST", one + "/resend-approval", "/api/v1/orders/" + id + "/resend-approval", "demo-key", null), 409);
        expect(call("PATCH", one + "/dcv", "/api/v1/orders/" + id + "/dcv", "demo-key", "{\"dcvMethod\":\"dns\"}"), 409);
        expect(call("PATCH", one + "/dcv", "/api/v1/orders/" + id + "/dcv", "demo-key", "{"), 400);

        HttpResponse<String> submitted = call("POST", one + "/submit", "/api/v1/orders/" + id + "/submit", "demo-key", null);
        expect(submitted, 200);
        assertThat(json(submitted).get("hold").get("state").asText()).isEqualTo("HELD");
        expect(call("POST", one + "/submit", "/api/v1/orders/" + id + "/submit", "demo-key", null), 409);
        expect(call("POST", one + "/cancel", "/api/v1/orders/" + id + "/cancel", "demo-key", null), 200, 202);
        expect(call("POST", one + "/cancel", "/api/v1/orders/no-such-order/cancel", "demo-key", null), 404);

        expect(plain("GET", "/api/v1/products", "demo-key", null), 200);
        String parse = "{\"csr\":\"" + csr.replace("\n", "\\n") + "\"}";
        expect(plain("POST", "/api/v1/csr/parse", "demo-key", parse), 200);
        expect(plain("POST", "/api/v1/csr/parse", "demo-key", "{\"csr\":\"not a csr\"}"), 200);
        expect(plain("POST", "/api/v1/csr/parse", "demo-key", "{}"), 422);
        expect(plain("POST", "/api/v1/csr/parse", "demo-key", "{"), 400);
        expect(call("GET", "/api/v1/approvers", "/api/v1/approvers?domain=conform.example.com&productType=comodo_ssl", "demo-key", null), 200);
        expect(call("GET", "/api/v1/approvers", "/api/v1/approvers", "demo-key", null), 422);
        expect(call("GET", "/api/v1/approvers", "/api/v1/approvers?domain=conform.example.com&productType=nope", "demo-key", null), 422);
    }

    @Test
    @Order(4)
    void aCompletedOrderItsCertificateAndAWebhookAnswerAsDocumented() {
        HttpResponse<String> hook = plain("POST", "/api/v1/webhooks", "demo-key",
            "{\"url\":\"http://127.0.0.1:9/conform\",\"events\":[\"order.completed\"]}", "Idempotency-Key", "conform-hook-1");
        expect(hook, 201);
        String hookId = json(hook).get("id").asText();
        expect(plain("POST", "/api/v1/webhooks", "demo-key", "{\"url\":\"ftp://x\",\"events\":[\"no.such\"]}"), 422);
        expect(plain("POST", "/api/v1/webhooks", "demo-key", "[]"), 400);

        String domain = "conform-done.example.com";
        ObjectNode order = OrderJson.order("conform-done", "symantec_ssl_lite", "process", domain, TestCsrs.ec(domain));
        order.put("approverEmail", "admin@" + domain);
        HttpResponse<String> placed = plain("POST", "/api/v1/orders", "demo-key", order.toString());
        expect(placed, 201);
        String id = json(placed).get("id").asText();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));
        String one = "/api/v1/orders/{id}";
        expect(call("GET", one, "/api/v1/orders/" + id, "demo-key", null), 200);
        HttpResponse<String> pem = call("GET", one + "/certificate", "/api/v1/orders/" + id + "/certificate", "demo-key", null);
        expect(pem, 200);
        assertThat(pem.body()).startsWith("-----BEGIN CERTIFICATE-----");
        expect(call("GET", one + "/certificate", "/api/v1/orders/" + id + "/certificate", "demo-key", null, "Accept", "application/pkcs7-mime"), 200);

        HttpResponse<String> list = call("GET", "/api/v1/certificates", "/api/v1/certificates?orderId=" + id, "demo-key", null);
        expect(list, 200);
        assertThat(json(list).get("items")).hasSize(1);
        String certId = json(list).get("items").get(0).get("id").asText();
        expect(call("GET", "/api/v1/certificates", "/api/v1/certificates?expiresBefore=2100-01-01&domain=conform&state=ACTIVE", "demo-key", null), 200);
        HttpResponse<String> csv = call("GET", "/api/v1/certificates", "/api/v1/certificates", "demo-key", null, "Accept", "text/csv");
        expect(csv, 200);
        assertThat(csv.body()).contains(domain);
        expect(call("GET", "/api/v1/certificates", "/api/v1/certificates?expiresBefore=soon", "demo-key", null), 422);
        String cert = "/api/v1/certificates/{id}";
        expect(call("GET", cert, "/api/v1/certificates/" + certId, "demo-key", null), 200);
        expect(call("GET", cert, "/api/v1/certificates/" + certId, "other-key", null), 404);

        expect(call("POST", one + "/resend-certificate", "/api/v1/orders/" + id + "/resend-certificate", "demo-key", null), 202, 409);
        HttpResponse<String> renewed = call("POST", one + "/renew", "/api/v1/orders/" + id + "/renew", "demo-key", "{\"handle\":\"save\"}");
        expect(renewed, 201);
        assertThat(json(renewed).get("renewalOf").asText()).isEqualTo(id);
        expect(call("POST", one + "/renew", "/api/v1/orders/" + id + "/renew", "demo-key", "{\"handle\":\"save\"}"), 200);
        String newCsr = TestCsrs.ec(domain);
        HttpResponse<String> reissued = call("POST", one + "/reissue", "/api/v1/orders/" + id + "/reissue", "demo-key",
            "{\"csr\":\"" + newCsr.replace("\n", "\\n") + "\",\"reason\":\"key rotation\"}");
        expect(reissued, 202);
        assertThat(json(reissued).get("reissue").get("state").asText()).isEqualTo("SENT");
        expect(call("POST", one + "/reissue", "/api/v1/orders/" + id + "/reissue", "demo-key", "{}"), 409, 422);

        String revoke = cert + "/revoke";
        expect(call("POST", revoke, "/api/v1/certificates/" + certId + "/revoke", "demo-key", "{}"), 422);
        expect(call("POST", revoke, "/api/v1/certificates/" + certId + "/revoke", "demo-key", "{"), 400);
        HttpResponse<String> revoked = call("POST", revoke, "/api/v1/certificates/" + certId + "/revoke", "demo-key", "{\"reason\":\"keyCompromise\"}");
        expect(revoked, 200);
        assertThat(json(revoked).get("state").asText()).isEqualTo("REVOKED");
        expect(call("POST", revoke, "/api/v1/certificates/" + certId + "/revoke", "demo-key", "{\"reason\":\"keyCompromise\"}"), 409);
        expect(call("POST", revoke, "/api/v1/certificates/no-such-certificate/revoke", "demo-key", "{\"reason\":\"superseded\"}"), 404);

        // the webhook heard order.completed and tried 127.0.0.1:9 (nothing listens): one failed try in its log
        String hooks = "/api/v1/webhooks/{id}";
        String deliveries = hooks + "/deliveries";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> json(hub.get("/api/v1/webhooks/" + hookId + "/deliveries", "demo-key")).get("totalElements").asLong() > 0);
        HttpResponse<String> log = call("GET", deliveries, "/api/v1/webhooks/" + hookId + "/deliveries?page=0&size=10", "demo-key", null);
        expect(log, 200);
        String eventId = json(log).get("items").get(0).get("eventId").asText();
        expect(call("GET", deliveries, "/api/v1/webhooks/" + hookId + "/deliveries?size=0", "demo-key", null), 422);
        String replay = hooks + "/events/{eventId}/replay";
        expect(call("POST", replay, "/api/v1/webhooks/" + hookId + "/events/" + eventId + "/replay", "demo-key", null), 202);
        expect(call("POST", replay, "/api/v1/webhooks/" + hookId + "/events/no-such-event/replay", "demo-key", null), 404);
        expect(plain("GET", "/api/v1/webhooks", "demo-key", null), 200);
        expect(call("GET", hooks, "/api/v1/webhooks/" + hookId, "demo-key", null), 200);
        expect(call("GET", hooks, "/api/v1/webhooks/" + hookId, "other-key", null), 404);
        expect(call("DELETE", hooks, "/api/v1/webhooks/" + hookId, "demo-key", null), 204);
        expect(call("DELETE", hooks, "/api/v1/webhooks/" + hookId, "demo-key", null), 404);
        expect(call("GET", deliveries, "/api/v1/webhooks/" + hookId + "/deliveries", "demo-key", null), 404);
    }

    @Test
    @Order(5)
    void acmeEabKeysAnswerAsDocumented() {
        String expires = java.time.Instant.now().plus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        HttpResponse<String> made = plain("POST", "/api/v1/acme/eab-keys", "demo-key",
            "{\"customer\":\"Shop Ltd\",\"products\":[\"quickssl_premium\"],\"expiresAt\":\"" + expires + "\"}");
        expect(made, 201);
        String kid = json(made).get("kid").asText();
        expect(plain("POST", "/api/v1/acme/eab-keys", "demo-key", "{\"customer\":\"Shop Ltd\",\"products\":[\"no-such-product\"]}"), 422);
        expect(plain("POST", "/api/v1/acme/eab-keys", "demo-key", "[]"), 400);
        expect(plain("GET", "/api/v1/acme/eab-keys", "demo-key", null), 200);
        String one = "/api/v1/acme/eab-keys/{kid}";
        expect(call("GET", one, "/api/v1/acme/eab-keys/" + kid, "demo-key", null), 200);
        expect(call("GET", one, "/api/v1/acme/eab-keys/" + kid, "other-key", null), 404);
        expect(call("DELETE", one, "/api/v1/acme/eab-keys/" + kid, "other-key", null), 404);
        expect(call("DELETE", one, "/api/v1/acme/eab-keys/" + kid, "demo-key", null), 204);
        expect(call("GET", one, "/api/v1/acme/eab-keys/" + kid, "demo-key", null), 200);
    }

    @Test
    @Order(5)
    void theAccountAndTheOperatorEndpointsAnswerAsDocumented() {
        expect(plain("GET", "/api/v1/account", "demo-key", null), 200);
        expect(call("GET", "/api/v1/account/ledger", "/api/v1/account/ledger?page=0&size=3", "demo-key", null), 200);
        expect(call("GET", "/api/v1/account/ledger", "/api/v1/account/ledger?size=0", "demo-key", null), 422);

        HttpResponse<String> opened = plain("POST", "/api/v1/accounts", "operator-key",
            "{\"id\":\"conform-acct\",\"currency\":\"USD\",\"openingBalance\":\"10.00\"}");
        expect(opened, 201);
        assertThat(json(opened).get("apiKey").asText()).isNotBlank();
        expect(plain("POST", "/api/v1/accounts", "operator-key", "{\"id\":\"conform-acct\",\"currency\":\"USD\"}"), 409);
        expect(plain("POST", "/api/v1/accounts", "operator-key", "{\"id\":\"Not An Id\",\"currency\":\"USD\"}"), 422);
        expect(plain("POST", "/api/v1/accounts", "operator-key", "{"), 400);
        String keys = "/api/v1/accounts/{id}/api-keys";
        expect(call("POST", keys, "/api/v1/accounts/conform-acct/api-keys", "operator-key", null), 201);
        expect(call("POST", keys, "/api/v1/accounts/no-such-account/api-keys", "operator-key", null), 404);
        HttpResponse<String> listed = call("GET", keys, "/api/v1/accounts/conform-acct/api-keys", "operator-key", null);
        expect(listed, 200);
        assertThat(json(listed).get("items")).hasSize(2);
        String keyId = json(listed).get("items").get(1).get("id").asText();
        expect(call("GET", keys, "/api/v1/accounts/no-such-account/api-keys", "operator-key", null), 404);
        String oneKey = keys + "/{keyId}";
        expect(call("DELETE", oneKey, "/api/v1/accounts/conform-acct/api-keys/" + keyId, "operator-key", null), 204);
        expect(call("DELETE", oneKey, "/api/v1/accounts/conform-acct/api-keys/no-such-key", "operator-key", null), 404);
        String deposits = "/api/v1/accounts/{id}/deposits";
        expect(call("POST", deposits, "/api/v1/accounts/conform-acct/deposits", "operator-key", "{\"amount\":\"5.00\",\"reference\":\"conformance\"}",
            "Idempotency-Key", "conform-deposit-1"), 201);
        expect(call("POST", deposits, "/api/v1/accounts/conform-acct/deposits", "operator-key", "{\"amount\":\"-1.00\"}"), 422);
        expect(call("POST", deposits, "/api/v1/accounts/no-such-account/deposits", "operator-key", "{\"amount\":\"1.00\"}"), 404);
        expect(call("POST", deposits, "/api/v1/accounts/conform-acct/deposits", "operator-key", "{"), 400);
        expect(plain("GET", "/api/v1/operator-keys", "operator-key", null), 200);
        expect(call("DELETE", "/api/v1/operator-keys/{keyId}", "/api/v1/operator-keys/no-such-key", "operator-key", null), 404);
        expect(call("GET", "/api/v1/vendor/possible-orphans", "/api/v1/vendor/possible-orphans?all=true", "operator-key", null), 200);
        expect(call("POST", "/api/v1/vendor/possible-orphans/{id}/reconcile", "/api/v1/vendor/possible-orphans/999999/reconcile", "operator-key",
            "{\"note\":\"none found\"}"), 404);
    }

    @Test
    @Order(6)
    void theIdempotencyKeyIsHonouredExactlyWhereDocumented() {
        String tooLong = "k".repeat(256);
        List<String> honoured = new ArrayList<>();
        OpenApiDocumentTest.operations(doc).forEach((key, op) -> {
            if (op.has("security")) {
                return;
            }
            boolean documented = op.path("parameters").toString().contains("#/components/parameters/IdempotencyKey");
            boolean operator = op.path("tags").toString().contains("\"operator\"");
            String method = key.substring(0, key.indexOf(' '));
            String template = key.substring(key.indexOf(' ') + 1);
            HttpResponse<String> r = call(method, template, template.replaceAll("\\{[^}]+}", "x"), operator ? "operator-key" : "demo-key",
                method.equals("GET") || method.equals("DELETE") ? null : "{}", "Idempotency-Key", tooLong);
            boolean refused = r.statusCode() == 422 && json(r).path("code").asText().equals("IDEMPOTENCY_KEY_INVALID");
            assertThat(refused).as(key + " → " + r.statusCode() + " " + r.body() + ": a key over 255 characters is refused exactly where"
                + " the document lists Idempotency-Key").isEqualTo(documented);
            if (refused) {
                assertThat(json(r).path("field").asText()).isEqualTo("Idempotency-Key");
                honoured.add(key);
            }
        });
        assertThat(honoured).hasSize(13);
    }

    @Test
    @Order(7)
    void theWrongKindOfKeyIs403OnEveryOperationThatNeedsAKey() {
        OpenApiDocumentTest.operations(doc).forEach((key, op) -> {
            if (op.has("security")) {
                return;
            }
            boolean operator = op.path("tags").toString().contains("\"operator\"");
            String method = key.substring(0, key.indexOf(' '));
            String template = key.substring(key.indexOf(' ') + 1);
            String path = template.replaceAll("\\{[^}]+}", "x");
            HttpResponse<String> r = call(method, template, path, operator ? "demo-key" : "operator-key",
                method.equals("GET") || method.equals("DELETE") ? null : "{}");
            assertThat(r.statusCode()).as(key + " " + r.body()).isEqualTo(403);
            assertThat(json(r).get("code").asText()).isEqualTo("FORBIDDEN");
        });
    }

    @Test
    @Order(8)
    void noKeyIs401OnEveryOperationThatNeedsOne() {
        // the last calls of the class: failed keys count towards this client address's throttle
        // (hub.api.auth-failure-burst), whose 429 TOO_MANY_AUTH_FAILURES every operation documents too
        OpenApiDocumentTest.operations(doc).forEach((key, op) -> {
            if (op.has("security")) {
                return;
            }
            String method = key.substring(0, key.indexOf(' '));
            String template = key.substring(key.indexOf(' ') + 1);
            HttpResponse<String> r = call(method, template, template.replaceAll("\\{[^}]+}", "x"), null, null);
            expect(r, 401, 429);
        });
    }

    @Test
    @Order(9)
    void everyDocumentedOperationWasCalled() {
        Set<String> missed = new TreeSet<>(OpenApiDocumentTest.operations(doc).keySet());
        missed.removeAll(called);
        if (!missed.isEmpty()) {
            fail("documented operations never called: " + missed);
        }
    }
}
