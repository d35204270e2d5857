package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inbox input (issue 16, items 1, 4 and 8), dropped into the real inbox folder of a
 * running hub: links, FIFOs, a linked account folder, a hard link, a 100 KB field, multi-MB
 * CSVs, a file that fails on every try, and the same bytes in two accounts. Each test asserts
 * the report, where the entry ended, and the rows of orders, holds and intake_file. The last test
 * starts a hub of its own and breaks its database to see {@code /actuator/health} go DOWN.
 */
class HostileInboxTest {

    static final String CSV_HEADER = "clientReference,productType,handle,period,domain,additionalDomains,csr,serverType,approverEmail,"
        + "contacts.admin.firstName,contacts.admin.lastName,contacts.admin.email,contacts.admin.phone\r\n";

    @TempDir
    static Path dataDir;
    @TempDir
    static Path outside;
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false", "--hub.intake.max-attempts=3");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    static JsonNode awaitReport(String account, String folder, String name) {
        Path report = hub.inbox(account).resolve(folder).resolve(name + ".result.json");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(report));
        try {
            return OrderJson.parse(Files.readString(report));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void awaitGone(Path entry) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> !Files.exists(entry, LinkOption.NOFOLLOW_LINKS));
    }

    static void drop(String account, String name, byte[] content) throws IOException {
        Path inbox = Files.createDirectories(hub.inbox(account));
        Path tmp = inbox.resolve("." + name + ".writing");
        Files.write(tmp, content);
        Files.move(tmp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** One CSR for every CSV row, so the same row gives the same bytes. */
    static final String CSR = TestCsrs.ec("hostile.example.com", "www.hostile.example.com");

    static String csvRow(String ref, String firstName) {
        return String.join(",", ref, "comodo_ssl", "save", "1", "hostile.example.com", "www.hostile.example.com", "\"" + CSR + "\"", "nginx",
            "webmaster@example.com", firstName, "Admin", "alex@example.com", "+1.5555550100") + "\r\n";
    }

    static long orders(String clientReferenceLike) {
        return hub.count("select count(*) from orders where client_reference like ?", clientReferenceLike);
    }

    static long holds() {
        return hub.count("select count(*) from hold");
    }

    static void mkfifo(Path p) throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0, "mkfifo is needed");
    }

    // ---- item 1 (16.1): links, FIFOs, linked folders, hard links ----

    @Test
    void aSymlinkToProcSelfEnvironIsMovedUnreadAndNothingOfTheEnvironmentReachesTheReport() throws Exception {
        long ordersBefore = hub.count("select count(*) from orders");
        Path demo = Files.createDirectories(hub.inbox("demo"));
        Files.createSymbolicLink(demo.resolve("env.json"), Path.of("/proc/self/environ"));
        Files.createSymbolicLink(demo.resolve("env.csv"), Path.of("/proc/self/environ"));

        for (String name : new String[] {"env.json", "env.csv"}) {
            JsonNode report = awaitReport("demo", "failed", name);
            assertThat(report.get("status").asText()).isEqualTo("failed");
            assertThat(report.get("error").get("code").asText()).isEqualTo("FILE_NOT_REGULAR");
            assertThat(report.get("error").get("detail").asText()).contains("symbolic link", "unread");
            assertThat(report.get("orders")).isEmpty();
            String text = Files.readString(demo.resolve("failed").resolve(name + ".result.json"));
            for (Map.Entry<String, String> env : System.getenv().entrySet()) {
                if (env.getValue().length() >= 8) {
                    assertThat(text).as("report of %s quotes $%s", name, env.getKey()).doesNotContain(env.getValue());
                }
            }
            // the link itself was moved (rename), its target never opened or copied
            Path moved = demo.resolve("failed").resolve(name);
            assertThat(Files.isSymbolicLink(moved)).isTrue();
            assertThat(Files.readSymbolicLink(moved)).isEqualTo(Path.of("/proc/self/environ"));
            assertThat(Files.exists(demo.resolve(name), LinkOption.NOFOLLOW_LINKS)).isFalse();
        }
        assertThat(hub.count("select count(*) from orders")).isEqualTo(ordersBefore);
        assertThat(hub.count("select count(*) from intake_file where file_name like 'env.%'")).isZero();
    }

    @Test
    void fourFifosAreMovedUnreadWithoutStallingTheIntakeOfAnyAccount() throws Exception {
        Path demo = Files.createDirectories(hub.inbox("demo"));
        for (int i = 1; i <= 4; i++) {
            mkfifo(demo.resolve("pipe-" + i + ".json"));
        }
        drop("other", "after-fifos.csv", (CSV_HEADER + csvRow("FIFO-NEIGHBOUR-1", "Alex")).getBytes(StandardCharsets.UTF_8));

        JsonNode good = awaitReport("other", "done", "after-fifos.csv");
        assertThat(good.get("status").asText()).isEqualTo("done");
        assertThat(good.get("orders").get(0).get("state").asText()).isEqualTo("PENDING");
        for (int i = 1; i <= 4; i++) {
            JsonNode report = awaitReport("demo", "failed", "pipe-" + i + ".json");
            assertThat(report.get("error").get("code").asText()).isEqualTo("FILE_NOT_REGULAR");
            assertThat(report.get("error").get("detail").asText()).contains("FIFO");
            assertThat(IntakeFolders.notRegular(demo.resolve("failed").resolve("pipe-" + i + ".json"))).isEqualTo("a FIFO (named pipe)");
        }
        assertThat(orders("FIFO-NEIGHBOUR-%")).isEqualTo(1);
    }

    @Test
    void aLinkedAccountFolderIsNeverWalkedAndAHardLinkIsReadLikeAnyFile() throws Exception {
        HttpResponse<String> created = hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"linked\",\"currency\":\"USD\",\"openingBalance\":\"100.00\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        // inbox/linked → a folder elsewhere holding a valid order: nothing there may be read, moved or written
        Path elsewhere = Files.createDirectories(outside.resolve("etc-like"));
        String order = OrderJson.order("LINKED-1", "comodo_ssl", "save", "hostile.example.com",
            TestCsrs.ec("hostile.example.com")).toString();
        Files.writeString(elsewhere.resolve("order.json"), order);
        Files.createDirectories(hub.inbox("demo").getParent());
        Files.createSymbolicLink(hub.inbox("linked"), elsewhere);

        // a hard link in demo/ to a file outside the inbox is a regular file the account dropped: read
        Path original = Files.writeString(outside.resolve("hard-original.json"),
            OrderJson.order("HARDLINK-1", "comodo_ssl", "save", "hostile.example.com", TestCsrs.ec("hostile.example.com")).toString());
        Files.createDirectories(hub.inbox("demo"));
        Files.createLink(hub.inbox("demo").resolve("hard.json"), original);
        JsonNode hard = awaitReport("demo", "done", "hard.json");
        assertThat(hard.get("status").asText()).isEqualTo("done");
        assertThat(hard.get("orders").get(0).get("created").asBoolean()).isTrue();
        assertThat(orders("HARDLINK-%")).isEqualTo(1);

        // many polls have gone by meanwhile (quiet period 400 ms, poll every 100 ms); one more file to be sure
        drop("demo", "marker.csv", (CSV_HEADER + csvRow("LINKED-MARKER-1", "Alex")).getBytes(StandardCharsets.UTF_8));
        awaitReport("demo", "done", "marker.csv");
        try (var listing = Files.list(elsewhere)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("order.json");
        }
        assertThat(Files.readString(elsewhere.resolve("order.json"))).isEqualTo(order);
        assertThat(orders("LINKED-1")).isZero();
        assertThat(hub.count("select count(*) from intake_file where account_id = 'linked'")).isZero();
    }

    // ---- item 2 (16.4): poison files end in failed/ with a report; bounded memory ----

    @Test
    void aHundredKilobyteFieldIsRefusedForItsOrderWithTheFieldNamedAndTheFileEndsInFailedAtOnce() throws Exception {
        String csv = CSV_HEADER + csvRow("BIGFIELD-1", "Alex") + csvRow("BIGFIELD-2", "A".repeat(100_000));
        drop("demo", "big-field.csv", csv.getBytes(StandardCharsets.UTF_8));

        JsonNode report = awaitReport("demo", "failed", "big-field.csv");
        awaitGone(hub.inbox("demo").resolve("big-field.csv"));
        assertThat(report.get("status").asText()).isEqualTo("failed");
        assertThat(report.get("orders").get(0).get("state").asText()).isEqualTo("PENDING");
        JsonNode error = report.get("orders").get(1).get("error");
        assertThat(error.get("code").asText()).isEqualTo("FIELD_TOO_LONG");
        assertThat(error.get("field").asText()).isEqualTo("contacts.admin.firstName");
        assertThat(error.get("detail").asText()).isEqualTo("contacts.admin.firstName has 100000 characters; at most 128 are allowed");
        assertThat(Files.size(hub.inbox("demo").resolve("failed/big-field.csv.result.json"))).isLessThan(4_000);
        assertThat(Files.exists(hub.inbox("demo").resolve("failed/big-field.csv"))).isTrue();
        assertThat(orders("BIGFIELD-%")).isEqualTo(1);
        assertThat(hub.jdbc().queryForMap("select status, attempts from intake_file where file_name = 'big-field.csv'"))
            .containsEntry("status", "FAILED").containsEntry("attempts", 1);
    }

    @Test
    void fourThirtyOneMegabyteCsvsWithOneHugeRecordEachAreRefusedWholeAndTheHubStaysUsable() throws Exception {
        long ordersBefore = hub.count("select count(*) from orders");
        long holdsBefore = holds();
        String huge = "HUGE-%d,comodo_ssl,save,1,hostile.example.com,,csr,nginx,webmaster@example.com,";
        for (int i = 1; i <= 4; i++) {
            Path tmp = hub.inbox("other").resolve(".huge-" + i + ".writing");
            Files.createDirectories(tmp.getParent());
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write((CSV_HEADER + String.format(huge, i)).getBytes(StandardCharsets.UTF_8));
                byte[] block = "B".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
                for (int mb = 0; mb < 31; mb++) {
                    out.write(block);
                }
                out.write(",Admin,alex@example.com,+1.5555550100\r\n".getBytes(StandardCharsets.UTF_8));
            }
            Files.move(tmp, hub.inbox("other").resolve("huge-" + i + ".csv"), StandardCopyOption.ATOMIC_MOVE);
        }
        for (int i = 1; i <= 4; i++) {
            JsonNode report = awaitReport("other", "failed", "huge-" + i + ".csv");
            assertThat(report.get("error").get("code").asText()).isEqualTo("FILE_ORDER_TOO_LARGE");
            assertThat(report.get("error").get("detail").asText()).contains("line 2", "1048576", "hub.intake.max-order-size")
                .doesNotContain("BBBB");
            assertThat(report.get("orders")).isEmpty();
        }
        assertThat(hub.count("select count(*) from orders")).isEqualTo(ordersBefore);
        assertThat(holds()).isEqualTo(holdsBefore);
        assertThat(hub.count("select count(*) from intake_file where file_name like 'huge-%'")).isZero();
        assertThat(hub.get("/api/v1/account", "other-key").statusCode()).isEqualTo(200);
    }

    @Test
    void aMultiMegabyteCsvOfValidOrdersIsStreamedAndEveryOrderCommitted() throws Exception {
        int n = 2_500;
        StringBuilder csv = new StringBuilder(CSV_HEADER);
        for (int i = 0; i < n; i++) {
            csv.append(csvRow("MULTI-" + i, "Alex"));
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(bytes.length).isGreaterThan(1_500_000);
        drop("demo", "multi.csv", bytes);
        JsonNode report = awaitReport("demo", "done", "multi.csv");
        assertThat(report.get("status").asText()).isEqualTo("done");
        assertThat(report.get("orders")).hasSize(n);
        assertThat(report.get("orders").get(n - 1).get("index").asInt()).isEqualTo(n - 1);
        assertThat(report.get("orders").get(n - 1).get("state").asText()).isEqualTo("PENDING");
        assertThat(orders("MULTI-%")).isEqualTo(n);
    }

    /** An H2 trigger that fails every insert of an order whose client reference starts with POISON- (a storage failure, not a rule). */
    public static final class FailingStore extends org.h2.tools.TriggerAdapter {
        static final AtomicInteger CALLS = new AtomicInteger();

        @Override
        public void fire(java.sql.Connection conn, java.sql.ResultSet oldRow, java.sql.ResultSet newRow) throws java.sql.SQLException {
            if (newRow.getString("client_reference").startsWith("POISON-")) {
                CALLS.incrementAndGet();
                throw new java.sql.SQLException("simulated storage failure", "HY000");
            }
        }
    }

    @Test
    void aFileThatFailsOnEveryTryEndsInFailedAfterMaxAttemptsNamingTheLastError() throws Exception {
        hub.jdbc().execute("create trigger poison_store before insert on orders for each row call '" + FailingStore.class.getName() + "'");
        try {
            FailingStore.CALLS.set(0);
            drop("demo", "poison.csv", (CSV_HEADER + csvRow("POISON-1", "Alex")).getBytes(StandardCharsets.UTF_8));
            JsonNode report = awaitReport("demo", "failed", "poison.csv");
            awaitGone(hub.inbox("demo").resolve("poison.csv"));
            assertThat(report.get("status").asText()).isEqualTo("failed");
            assertThat(report.get("error").get("code").asText()).isEqualTo("FILE_PROCESSING_FAILED");
            assertThat(report.get("error").get("detail").asText())
                .contains("given up after 3 tries", "hub.intake.max-attempts", "simulated storage failure");
            assertThat(FailingStore.CALLS.get()).isEqualTo(3);
            assertThat(hub.jdbc().queryForMap("select status, attempts from intake_file where file_name = 'poison.csv'"))
                .containsEntry("status", "ABANDONED").containsEntry("attempts", 3);
            assertThat(hub.jdbc().queryForObject("select last_error from intake_file where file_name = 'poison.csv'", String.class))
                .contains("simulated storage failure");
            assertThat(orders("POISON-%")).isZero();
        } finally {
            hub.jdbc().execute("drop trigger poison_store");
        }
        // the same bytes dropped again (the cause fixed) are tried afresh
        drop("demo", "poison-again.csv", (CSV_HEADER + csvRow("POISON-1", "Alex")).getBytes(StandardCharsets.UTF_8));
        assertThat(awaitReport("demo", "done", "poison-again.csv").get("orders").get(0).get("created").asBoolean()).isTrue();
        assertThat(orders("POISON-%")).isEqualTo(1);
        assertThat(hub.jdbc().queryForMap("select status, attempts from intake_file where file_name = 'poison-again.csv'"))
            .containsEntry("status", "DONE").containsEntry("attempts", 1);
    }

    // ---- item 3 (16.8): de-duplication per account ----

    @Test
    void theSameBytesInAnotherAccountAreThatAccountsOwnFileAndADuplicateOnlyWithinAnAccount() throws Exception {
        byte[] same = (CSV_HEADER + csvRow("SAMEBYTES-1", "Alex")).getBytes(StandardCharsets.UTF_8);
        drop("demo", "same-demo.csv", same);
        assertThat(awaitReport("demo", "done", "same-demo.csv").get("orders").get(0).get("created").asBoolean()).isTrue();

        drop("other", "same-other.csv", same);
        JsonNode other = awaitReport("other", "done", "same-other.csv");
        assertThat(other.get("status").asText()).isEqualTo("done");
        assertThat(other.get("duplicateOf").isNull()).isTrue();
        assertThat(other.get("orders").get(0).get("created").asBoolean()).isTrue();

        drop("other", "same-other-again.csv", same);
        JsonNode again = awaitReport("other", "done", "same-other-again.csv");
        assertThat(again.get("status").asText()).isEqualTo("duplicate");
        assertThat(again.get("duplicateOf").asText()).isEqualTo("same-other.csv");

        assertThat(hub.count("select count(*) from orders where client_reference = 'SAMEBYTES-1' and account_id = 'demo'")).isEqualTo(1);
        assertThat(hub.count("select count(*) from orders where client_reference = 'SAMEBYTES-1' and account_id = 'other'")).isEqualTo(1);
        assertThat(hub.jdbc().queryForList("select account_id from intake_file where file_name like 'same-%' order by account_id", String.class))
            .containsExactly("demo", "other");
    }

    // ---- item 2 (16.4): health DOWN when the database is unusable ----

    @Test
    void healthIsDownWhenTheDatabaseIsUnusable(@TempDir Path ownData) throws Exception {
        try (RunningHub own = RunningHub.start(ownData)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> own.get("/actuator/health", null).statusCode() == 200);
            JsonNode up = OrderJson.parse(own.get("/actuator/health", null).body());
            assertThat(up.at("/components/db/status").asText()).isEqualTo("UP");
            assertThat(up.at("/components/db/details/validationQuery").asText()).isEqualTo(io.certhub.config.DatabaseHealthConfig.QUERY);

            // the database file is taken away under the running hub and H2 closes: the next connection
            // opens a new, empty database, valid as a connection but holding none of the hub's tables
            Files.move(ownData.resolve("db/certhub.mv.db"), ownData.resolve("db/taken-away.mv.db"));
            own.jdbc().execute("shutdown");

            // once the pool has replaced its closed connections: Spring Boot's own check (Connection.isValid,
            // no query) says UP again, the hub's db component (a read of the account table) stays DOWN.
            // (A pooled connection closed by the shutdown may still answer a probe with "database is
            // closed": DOWN too; the answer whose error names the missing table is the one asserted.)
            javax.sql.DataSource ds = own.context().getBean(javax.sql.DataSource.class);
            var bootDefault = new org.springframework.boot.actuate.jdbc.DataSourceHealthIndicator(ds);
            java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> seen = new java.util.concurrent.atomic.AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                HttpResponse<String> h = own.get("/actuator/health", null);
                seen.set(h);
                return bootDefault.health().getStatus().equals(org.springframework.boot.actuate.health.Status.UP)
                    && OrderJson.parse(h.body()).at("/components/db/details/error").asText().toLowerCase(java.util.Locale.ROOT).contains("account");
            });
            HttpResponse<String> health = seen.get();
            assertThat(health.statusCode()).isEqualTo(503);
            JsonNode down = OrderJson.parse(health.body());
            assertThat(down.get("status").asText()).isEqualTo("DOWN");
            assertThat(down.at("/components/db/status").asText()).isEqualTo("DOWN");
            assertThat(down.at("/components/db/details/error").asText()).containsIgnoringCase("account");
            assertThat(own.get("/api/v1/account", "demo-key").statusCode()).isGreaterThanOrEqualTo(500);
        }
    }
}
