package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.csr.CsrParser;
import io.certhub.pki.Certificates;
import io.certhub.pki.TestPki;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Upgrade to the certificate inventory (issue 13 §1, Flyway V16, a Java migration): a database
 * made with the migrations up to V15 holds certificates as the previous release stored them (one
 * row per order: {@code order_id} primary key, PEMs, fingerprint, notAfter, source); the hub
 * starts on it, V16 fills in each row's id, account and facts from its {@code leaf_pem}, and the
 * inventory API lists them with the values openssl reads from those certificates. Then the new
 * schema holds a second certificate for an order and refuses a second row of the same leaf.
 * H2 here; {@link CertificateInventoryUpgradePostgresTest} runs the same on PostgreSQL.
 */
class CertificateInventoryUpgradeTest {

    @TempDir
    Path dataDir;

    @Test
    void certificatesStoredBeforeV16GetTheirFactsAndAreListed() throws IOException {
        try (RunningHub hub = RunningHub.prepare(dataDir)) {
            String[] ds = hub.datasource();
            Flyway.configure().dataSource(ds[0], ds[1], ds[2])
                .locations("classpath:db/migration/common", "classpath:db/migration/sandbox").target("15").load().migrate();
            JdbcTemplate old = new JdbcTemplate(new DriverManagerDataSource(ds[0], ds[1], ds[2]));
            Timestamp t0 = Timestamp.from(Instant.parse("2026-11-20T10:00:00Z"));
            old.update("insert into account(id, currency, balance_minor, held_minor, created_at) values ('legacy', 'USD', 50000, 0, ?)", t0);
            String hash = com.google.common.hash.Hashing.sha256().hashString(SchemaUpgradeTest.KEY, java.nio.charset.StandardCharsets.UTF_8).toString();
            old.update("insert into api_key(id, key_hash, key_prefix, account_id, role, created_at) values (?, ?, 'lega', 'legacy', 'RESELLER', ?)",
                "k_" + hash.substring(0, 16), hash, t0);
            // the shared cases' issued leaf (RSA 2048, shop.example.com) and an EC leaf that expired on 2026-12-01
            X509Certificate shop = zipLeaf();
            TestPki.Pki pki = TestPki.create("old.legacy.example.com", "www.old.legacy.example.com");
            String shopOrder = completedOrder(old, "1b7f4c1e-6a51-4c3e-9d0e-5f1a2b3c4d5e", "LEGACY-SHOP", "shop.example.com");
            String ecOrder = completedOrder(old, "2b7f4c1e-6a51-4c3e-9d0e-5f1a2b3c4d5e", "LEGACY-EC", "old.legacy.example.com");
            storeAsV2(old, shopOrder, shop, List.of(TestPki.caseCert("trust/test-dv-intermediate.crt")), "mailbox", "2026-11-21T10:00:00Z");
            storeAsV2(old, ecOrder, pki.leaf(), List.of(pki.intermediate()), "vendor-api", "2026-11-22T10:00:00Z");

            hub.start("--hub.vendor.poll-cron=0 0 0 1 1 ? 2099");

            assertThat(hub.count("select count(*) from flyway_schema_history where version = '16' and success = true")).isEqualTo(1);
            JsonNode page = OrderJson.parse(hub.get("/api/v1/certificates", SchemaUpgradeTest.KEY).body());
            assertThat(page.get("totalElements").asLong()).isEqualTo(2);
            JsonNode ec = page.get("items").get(0);                            // newest received first
            JsonNode rsa = page.get("items").get(1);
            // values as `openssl x509 -noout -serial -subject -issuer -dates -fingerprint -sha256 -nameopt RFC2253` prints them
            assertThat(rsa.get("orderId").asText()).isEqualTo(shopOrder);
            assertThat(rsa.get("clientReference").asText()).isEqualTo("LEGACY-SHOP");
            assertThat(rsa.get("serialNumber").asText()).isEqualTo("370493ab3521dcc5");
            assertThat(rsa.get("sha256").asText()).isEqualTo("b7ee6a213a3a018428f8f867d12686e26d21447bb1f206314e9ee6425949069b");
            assertThat(rsa.get("subject").asText()).isEqualTo("CN=shop.example.com");
            assertThat(rsa.get("issuer").asText()).isEqualTo("CN=Example Test DV Issuing CA R2,O=Example Trust Services (TEST),C=US");
            assertThat(rsa.get("sans")).extracting(JsonNode::asText).containsExactly("shop.example.com", "www.shop.example.com");
            assertThat(rsa.get("keyType").asText()).isEqualTo("RSA");
            assertThat(rsa.get("keySize").asInt()).isEqualTo(2048);
            assertThat(rsa.get("notBefore").asText()).isEqualTo("2026-11-01T00:00:00Z");
            assertThat(rsa.get("notAfter").asText()).isEqualTo("2027-12-03T00:00:00Z");
            assertThat(rsa.get("state").asText()).isEqualTo("ACTIVE");
            assertThat(rsa.get("source").asText()).isEqualTo("mailbox");
            assertThat(rsa.get("receivedAt").asText()).isEqualTo("2026-11-21T10:00:00Z");
            assertThat(ec.get("orderId").asText()).isEqualTo(ecOrder);
            assertThat(ec.get("keyType").asText()).isEqualTo("EC");
            assertThat(ec.get("keySize").asInt()).isEqualTo(256);
            assertThat(ec.get("sans")).extracting(JsonNode::asText).containsExactly("old.legacy.example.com", "www.old.legacy.example.com");
            assertThat(ec.get("state").asText()).isEqualTo("EXPIRED");          // notAfter 2026-12-01, stored ACTIVE
            assertThat(ec.get("notAfter").asText()).isEqualTo("2026-12-01T00:00:00Z");
            assertThat(OrderJson.parse(hub.get("/api/v1/certificates?state=EXPIRED", SchemaUpgradeTest.KEY).body()).get("totalElements").asLong())
                .isEqualTo(1);
            JsonNode detail = OrderJson.parse(hub.get("/api/v1/certificates/" + rsa.get("id").asText(), SchemaUpgradeTest.KEY).body());
            assertThat(Certificates.parsePem(detail.get("pem").asText())).containsExactly(shop);
            // the order API still serves the old row
            HttpResponse<String> pem = hub.get("/api/v1/orders/" + shopOrder + "/certificate", SchemaUpgradeTest.KEY);
            assertThat(pem.statusCode()).isEqualTo(200);
            assertThat(Certificates.parsePem(pem.body()).get(0)).isEqualTo(shop);

            // the new schema: a second certificate of the same order (a reissue) fits; the same leaf twice does not
            JdbcTemplate db = hub.jdbc();
            X509Certificate reissue = pki.issueLeaf(pki.leafKey(), TestPki.LEAF_FROM, Instant.parse("2027-06-01T00:00:00Z"), "old.legacy.example.com");
            insertV16(db, "3b7f4c1e-0000-4c3e-9d0e-5f1a2b3c4d5e", ecOrder, reissue);
            assertThat(hub.count("select count(*) from certificate where order_id = ?", ecOrder)).isEqualTo(2);
            assertThat(OrderJson.parse(hub.get("/api/v1/certificates?orderId=" + ecOrder, SchemaUpgradeTest.KEY).body()).get("totalElements").asLong())
                .isEqualTo(2);
            assertThatThrownBy(() -> insertV16(db, "4b7f4c1e-0000-4c3e-9d0e-5f1a2b3c4d5e", shopOrder, reissue))
                .isInstanceOf(DataIntegrityViolationException.class);
            assertThatThrownBy(() -> db.update("update certificate set serial_hex = null where order_id = ?", shopOrder))
                .isInstanceOf(DataIntegrityViolationException.class);
        }
    }

