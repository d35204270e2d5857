package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file-drop intake with files written into the real inbox folder of a running hub.
 * The cases of ../shared/cases/partial-and-duplicate-files and weak-key are fed as they are.
 */
class FileIntakeTest {

    static final Path CASES = Path.of("../shared/cases");

    @TempDir
    static Path dataDir;
    static RunningHub hub;

    @BeforeAll
    static void start() {
        // the slow writer pauses 1 s between writes: the quiet period must be longer
        hub = RunningHub.start(dataDir, "--hub.intake.quiet-period=2500ms", "--hub.sandbox.auto-approve=false");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    /**
     * Waits until the file has been moved: the report is written while the file is processed, the
     * file consumer moves the file when the exchange completes, a moment later.
     */
    static void awaitMoved(Path from, Path to) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> !Files.exists(from) && Files.exists(to));
    }

    static JsonNode awaitReport(String account, String folder, String name) {
        Path report = hub.inbox(account).resolve(folder).resolve(name + ".result.json");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(report));
        try {
            return OrderJson.parse(Files.readString(report));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void drop(String account, String name, byte[] content) throws Exception {
        Path inbox = hub.inbox(account);
        Files.createDirectories(inbox);
        Path tmp = inbox.resolve("." + name + ".writing");
        Files.write(tmp, content);
        Files.move(tmp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The race ClusterIT found on a starved machine: instance B looks up a file's content (no record), instance
     * A claims it (PROCESSING) and reads it, B's claim loses. B must leave the file in the inbox (its exchange
     * fails, the file is not moved), not move it to done/ as a "duplicate" while A's orders are half made;
     * once A's record is DONE the same race is a duplicate.
     */
    @Test
    void aClaimLostToAnotherInstanceLeavesTheFileInPlaceUnlessThatContentIsDone(@TempDir Path elsewhere) throws Exception {
        Path file = Files.createDirectories(elsewhere.resolve("demo")).resolve("race.json");
        Files.writeString(file, OrderJson.order("RACE-1", "comodo_ssl", "save", "race-1.example.com", TestCsrs.ec("race-1.example.com")).toString());
        String hash;
        try (var in = Files.newInputStream(file)) {
            hash = OrderFile.scan(in).sha256();
        }
        var ctx = hub.context();
        class Racing extends FileIntake {
            final java.util.concurrent.atomic.AtomicBoolean lookSeesNothing = new java.util.concurrent.atomic.AtomicBoolean(true);

            Racing() {
                super(ctx.getBean(io.certhub.config.HubProperties.class), ctx.getBean(io.certhub.order.OrderService.class),
                    ctx.getBean(io.certhub.order.OrderDocumentReader.class), ctx.getBean(io.certhub.ledger.LedgerService.class), hub.jdbc(),
                    ctx.getBean(java.time.Clock.class), ctx.getBean(com.fasterxml.jackson.databind.ObjectMapper.class),
                    ctx.getBean(IntakeFolders.class));
            }

            @Override
            java.util.Optional<java.util.Map<String, Object>> previous(String accountId, String contentHash) {
                // the first look comes before the other instance's claim: it sees no record
                return lookSeesNothing.getAndSet(false) ? java.util.Optional.empty() : super.previous(accountId, contentHash);
            }
        }
        Racing b = new Racing();
        try {
            hub.jdbc().update("insert into intake_file(account_id, content_hash, file_name, status, attempts, processed_at)"
                + " values ('demo', ?, 'race.json', 'PROCESSING', 1, current_timestamp)", hash);
            assertThatThrownBy(() -> b.handle(file)).isInstanceOf(FileIntake.ContentBusyException.class)
                .hasMessageContaining("race.json").hasMessageContaining("left in the inbox");
            assertThat(hub.jdbc().queryForMap("select status, attempts, last_error from intake_file where account_id = 'demo' and content_hash = ?", hash))
                .containsEntry("STATUS", "PROCESSING").containsEntry("ATTEMPTS", 1).containsEntry("LAST_ERROR", null);
            assertThat(hub.count("select count(*) from orders where client_reference = 'RACE-1'")).isZero();

            // the other instance finished the file: the same race is now a duplicate of it
            hub.jdbc().update("update intake_file set status = 'DONE' where account_id = 'demo' and content_hash = ?", hash);
            b.lookSeesNothing.set(true);
            var report = b.handle(file);
            assertThat(report).containsEntry("status", "duplicate").containsEntry("duplicateOf", "race.json");
        } finally {
            b.stop();
            hub.jdbc().update("delete from intake_file where account_id = 'demo' and content_hash = ?", hash);
        }
    }

    @Test
    void slowCopyDuplicateAndConflictOfTheCasesAcrossARestart() throws Exception {
        Path cases = CASES.resolve("partial-and-duplicate-files");
        Files.createDirectories(hub.inbox("demo"));
        Process writer = new ProcessBuilder("bash", cases.resolve("writer-sim.sh").toString(), hub.inbox("demo").toString())
            .inheritIO().start();
        assertThat(writer.waitFor()).isZero();
        JsonNode report = awaitReport("demo", "done", "order-RS-2026-1013.json");
        assertThat(report.get("status").asText()).isEqualTo("done");
        assertThat(report.get("orders").get(0).get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(Files.exists(hub.inbox("demo").resolve("failed").resolve("order-RS-2026-1013.json"))).isFalse();
        assertThat(hub.count("select count(*) from orders where client_reference = 'RS-2026-1013'")).isEqualTo(1);

        String dupName = "order-RS-2026-1013 (1).json";
        drop("demo", dupName, Files.readAllBytes(cases.resolve("duplicate").resolve(dupName)));
        JsonNode dup = awaitReport("demo", "done", dupName);
        assertThat(dup.get("status").asText()).isEqualTo("duplicate");
        assertThat(dup.get("duplicateOf").asText()).isEqualTo("order-RS-2026-1013.json");

        hub.restart();

        drop("demo", "order-RS-2026-1013 (2).json", Files.readAllBytes(cases.resolve("duplicate").resolve(dupName)));
        assertThat(awaitReport("demo", "done", "order-RS-2026-1013 (2).json").get("status").asText()).isEqualTo("duplicate");

        String conflictName = "order-RS-2026-1013-v2.json";
        drop("demo", conflictName, Files.readAllBytes(cases.resolve("conflict").resolve(conflictName)));
        JsonNode conflict = awaitReport("demo", "failed", conflictName);
        assertThat(conflict.get("status").asText()).isEqualTo("failed");
        JsonNode error = conflict.get("orders").get(0).get("error");
        assertThat(error.get("code").asText()).isEqualTo("CLIENT_REFERENCE_CONFLICT");
        assertThat(error.get("detail").asText()).contains("RS-2026-1013");
        awaitMoved(hub.inbox("demo").resolve(conflictName), hub.inbox("demo").resolve("failed").resolve(conflictName));

        assertThat(hub.count("select count(*) from orders where client_reference = 'RS-2026-1013'")).isEqualTo(1);
        String id = hub.jdbc().queryForObject("select id from orders where client_reference = 'RS-2026-1013'", String.class);
        assertThat(hub.count("select count(*) from hold where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal where order_id = ?", id)).isEqualTo(1);
    }

    @Test
    void weakKeyFileGoesToFailedAndLeavesNothing() throws Exception {
        Path src = CASES.resolve("weak-key/inbox/order-RS-2026-1006.json");
        drop("other", "order-RS-2026-1006.json", Files.readAllBytes(src));
        JsonNode report = awaitReport("other", "failed", "order-RS-2026-1006.json");
        assertThat(report.get("status").asText()).isEqualTo("failed");
        JsonNode error = report.get("orders").get(0).get("error");
        assertThat(error.get("code").asText()).isEqualTo("CSR_WEAK_KEY");
        assertThat(error.get("detail").asText()).contains("RSA", "1024", "2048");
        awaitMoved(hub.inbox("other").resolve("order-RS-2026-1006.json"), hub.inbox("other").resolve("failed/order-RS-2026-1006.json"));
        assertThat(hub.count("select count(*) from orders where client_reference = 'RS-2026-1006'")).isZero();
        assertThat(hub.count("select count(*) from hold where account_id = 'other'")).isZero();
        assertThat(hub.count("select count(*) from journal where account_id = 'other' and entry_type <> 'DEPOSIT'")).isZero();
    }

    static String csvRow(String ref, String domain, String csr) {
        return String.join(",", ref, "comodo_ssl", "process", "1", domain, "www." + domain, "\"" + csr + "\"", "nginx", "webmaster@example.com",
            "Alex", "Admin", "alex@example.com", "+1.5555550100") + "\r\n";
    }

    @Test
    void csvBatchWithBomAndMultiLineCsrsCommitsEachOrderAndAFixedReDropCreatesOnlyWhatIsNew() throws Exception {
        String header = "clientReference,productType,handle,period,domain,additionalDomains,csr,serverType,approverEmail,"
            + "contacts.admin.firstName,contacts.admin.lastName,contacts.admin.email,contacts.admin.phone\r\n";
        String good = csvRow("CSV-1", "one.example.com", TestCsrs.ec("one.example.com", "www.one.example.com"));
        String bad = csvRow("CSV-2", "two..example.com", TestCsrs.ec("two.example.com", "www.two.example.com"));
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        drop("demo", "batch.csv", concat(bom, (header + good + bad).getBytes(StandardCharsets.UTF_8)));
        JsonNode first = awaitReport("demo", "failed", "batch.csv");
        assertThat(first.get("status").asText()).isEqualTo("failed");
        assertThat(first.get("orders").get(0).get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(first.get("orders").get(1).get("error").get("code").asText()).isEqualTo("DOMAIN_INVALID");
        assertThat(first.get("orders").get(1).get("error").get("field").asText()).isEqualTo("domain");

        String fixed = csvRow("CSV-2", "two.example.com", TestCsrs.ec("two.example.com", "www.two.example.com"));
        drop("demo", "batch-fixed.csv", concat(bom, (header + good + fixed).getBytes(StandardCharsets.UTF_8)));
        JsonNode second = awaitReport("demo", "done", "batch-fixed.csv");
        assertThat(second.get("status").asText()).isEqualTo("done");
        assertThat(second.get("orders").get(0).get("created").asBoolean()).isFalse();
        assertThat(second.get("orders").get(1).get("created").asBoolean()).isTrue();
        assertThat(hub.count("select count(*) from orders where client_reference like 'CSV-%'")).isEqualTo(2);
        assertThat(hub.jdbc().queryForObject("select additional_domains from orders where client_reference = 'CSV-2'", String.class))
            .isEqualTo("www.two.example.com");
    }

    @Test
    void aBatchIsCommittedInParallelButReportedInFileOrderAndALaterDuplicateReferenceConflicts() throws Exception {
        String header = "clientReference,productType,handle,period,domain,additionalDomains,csr,serverType,approverEmail,"
            + "contacts.admin.firstName,contacts.admin.lastName,contacts.admin.email,contacts.admin.phone\r\n";
        StringBuilder csv = new StringBuilder(header);
        String csr = TestCsrs.ec("bulk.example.com", "www.bulk.example.com");
        for (int i = 0; i < 29; i++) {
            csv.append(csvRow("BULK-" + i, "bulk.example.com", csr).replace(",process,", ",save,"));
        }
        csv.append(csvRow("BULK-0", "bulk.example.com", csr).replace(",process,", ",save,").replace(",nginx,", ",apache,"));
        drop("demo", "bulk.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
        JsonNode report = awaitReport("demo", "failed", "bulk.csv");
        assertThat(report.get("orders")).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(report.get("orders").get(i).get("index").asInt()).isEqualTo(i);
        }
        assertThat(report.get("orders").get(0).get("state").asText()).isEqualTo("PENDING");
        assertThat(report.get("orders").get(29).get("error").get("code").asText()).isEqualTo("CLIENT_REFERENCE_CONFLICT");
        assertThat(hub.count("select count(*) from orders where client_reference like 'BULK-%'")).isEqualTo(29);
        assertThat(hub.jdbc().queryForObject("select server_type from orders where client_reference = 'BULK-0'", String.class)).isEqualTo("nginx");
    }

    @Test
    void fileLevelErrorsAreReportedWithoutReadingOrWriting() throws Exception {
        drop("demo", "broken.json", "{\n  \"clientReference\": \"X\",\n  \"domain\" \n}".getBytes(StandardCharsets.UTF_8));
        JsonNode broken = awaitReport("demo", "failed", "broken.json");
        assertThat(broken.get("error").get("code").asText()).isEqualTo("FILE_UNPARSEABLE");
        assertThat(broken.get("error").get("detail").asText()).contains("line 4, column 1");

        byte[] latin1 = "[\n{\"clientReference\": \"Caf\u00e9\"}\n]".getBytes(StandardCharsets.ISO_8859_1);
        drop("demo", "latin1.json", latin1);
        JsonNode notUtf8 = awaitReport("demo", "failed", "latin1.json");
        assertThat(notUtf8.get("error").get("code").asText()).isEqualTo("FILE_NOT_UTF8");
        assertThat(notUtf8.get("error").get("detail").asText()).contains("line 2");

        drop("demo", "orders.xlsx", new byte[] {1, 2, 3});
        JsonNode unsupported = awaitReport("demo", "failed", "orders.xlsx");
        assertThat(unsupported.get("error").get("code").asText()).isEqualTo("FILE_TYPE_UNSUPPORTED");
        awaitMoved(hub.inbox("demo").resolve("orders.xlsx"), hub.inbox("demo").resolve("failed/orders.xlsx"));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
