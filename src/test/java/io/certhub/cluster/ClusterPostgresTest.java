package io.certhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OnPostgres;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hubs on one PostgreSQL database and one data folder (issue 12 §3, in one JVM; the process
 * test with kill -9 is {@code io.certhub.flow.ClusterIT}):
 * <ul>
 *   <li>the leader-only consumers (certificate mailbox, sandbox vendor clock) run on exactly one
 *       hub, and move to the other when it stops;</li>
 *   <li>both hubs poll the one inbox folder, and every file is read by exactly one of them.</li>
 * </ul>
 */
@OnPostgres
class ClusterPostgresTest {

    @TempDir
    Path shared;

    static Map<String, Boolean> leads(RunningHub hub) {
        return hub.context().getBean(JdbcLockClusterService.class).leadership();
    }

    static long leaders(String namespace, RunningHub... hubs) {
        return Stream.of(hubs).filter(h -> Boolean.TRUE.equals(leads(h).get(namespace))).count();
    }

    @Test
    void leaderOnlyConsumersRunOnOneHubAndMoveWhenItStops() {
        try (RunningHub a = RunningHub.start(shared)) {
            String[] ds = a.datasource();
            try (RunningHub b = RunningHub.start(shared, "--spring.datasource.url=" + ds[0],
                "--spring.datasource.username=" + ds[1], "--spring.datasource.password=" + ds[2])) {
                await().atMost(Duration.ofSeconds(30)).until(() -> leaders("certificate-mailbox", a, b) == 1
                    && leaders("sandbox-vendor-clock", a, b) == 1);
                // both take part in both namespaces; one row per held lock
                assertThat(leads(a).keySet()).containsExactly("certificate-mailbox", "sandbox-vendor-clock");
                assertThat(leads(b).keySet()).containsExactly("certificate-mailbox", "sandbox-vendor-clock");
                assertThat(a.count("select count(*) from int_lock where region = 'certhub'")).isEqualTo(2);
                // stays so: the follower never takes a renewed lock
                for (int i = 0; i < 5; i++) {
                    assertThat(leaders("certificate-mailbox", a, b)).isEqualTo(1);
                    await().pollDelay(Duration.ofMillis(500)).until(() -> true);
                }

                RunningHub leader = Boolean.TRUE.equals(leads(a).get("certificate-mailbox")) ? a : b;
                RunningHub follower = leader == a ? b : a;
                long t0 = System.nanoTime();
                leader.close();                  // graceful: the locks are released at once
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Boolean.TRUE.equals(leads(follower).get("certificate-mailbox"))
                        && Boolean.TRUE.equals(leads(follower).get("sandbox-vendor-clock")));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("cluster: the follower led both namespaces " + ms + " ms after the leader began to stop");
                assertThat(follower.count("select count(*) from int_lock where region = 'certhub'")).isEqualTo(2);
            }
        }
    }

    @Test
    void twoHubsPollingOneInboxReadEachFileOnce() throws Exception {
        try (RunningHub a = RunningHub.start(shared)) {
            String[] ds = a.datasource();
            try (RunningHub b = RunningHub.start(shared, "--spring.datasource.url=" + ds[0],
                "--spring.datasource.username=" + ds[1], "--spring.datasource.password=" + ds[2])) {
                Path inbox = a.inbox("demo");
                assertThat(b.inbox("demo")).isEqualTo(inbox);
                Files.createDirectories(inbox);
                String csr = TestCsrs.ec("shared.example.com");
                int files = 40;
                for (int i = 0; i < files; i++) {
                    String json = OrderJson.order("SHARED-" + i, "quickssl_premium", "save", "shared.example.com", csr).toString();
                    Path tmp = inbox.resolve(".shared-" + i + ".tmp");
                    Files.writeString(tmp, json, StandardCharsets.UTF_8);
                    Files.move(tmp, inbox.resolve("shared-" + i + ".json"), StandardCopyOption.ATOMIC_MOVE);
                }
                Path done = inbox.resolve("done");
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.isDirectory(done) && listReports(done).size() == files);
                List<String> statuses = new ArrayList<>();
                for (Path r : listReports(done)) {
                    JsonNode report = OrderJson.parse(Files.readString(r));
                    statuses.add(report.path("status").asText());
                }
                assertThat(statuses).hasSize(files).containsOnly("done");
                assertThat(Files.exists(inbox.resolve("failed"))
                    ? listReports(inbox.resolve("failed")) : List.of()).isEmpty();
                assertThat(a.count("select count(*) from orders where client_reference like 'SHARED-%'")).isEqualTo(files);
                assertThat(a.count("select count(*) from intake_file where account_id = 'demo'")).isEqualTo(files);
                // every read lock released once its file was moved
                await().atMost(Duration.ofSeconds(10)).until(() -> a.count("select count(*) from camel_messageprocessed") == 0);
            }
        }
    }

    private static List<Path> listReports(Path folder) throws java.io.IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".result.json")).toList();
        }
    }
}
