package io.certhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.support.TestPostgres;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link InboxReadLockRepository} as several instances use it (issue 12 §3), on H2 and on a real
 * PostgreSQL server (skipped without one): two repositories ("instances") on one database race for
 * the same keys and each key is won once; a dead instance's stale row is taken over, a live one is
 * not; the holder's keep-alive keeps its row live.
 */
class InboxReadLockRepositoryTest {

    private final List<InboxReadLockRepository> repos = new ArrayList<>();
    private static int databases;

    private DataSource database(String kind) {
        String url = kind.equals("postgresql") ? TestPostgres.newDatabase("inbox_read_lock")
            : "jdbc:h2:mem:inbox_read_lock_" + (++databases) + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
        DriverManagerDataSource ds = kind.equals("postgresql") ? new DriverManagerDataSource(url, TestPostgres.USER, "")
            : new DriverManagerDataSource(url, "sa", "");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/common").load().migrate();
        return ds;
    }

    private InboxReadLockRepository repository(DataSource ds, long maxAgeMillis, long keepAliveMillis) {
        InboxReadLockRepository r = new InboxReadLockRepository(ds, new TransactionTemplate(new DataSourceTransactionManager(ds)),
            "order-file-intake", new DefaultCamelContext(), maxAgeMillis, keepAliveMillis);
        r.start();
        repos.add(r);
        return r;
    }

    @AfterEach
    void stop() {
        repos.forEach(InboxReadLockRepository::stop);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void twoInstancesRacingForTheSameKeysWinEachOnce(String kind) throws Exception {
        DataSource ds = database(kind);
        List<InboxReadLockRepository> two = List.of(repository(ds, 30_000, 5_000), repository(ds, 30_000, 5_000));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            int keys = 100;
            for (int k = 0; k < keys; k++) {
                String key = "demo/file-" + k + ".json";
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> tries = new ArrayList<>();
                for (InboxReadLockRepository r : two) {
                    tries.add(pool.submit(() -> {
                        go.await();
                        try {
                            return r.add(key);
                        } catch (DuplicateKeyException lost) {
                            return false;       // the other inserted first: Camel skips the file
                        }
                    }));
                }
                go.countDown();
                int winners = 0;
                for (Future<Boolean> f : tries) {
                    winners += f.get() ? 1 : 0;
                }
                assertThat(winners).as("winners of %s", key).isEqualTo(1);
            }
            assertThat(two.get(0).held().size() + two.get(1).held().size()).isEqualTo(keys);
            assertThat(new JdbcTemplate(ds).queryForObject("select count(*) from camel_messageprocessed", Integer.class)).isEqualTo(keys);
            // released on commit: the row goes, and the key can be taken again (the same file name dropped later)
            InboxReadLockRepository holder = two.get(0).held().contains("demo/file-0.json") ? two.get(0) : two.get(1);
            InboxReadLockRepository other = holder == two.get(0) ? two.get(1) : two.get(0);
            assertThat(other.add("demo/file-0.json")).isFalse();
            assertThat(holder.remove("demo/file-0.json")).isTrue();
            assertThat(other.add("demo/file-0.json")).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDeadInstancesStaleRowIsTakenOverAndALiveOneIsNot(String kind) {
        DataSource ds = database(kind);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        InboxReadLockRepository survivor = repository(ds, 2_000, 500);
        // a row left by an instance killed 5 s ago (never refreshed since), and one of a live instance
        jdbc.update("insert into camel_messageprocessed(processorName, messageId, createdAt) values ('order-file-intake', 'demo/dead.json', ?)",
            new Timestamp(System.currentTimeMillis() - 5_000));
        jdbc.update("insert into camel_messageprocessed(processorName, messageId, createdAt) values ('order-file-intake', 'demo/live.json', ?)",
            new Timestamp(System.currentTimeMillis()));
        assertThat(survivor.add("demo/dead.json")).isTrue();
        assertThat(survivor.add("demo/live.json")).isFalse();
        // taken over: one row for the key, fresh
        Timestamp taken = jdbc.queryForObject("select createdAt from camel_messageprocessed where messageId = 'demo/dead.json'", Timestamp.class);
        assertThat(taken.getTime()).isGreaterThan(System.currentTimeMillis() - 2_000);
        // a racing insert of a key held now fails on the primary key (what the loser of a race sees)
        assertThatThrownBy(() -> new TransactionTemplate(new DataSourceTransactionManager(ds)).executeWithoutResult(s ->
            jdbc.update("insert into camel_messageprocessed(processorName, messageId, createdAt) values ('order-file-intake', 'demo/dead.json', ?)",
                new Timestamp(System.currentTimeMillis())))).isInstanceOf(DuplicateKeyException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theHoldersKeepAliveKeepsItsRowLive(String kind) throws Exception {
        DataSource ds = database(kind);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        InboxReadLockRepository holder = repository(ds, 2_000, 500);
        InboxReadLockRepository other = repository(ds, 2_000, 500);
        assertThat(holder.add("demo/slow.json")).isTrue();
        Timestamp first = jdbc.queryForObject("select createdAt from camel_messageprocessed where messageId = 'demo/slow.json'", Timestamp.class);
        // well past max-age: the keep-alive has refreshed the row, so the other instance still may not take it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
            jdbc.queryForObject("select createdAt from camel_messageprocessed where messageId = 'demo/slow.json'", Timestamp.class)
                .getTime() > first.getTime() + 2_500);
        assertThat(other.add("demo/slow.json")).isFalse();
    }
}