    /** A COMPLETED order with the V1 columns. @return its id */
    static String completedOrder(JdbcTemplate db, String id, String ref, String domain) {
        Timestamp at = Timestamp.from(Instant.parse("2026-11-20T10:00:00Z"));
        String csr = new CsrParser().parse(TestCsrs.ec(domain)).canonicalPem();
        String keySha = new CsrParser().parse(csr).publicKeySha256();
        String contacts = OrderJson.order("x", "quickssl_premium", "save", domain, csr).get("contacts").toString();
        db.update("""
            insert into orders(id, account_id, client_reference, content_hash, product_type, state, domain, additional_domains, period,
              server_type, approver_email, dcv_method, csr, csr_key_sha256, contacts, price_minor, currency, submissions, created_at, updated_at)
            values (?, 'legacy', ?, ?, 'quickssl_premium', 'COMPLETED', ?, '', 1, 'nginx', ?, 'email', ?, ?, ?, 4900, 'USD', 1, ?, ?)""",
            id, ref, "b".repeat(64), domain, "admin@" + domain, csr, keySha, contacts, at, at);
        return id;
    }

    /** Stores a certificate with the V2 columns, as OrderCompletion did before V16. */
    static void storeAsV2(JdbcTemplate db, String orderId, X509Certificate leaf, List<X509Certificate> chain, String source, String at) {
        db.update("insert into certificate(order_id, leaf_pem, chain_pem, leaf_sha256, not_after, source, received_at) values (?, ?, ?, ?, ?, ?, ?)",
            orderId, Certificates.toPem(List.of(leaf)), Certificates.toPem(chain), io.certhub.pki.CertificateFacts.of(leaf).sha256(),
            Timestamp.from(leaf.getNotAfter().toInstant()), source, Timestamp.from(Instant.parse(at)));
    }

    static void insertV16(JdbcTemplate db, String id, String orderId, X509Certificate leaf) {
        var f = io.certhub.pki.CertificateFacts.of(leaf);
        db.update("insert into certificate(id, order_id, account_id, leaf_pem, chain_pem, leaf_sha256, serial_hex, issuer_dn, subject_dn, common_name,"
                + " sans, key_type, key_size, not_before, not_after, state, source, received_at) values (?, ?, 'legacy', ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', 'vendor-api', ?)",
            id, orderId, Certificates.toPem(List.of(leaf)), f.sha256(), f.serialHex(), f.issuerDn(), f.subjectDn(), f.commonName(), f.sansColumn(),
            f.keyType(), f.keySize(), Timestamp.from(f.notBefore()), Timestamp.from(f.notAfter()), Timestamp.from(Instant.now()));
    }

    static X509Certificate zipLeaf() throws IOException {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(TestPki.caseBytes("zip-bundle-email/shop_example_com.zip")))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("shop_example_com.crt")) {
                    return Certificates.parseAny(zip.readAllBytes()).get(0);
                }
            }
        }
        throw new IllegalStateException("shop_example_com.crt not in the bundle");
    }
}
