package io.certhub.certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.pki.Certificates;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate inventory across the wire (issue 13 §1): orders placed by REST are issued by
 * the sandbox vendor and completed (auto-approve), then {@code GET /api/v1/certificates},
 * {@code /certificates/{id}} and the CSV export are read over HTTP and compared with what
 * {@code openssl} (when installed) and JCA read from the PEM that {@code GET
 * /orders/{id}/certificate} returns. {@link CertificateInventoryPostgresTest} runs the same on
 * PostgreSQL.
 */
class CertificateInventoryTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;
    /** Order ids of the demo account in the order they completed, and the other account's one. */
    static final List<String> demoOrders = new ArrayList<>();
    static String otherOrder;

    @BeforeAll
    static void start() {
        demoOrders.clear();         // statics are shared with the PostgreSQL subclass's run
        hub = RunningHub.start(dataDir, "--hub.vendor.poll-cron=* * * * * ?", "--hub.vendor.poll-base=200ms", "--hub.vendor.poll-max=1s",
            "--hub.sandbox.approval-delay=200ms", "--hub.sandbox.vetting-delay=1h");
        // one after the other, so their receivedAt order is known: A (EC, two names), B (RSA), C (SSL Lite, issued at once)
        demoOrders.add(complete("demo-key", place("demo-key", "INV-A", "quickssl_premium", "inv-a.example.com", "www.inv-a.example.com", true)));
        demoOrders.add(complete("demo-key", place("demo-key", "INV-B", "quickssl_premium", "shop-b.example.net", null, false)));
        demoOrders.add(complete("demo-key", place("demo-key", "INV-C", "symantec_ssl_lite", "lite-c.example.org", null, true)));
        otherOrder = complete("other-key", place("other-key", "OTHER-1", "symantec_ssl_lite", "other.example.org", null, true));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    static String place(String key, String ref, String product, String domain, String extra, boolean ec) {
        String[] names = extra == null ? new String[] {domain} : new String[] {domain, extra};
        ObjectNode doc = OrderJson.order(ref, product, "process", domain, ec ? TestCsrs.ec(names) : TestCsrs.rsa(names));
        if (extra != null) {
            doc.putArray("additionalDomains").add(extra);
        }
        doc.put("approverEmail", "admin@" + domain);
        HttpResponse<String> r = hub.post("/api/v1/orders", key, doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return OrderJson.parse(r.body()).get("id").asText();
    }

    static String complete(String key, String id) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
            .until(() -> "COMPLETED".equals(OrderJson.parse(hub.get("/api/v1/orders/" + id, key).body()).get("state").asText()));
        return id;
    }

    static JsonNode json(String path, String key) {
        HttpResponse<String> r = hub.get(path, key);
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
        return OrderJson.parse(r.body());
    }

    static JsonNode itemOf(String orderId, String key) {
        JsonNode page = json("/api/v1/certificates?orderId=" + orderId, key);
        assertThat(page.get("totalElements").asLong()).isEqualTo(1);
        return page.get("items").get(0);
    }

    @Test
    void theFactsAreWhatOpensslAndJcaReadFromThePemTheOrderApiReturns() throws Exception {
        String orderId = demoOrders.get(0);
        HttpResponse<String> pem = hub.get("/api/v1/orders/" + orderId + "/certificate", "demo-key");
        assertThat(pem.statusCode()).isEqualTo(200);
        List<X509Certificate> chain = Certificates.parsePem(pem.body());
        X509Certificate leaf = chain.get(0);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));

        JsonNode item = itemOf(orderId, "demo-key");
        assertThat(item.get("orderId").asText()).isEqualTo(orderId);
        assertThat(item.get("clientReference").asText()).isEqualTo("INV-A");
        assertThat(item.get("domain").asText()).isEqualTo("inv-a.example.com");
        assertThat(new BigInteger(item.get("serialNumber").asText(), 16)).isEqualTo(leaf.getSerialNumber());
        assertThat(item.get("sha256").asText()).isEqualTo(sha256);
        assertThat(item.get("subject").asText()).isEqualTo("CN=inv-a.example.com");
        assertThat(item.get("issuer").asText()).isEqualTo(leaf.getIssuerX500Principal().getName("RFC2253")).contains("CN=Certhub Sandbox DV CA");
        assertThat(item.get("sans")).extracting(JsonNode::asText).containsExactly("inv-a.example.com", "www.inv-a.example.com");
        assertThat(item.get("keyType").asText()).isEqualTo("EC");
        assertThat(item.get("keySize").asInt()).isEqualTo(256);
        assertThat(Instant.parse(item.get("notBefore").asText())).isEqualTo(leaf.getNotBefore().toInstant());
        assertThat(Instant.parse(item.get("notAfter").asText())).isEqualTo(leaf.getNotAfter().toInstant());
        assertThat(item.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(item.get("source").asText()).isIn("mailbox", "vendor-api");
        assertThat(Instant.parse(item.get("receivedAt").asText())).isBefore(Instant.now().plusSeconds(1));

        Map<String, String> openssl = openssl(pem.body());
        if (openssl != null) {           // the serial as openssl prints it (whole bytes, no sign byte), lower-cased
            assertThat(item.get("serialNumber").asText()).isEqualTo(openssl.get("serial").toLowerCase(Locale.ROOT));
            assertThat(item.get("sha256").asText()).isEqualTo(openssl.get("sha256 Fingerprint").replace(":", "").toLowerCase(Locale.ROOT));
        }

        // the detail adds the leaf and the intermediates, the same PEM the order API serves
        JsonNode detail = json("/api/v1/certificates/" + item.get("id").asText(), "demo-key");
        assertThat(detail.get("id").asText()).isEqualTo(item.get("id").asText());
        assertThat(detail.get("sha256").asText()).isEqualTo(sha256);
        assertThat(detail.get("pem").asText() + detail.get("chainPem").asText()).isEqualTo(pem.body());
        assertThat(Certificates.parsePem(detail.get("pem").asText())).containsExactly(leaf);
        assertThat(Certificates.parsePem(detail.get("chainPem").asText())).isEqualTo(chain.subList(1, chain.size()));

        // and the row: its own id, the order's account, the facts
        Map<String, Object> row = hub.jdbc().queryForMap("select id, account_id, serial_hex, key_type, state from certificate where order_id = ?", orderId);
        assertThat(row.get("id")).isEqualTo(item.get("id").asText());
        assertThat(row.get("account_id")).isEqualTo("demo");
        assertThat(row.get("state")).isEqualTo("ACTIVE");

        // an RSA order's key
        JsonNode rsa = itemOf(demoOrders.get(1), "demo-key");
        assertThat(rsa.get("keyType").asText()).isEqualTo("RSA");
        assertThat(rsa.get("keySize").asInt()).isEqualTo(2048);
        assertThat(rsa.get("sans")).extracting(JsonNode::asText).containsExactly("shop-b.example.net");
    }

    @Test
    void filtersByDomainStateAndExpiry() {
        // domain: any part of a SAN or the CN, case-insensitive
        assertThat(ids("/api/v1/certificates?domain=INV-A")).containsExactly(demoOrders.get(0));
        assertThat(ids("/api/v1/certificates?domain=www.inv-a.example")).containsExactly(demoOrders.get(0));
        assertThat(ids("/api/v1/certificates?domain=example.")).containsExactly(demoOrders.get(2), demoOrders.get(1), demoOrders.get(0));
        assertThat(ids("/api/v1/certificates?domain=.example.net")).containsExactly(demoOrders.get(1));
        assertThat(ids("/api/v1/certificates?domain=other.example.org")).isEmpty();           // another account's
        assertThat(ids("/api/v1/certificates?domain=%25")).isEmpty();                          // % is a character, not a wildcard
        // state
        assertThat(ids("/api/v1/certificates?state=ACTIVE")).hasSize(3);
        assertThat(ids("/api/v1/certificates?state=active")).hasSize(3);
        assertThat(ids("/api/v1/certificates?state=EXPIRED")).isEmpty();
        assertThat(ids("/api/v1/certificates?state=REVOKED")).isEmpty();
        assertThat(ids("/api/v1/certificates?state=SUPERSEDED")).isEmpty();
        // expiresBefore: notAfter strictly before the instant, or before the start (UTC) of a date
        Instant notAfterA = Instant.parse(itemOf(demoOrders.get(0), "demo-key").get("notAfter").asText());
        Instant notAfterB = Instant.parse(itemOf(demoOrders.get(1), "demo-key").get("notAfter").asText());
        assertThat(notAfterB).isAfter(notAfterA);
        assertThat(ids("/api/v1/certificates?expiresBefore=" + notAfterA)).isEmpty();
        assertThat(ids("/api/v1/certificates?expiresBefore=" + notAfterA.plusMillis(1))).containsExactly(demoOrders.get(0));
        assertThat(ids("/api/v1/certificates?expiresBefore=2100-01-01")).hasSize(3);
        assertThat(ids("/api/v1/certificates?expiresBefore=" + Instant.now().plus(Duration.ofDays(30)))).isEmpty();   // issued for more than 30 days
        assertThat(ids("/api/v1/certificates?expiresBefore=2100-01-01T00:00:00%2B02:00&state=ACTIVE&domain=lite")).containsExactly(demoOrders.get(2));
    }

    @Test
    void pagesNewestFirst() {
        JsonNode first = json("/api/v1/certificates?size=2", "demo-key");
        assertThat(first.get("page").asInt()).isZero();
        assertThat(first.get("size").asInt()).isEqualTo(2);
        assertThat(first.get("totalElements").asLong()).isEqualTo(3);
        assertThat(first.get("items")).extracting(i -> i.get("orderId").asText()).containsExactly(demoOrders.get(2), demoOrders.get(1));
        JsonNode second = json("/api/v1/certificates?size=2&page=1", "demo-key");
        assertThat(second.get("items")).extracting(i -> i.get("orderId").asText()).containsExactly(demoOrders.get(0));
        assertThat(second.get("totalElements").asLong()).isEqualTo(3);
        assertThat(json("/api/v1/certificates?size=2&page=2", "demo-key").get("items")).isEmpty();
        assertThat(json("/api/v1/certificates", "demo-key").get("size").asInt()).isEqualTo(20);
    }

    @Test
    void badParametersAre422NamingTheField() {
        problem("/api/v1/certificates?expiresBefore=tomorrow", 422, "FIELD_INVALID", "expiresBefore");
        problem("/api/v1/certificates?expiresBefore=2027-13-01", 422, "FIELD_INVALID", "expiresBefore");
        problem("/api/v1/certificates?state=VALID", 422, "FIELD_INVALID", "state");
        problem("/api/v1/certificates?size=0", 422, "FIELD_INVALID", "size");
        problem("/api/v1/certificates?size=201", 422, "FIELD_INVALID", "size");
        problem("/api/v1/certificates?page=-1", 422, "FIELD_INVALID", "page");
        problem("/api/v1/certificates?domain=" + "a".repeat(254), 422, "FIELD_TOO_LONG", "domain");
        problem("/api/v1/certificates?domain=a%00b", 422, "FIELD_INVALID_CHARACTERS", "domain");
        assertThat(hub.get("/api/v1/certificates", null).statusCode()).isEqualTo(401);
    }

    @Test
    void anotherAccountsCertificateIsNotFoundAndExpiryIsDerived() {
        JsonNode mine = itemOf(otherOrder, "other-key");
        assertThat(json("/api/v1/certificates", "other-key").get("totalElements").asLong()).isEqualTo(1);
        // demo cannot see other's certificate, nor other demo's
        problem("/api/v1/certificates/" + mine.get("id").asText(), 404, "CERTIFICATE_NOT_FOUND", null);
        String demoCert = itemOf(demoOrders.get(0), "demo-key").get("id").asText();
        HttpResponse<String> r = hub.get("/api/v1/certificates/" + demoCert, "other-key");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(OrderJson.parse(r.body()).get("code").asText()).isEqualTo("CERTIFICATE_NOT_FOUND");
        problem("/api/v1/certificates/00000000-0000-0000-0000-000000000000", 404, "CERTIFICATE_NOT_FOUND", null);
        assertThat(json("/api/v1/certificates?orderId=" + demoOrders.get(0), "other-key").get("totalElements").asLong()).isZero();

        // EXPIRED is derived on read: a stored ACTIVE whose notAfter has passed (moved back in the row here)
        hub.jdbc().update("update certificate set not_after = ? where id = ?", java.sql.Timestamp.from(Instant.now().minusSeconds(60)),
            mine.get("id").asText());
        JsonNode expired = json("/api/v1/certificates/" + mine.get("id").asText(), "other-key");
        assertThat(expired.get("state").asText()).isEqualTo("EXPIRED");
        assertThat(json("/api/v1/certificates?state=EXPIRED", "other-key").get("totalElements").asLong()).isEqualTo(1);
        assertThat(json("/api/v1/certificates?state=ACTIVE", "other-key").get("totalElements").asLong()).isZero();
        assertThat(hub.jdbc().queryForObject("select state from certificate where id = ?", String.class, mine.get("id").asText())).isEqualTo("ACTIVE");
    }

    @Test
    void csvExportHasAHeaderAndEveryMatchingRow() throws IOException {
        HttpResponse<String> r = hub.call("GET", "/api/v1/certificates?size=1", "demo-key", null, "Accept", "text/csv");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(r.headers().firstValue("Content-Disposition").orElse("")).contains("certificates.csv");
        assertThat(r.body()).startsWith("id,orderId,clientReference,domain,serialNumber,issuer,subject,sans,keyType,keySize,notBefore,notAfter,sha256,state,source,receivedAt,revokedAt,revocationReason\r\n");
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(r.body())).getRecords();
        assertThat(rows).hasSize(3);                                   // every page, not the size=1 page
        JsonNode items = json("/api/v1/certificates", "demo-key").get("items");
        for (int i = 0; i < 3; i++) {
            JsonNode item = items.get(i);
            CSVRecord row = rows.get(i);
            assertThat(row.get("id")).isEqualTo(item.get("id").asText());
            assertThat(row.get("orderId")).isEqualTo(demoOrders.get(2 - i));
            assertThat(row.get("serialNumber")).isEqualTo(item.get("serialNumber").asText());
            assertThat(row.get("sha256")).isEqualTo(item.get("sha256").asText());
            assertThat(row.get("issuer")).isEqualTo(item.get("issuer").asText());         // commas inside, quoted
            assertThat(row.get("notAfter")).isEqualTo(item.get("notAfter").asText());
            assertThat(row.get("keySize")).isEqualTo(item.get("keySize").asText());
            assertThat(row.get("state")).isEqualTo("ACTIVE");
            assertThat(row.get("revokedAt")).isEmpty();
            assertThat(row.get("revocationReason")).isEmpty();
        }
        assertThat(rows.get(2).get("sans")).isEqualTo("inv-a.example.com www.inv-a.example.com");

        HttpResponse<String> filtered = hub.call("GET", "/api/v1/certificates?domain=shop-b", "demo-key", null, "Accept", "text/csv");
        List<CSVRecord> one = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(filtered.body())).getRecords();
        assertThat(one).hasSize(1);
        assertThat(one.get(0).get("clientReference")).isEqualTo("INV-B");
        assertThat(one.get(0).get("keyType")).isEqualTo("RSA");
        // bad parameters are refused as JSON problems before any CSV is written
        HttpResponse<String> bad = hub.call("GET", "/api/v1/certificates?state=NOPE", "demo-key", null, "Accept", "text/csv");
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(bad.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/problem+json");
    }

    @Test
    void aLeafAlreadyInTheInventoryDoesNotCompleteASecondOrder() {
        // an OV order (vetting takes an hour here) for INV-A's names on the same key, so INV-A's chain passes every check for it
        String dup = place("demo-key", "INV-DUP", "sslwebserver", "inv-a.example.com", "www.inv-a.example.com", true);
        List<X509Certificate> chainOfA = Certificates.parsePem(hub.get("/api/v1/orders/" + demoOrders.get(0) + "/certificate", "demo-key").body());
        String sha256 = itemOf(demoOrders.get(0), "demo-key").get("sha256").asText();

        io.certhub.order.OrderCompletion.Result r = hub.context().getBean(io.certhub.order.OrderCompletion.class).complete(dup, chainOfA, "mailbox");

        assertThat(r.code()).isEqualTo("CERTIFICATE_OF_ANOTHER_ORDER");
        assertThat(r.accepted()).isFalse();
        assertThat(r.completed()).isFalse();
        JsonNode order = json("/api/v1/orders/" + dup, "demo-key");
        assertThat(order.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(order.get("hold").get("state").asText()).isEqualTo("HELD");
        assertThat(hub.count("select count(*) from certificate where order_id = ?", dup)).isZero();
        assertThat(hub.count("select count(*) from certificate where leaf_sha256 = ?", sha256)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", dup)).isZero();
        HttpResponse<String> cancel = hub.post("/api/v1/orders/" + dup + "/cancel", "demo-key", null);
        assertThat(cancel.statusCode()).as(cancel.body()).isIn(200, 202);
    }

    @Test
    void theOpenApiDocumentListsTheCertificatePaths() {
        JsonNode doc = OrderJson.parse(hub.get("/api/v1/openapi.json", null).body());
        assertThat(doc.get("paths").has("/api/v1/certificates") || doc.get("paths").has("/certificates")).isTrue();
        assertThat(doc.get("paths").has("/api/v1/certificates/{id}") || doc.get("paths").has("/certificates/{id}")).isTrue();
    }

    static List<String> ids(String path) {
        List<String> out = new ArrayList<>();
        json(path, "demo-key").get("items").forEach(i -> out.add(i.get("orderId").asText()));
        return out;
    }

    static void problem(String path, int status, String code, String field) {
        HttpResponse<String> r = hub.get(path, "demo-key");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/problem+json");
        JsonNode p = OrderJson.parse(r.body());
        assertThat(p.get("code").asText()).isEqualTo(code);
        if (field == null) {
            assertThat(p.get("field").isNull()).isTrue();
        } else {
            assertThat(p.get("field").asText()).isEqualTo(field);
        }
    }

    /** @return openssl's {@code serial} and {@code sha256 Fingerprint} of the first certificate, or null without openssl */
    static Map<String, String> openssl(String pem) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            return null;
        }
        Process p = new ProcessBuilder("/usr/bin/openssl", "x509", "-noout", "-serial", "-fingerprint", "-sha256").redirectErrorStream(true).start();
        p.getOutputStream().write(pem.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Map<String, String> m = new java.util.HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        assertThat(m).as(out).containsKeys("serial", "sha256 Fingerprint");
        return m;
    }
}
