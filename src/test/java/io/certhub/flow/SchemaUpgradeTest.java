package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.csr.CsrParser;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Upgrade from the previous release's schema (issue 12, section 1): a database is made with
 * Flyway's {@code target = 6} from the migrations as they were released (V1–V6; V3 and V6, the
 * sandbox's, now live in {@code db/migration/sandbox} with the same bytes, so their checksums
 * still validate), rows are written into it as that release wrote them (an account with a key
 * and a deposit, a saved order with its history), and then this release's hub starts on it: it
 * migrates, and the old rows work through the REST API, the vendor and the mailbox. H2 here;
 * {@link SchemaUpgradePostgresTest} runs the same on PostgreSQL.
 */
class SchemaUpgradeTest {

    static final String KEY = "legacy-key";

    @TempDir
    Path dataDir;

    @Test
    void aDatabaseOfThePreviousReleaseMigratesAndItsOrderCompletes() {
        try (RunningHub hub = RunningHub.prepare(dataDir)) {
            String[] ds = hub.datasource();
            Flyway.configure().dataSource(ds[0], ds[1], ds[2])
                .locations("classpath:db/migration/common", "classpath:db/migration/sandbox").target("6").load().migrate();
            JdbcTemplate old = new JdbcTemplate(new DriverManagerDataSource(ds[0], ds[1], ds[2]));
            assertThat(old.queryForList("select version from flyway_schema_history where version is not null order by installed_rank", String.class))
                .containsExactly("1", "2", "3", "4", "5", "6");
            String orderId = writeRowsAsThePreviousReleaseDid(old);

            hub.start("--hub.vendor.poll-cron=* * * * * ?", "--hub.vendor.poll-base=200ms", "--hub.vendor.poll-max=1s");

            // every migration applied, none failed; the old rows are still there
            assertThat(hub.count("select count(*) from flyway_schema_history where success = false")).isZero();
            assertThat(hub.count("select count(*) from flyway_schema_history where version is not null"))
                .isEqualTo(hub.count("select count(*) from flyway_schema_history where success = true and version is not null"));
            JsonNode account = OrderJson.parse(hub.get("/api/v1/account", KEY).body());
            assertThat(account.get("id").asText()).isEqualTo("legacy");
            assertThat(account.get("balance").asText()).isEqualTo("500.00");
            assertThat(account.get("available").asText()).isEqualTo("500.00");
            JsonNode saved = OrderJson.parse(hub.get("/api/v1/orders/" + orderId, KEY).body());
            assertThat(saved.get("state").asText()).isEqualTo("PENDING");
            assertThat(saved.get("clientReference").asText()).isEqualTo("LEGACY-1");

            // the old saved order is submitted, placed at the sandbox vendor, issued, read from the mailbox
            HttpResponse<String> submit = hub.post("/api/v1/orders/" + orderId + "/submit", KEY, null);
            assertThat(submit.statusCode()).as(submit.body()).isEqualTo(200);
            JsonNode submitted = OrderJson.parse(submit.body());
            assertThat(submitted.get("state").asText()).isEqualTo("IN_PROGRESS");
            assertThat(submitted.get("hold").get("amount").asText()).isEqualTo("49.00");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> "COMPLETED".equals(OrderJson.parse(hub.get("/api/v1/orders/" + orderId, KEY).body()).get("state").asText()));
            JsonNode done = OrderJson.parse(hub.get("/api/v1/orders/" + orderId, KEY).body());
            assertThat(done.get("hold").get("state").asText()).isEqualTo("CAPTURED");
            assertThat(done.get("vendorOrderId").asText()).matches("\\d{7,}");
            assertThat(OrderJson.parse(hub.get("/api/v1/account", KEY).body()).get("balance").asText()).isEqualTo("451.00");
            assertThat(hub.count("select count(*) from journal where account_id = 'legacy'")).isEqualTo(3);   // DEPOSIT, HOLD, CAPTURE
            assertThat(hub.count("select count(*) from order_history where order_id = ?", orderId)).isGreaterThanOrEqualTo(3);

            // and a new order by REST on the upgraded database
            ObjectNode doc = OrderJson.order("LEGACY-2", "quickssl_premium", "save", "new.legacy.example.com", TestCsrs.ec("new.legacy.example.com"));
            HttpResponse<String> created = hub.post("/api/v1/orders", KEY, doc.toString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(hub.count("select count(*) from orders where account_id = 'legacy'")).isEqualTo(2);
        }
    }

    /** Writes with the V1–V6 columns only, as the previous release did. @return the saved order's id */
    static String writeRowsAsThePreviousReleaseDid(JdbcTemplate db) {
        Timestamp at = Timestamp.from(Instant.parse("2026-11-20T10:00:00Z"));
        db.update("insert into account(id, currency, balance_minor, held_minor, created_at) values ('legacy', 'USD', 50000, 0, ?)", at);
        db.update("insert into api_key(key_hash, account_id, role, created_at) values (?, 'legacy', 'RESELLER', ?)",
            com.google.common.hash.Hashing.sha256().hashString(KEY, StandardCharsets.UTF_8).toString(), at);
        db.update("insert into journal(account_id, entry_type, amount_minor, currency, reference, at) values ('legacy', 'DEPOSIT', 50000, 'USD', 'opening', ?)", at);
        String domain = "legacy.example.com";
        String csr = new CsrParser().parse(TestCsrs.ec(domain)).canonicalPem();
        String keySha = new CsrParser().parse(csr).publicKeySha256();
        String contacts = OrderJson.order("x", "quickssl_premium", "save", domain, csr).get("contacts").toString();
        String id = "0b7f4c1e-6a51-4c3e-9d0e-5f1a2b3c4d5e";
        db.update("""
            insert into orders(id, account_id, client_reference, content_hash, product_type, state, domain, additional_domains, period,
              server_type, approver_email, dcv_method, csr, csr_key_sha256, contacts, price_minor, currency, submissions, created_at, updated_at)
            values (?, 'legacy', 'LEGACY-1', ?, 'quickssl_premium', 'PENDING', ?, '', 1, 'nginx', ?, 'email', ?, ?, ?, 4900, 'USD', 0, ?, ?)""",
            id, "a".repeat(64), domain, "admin@" + domain, csr, keySha, contacts, at, at);
        db.update("insert into order_history(order_id, at, from_state, to_state, actor, reason) values (?, ?, null, 'PENDING', 'account:legacy', 'order saved')",
            id, at);
        List<String> tables = db.queryForList("select table_name from information_schema.tables where table_name = 'sandbox_order'", String.class);
        assertThat(tables).containsExactly("sandbox_order");   // the previous release made the sandbox's tables everywhere
        return id;
    }
}
