package io.certhub.cluster;

import java.sql.Timestamp;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The read lock of the order-file intake when several hub instances share one inbox folder
 * (camel-file {@code readLock=idempotent-changed} with this repository): a file's key
 * ({@code <account>/<file name>}) is a row of {@code camel_messageprocessed} (Flyway V13) while an
 * instance reads the file.
 *
 * <p>It is camel-sql's {@link JdbcMessageIdRepository} with the orphan handling of a crashed
 * holder: the holder refreshes its rows' {@code createdAt} every {@code keepAlive}; a row older
 * than {@code maxAge} belongs to a dead instance and may be taken over. Camel's own
 * {@code JdbcOrphanLockAwareIdempotentRepository} is not used: when its "is it free?" query and
 * its insert see different committed states (another instance committed the same key in
 * between), it takes the live row over without checking its age, and both instances read the
 * file ({@code InboxReadLockPostgresTest} showed two winners at once). Here a take-over deletes
 * only a row that is still stale, and the insert that follows is guarded by the table's primary
 * key, so of two instances racing for one key exactly one wins; the loser's
 * {@code DuplicateKeyException} makes Camel skip the file.
 *
 * <p>The instances' clocks must agree to well under {@code maxAge} (each compares its own clock
 * with the rows' times).
 */
public class InboxReadLockRepository extends JdbcMessageIdRepository {

    private static final String TABLE = "camel_messageprocessed";

    private final CamelContext camelContext;
    private final long maxAgeMillis;
    private final long keepAliveMillis;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService keepAlive;

    /**
     * @param dataSource      the hub database (table {@code camel_messageprocessed})
     * @param tx              transactions of {@code dataSource}
     * @param processorName   the repository's name in the table, e.g. {@code order-file-intake}
     * @param camelContext    for the keep-alive thread
     * @param maxAgeMillis    a row not refreshed for this long is a dead instance's, in milliseconds
     * @param keepAliveMillis how often a holder refreshes its rows, in milliseconds (less than {@code maxAgeMillis})
     * @throws IllegalArgumentException when {@code keepAliveMillis >= maxAgeMillis}
     */
    public InboxReadLockRepository(DataSource dataSource, TransactionTemplate tx, String processorName, CamelContext camelContext,
                                   long maxAgeMillis, long keepAliveMillis) {
        super(dataSource, tx, processorName);
        if (keepAliveMillis >= maxAgeMillis) {
            throw new IllegalArgumentException("hub.cluster.inbox-lock-keep-alive (" + keepAliveMillis
                + " ms) must be less than hub.cluster.inbox-lock-max-age (" + maxAgeMillis + " ms)");
        }
        this.camelContext = camelContext;
        this.maxAgeMillis = maxAgeMillis;
        this.keepAliveMillis = keepAliveMillis;
        setCreateTableIfNotExists(false);           // Flyway V13 makes it, with its primary key
    }

    /** @return 1 when a live instance holds the key (a row refreshed within max-age), else 0 */
    @Override
    protected int queryForInt(String key) {
        return jdbcTemplate.queryForObject("select count(*) from " + TABLE + " where processorName = ? and messageId = ? and createdAt >= ?",
            Integer.class, processorName, key, staleBefore());
    }

    /**
     * Takes the key: removes a dead instance's row of it (still stale now), then inserts this
     * instance's row.
     *
     * @throws org.springframework.dao.DuplicateKeyException when another instance holds the key (it
     *         inserted or took it over since {@link #queryForInt} looked)
     */
    @Override
    protected int insert(String key) {
        jdbcTemplate.update("delete from " + TABLE + " where processorName = ? and messageId = ? and createdAt < ?",
            processorName, key, staleBefore());
        int rows = jdbcTemplate.update(getInsertString(), processorName, key, new Timestamp(System.currentTimeMillis()));
        held.add(key);
        return rows;
    }

    @Override
    protected int delete(String key) {
        held.remove(key);
        return super.delete(key);
    }

    /** @return the keys this instance holds now (for tests and diagnostics) */
    public Set<String> held() {
        return Set.copyOf(held);
    }

    private Timestamp staleBefore() {
        return new Timestamp(System.currentTimeMillis() - maxAgeMillis);
    }

    /** Refreshes the rows of the keys this instance holds (a failure is logged; the next run tries again). */
    void refresh() {
        List<String> keys = List.copyOf(held);
        if (keys.isEmpty()) {
            return;
        }
        Timestamp now = new Timestamp(System.currentTimeMillis());
        try {
            transactionTemplate.executeWithoutResult(status -> jdbcTemplate.batchUpdate(
                "update " + TABLE + " set createdAt = ? where processorName = ? and messageId = ?",
                keys.stream().map(k -> new Object[] {now, processorName, k}).toList()));
        } catch (RuntimeException e) {
            log.warn("could not refresh {} inbox read lock(s): {}; another instance may take them over after {} ms",
                keys.size(), e.toString(), maxAgeMillis);
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        keepAlive = camelContext.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "InboxReadLockKeepAlive");
        keepAlive.scheduleWithFixedDelay(this::refresh, keepAliveMillis, keepAliveMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        if (keepAlive != null) {
            camelContext.getExecutorServiceManager().shutdownNow(keepAlive);
            keepAlive = null;
        }
        super.doStop();
    }
}
