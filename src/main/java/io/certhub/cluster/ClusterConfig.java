package io.certhub.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The beans that let several hub instances share one database (issue 12 §3).
 *
 * <ul>
 *   <li>{@code clusterLockRepository}/{@code clusterLocks}: Spring Integration's JDBC lock registry
 *       on table {@code int_lock} (region {@code certhub});</li>
 *   <li>{@code clusterService}: {@link JdbcLockClusterService}, the Camel cluster service (added to
 *       the Camel context by camel-spring-boot), and {@code leadershipEventGate}
 *       ({@link LeadershipEventGate}), which stops its leadership events before the context stops;</li>
 *   <li>{@code certificateMailboxLeader}, {@code sandboxVendorClockLeader}: Camel's
 *       {@code ClusteredRoutePolicy} of the routes that run on one instance only (routes/ name them
 *       in {@code routePolicy}); the route keeps its own consumer, so its health check stays;</li>
 *   <li>{@code intakeReadLock}: {@link InboxReadLockRepository} (camel-sql's JDBC idempotent repository), the order-file
 *       intake's read lock ({@code readLock=idempotent}), so instances sharing one inbox folder
 *       never read the same file at once (in memory on an embedded H2 database, which one
 *       process opens);</li>
 *   <li>health component {@code cluster}: this instance's id and the namespaces it leads.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class ClusterConfig {

    /** Lock region of the hub in {@code int_lock}. */
    public static final String REGION = "certhub";

    /**
     * @param props {@code hub.cluster.*}
     * @return this instance's id: {@code hub.cluster.instance-id}, else {@code <host>-<pid>}
     */
    static String instanceId(ClusterProperties props) {
        if (props.getInstanceId() != null && !props.getInstanceId().isBlank()) {
            return props.getInstanceId();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /**
     * @return the lock rows of this instance (client id derived from a fresh UUID per start, so a
     *         restarted instance never mistakes its predecessor's rows for its own), TTL {@code hub.cluster.lock-ttl}
     */
    @Bean
    public DefaultLockRepository clusterLockRepository(DataSource dataSource, ClusterProperties props) {
        DefaultLockRepository repository = new DefaultLockRepository(dataSource, java.util.UUID.randomUUID().toString());
        repository.setRegion(REGION);
        repository.setTimeToLive((int) props.getLockTtl().toMillis());
        return repository;
    }

    /** @return this instance's heartbeat row ({@code hub_instance}), named by {@code hub.cluster.instance-id} */
    @Bean
    public HubInstance hubInstance(org.springframework.jdbc.core.JdbcTemplate jdbc, java.time.Clock clock, ClusterProperties props) {
        return new HubInstance(jdbc, clock, instanceId(props), props.getHeartbeat(), props.getClaimTakeover());
    }

    /** @return the JDBC lock registry on {@code clusterLockRepository} */
    @Bean
    public JdbcLockRegistry clusterLocks(DefaultLockRepository clusterLockRepository) {
        return new JdbcLockRegistry(clusterLockRepository);
    }

    /** @return the Camel cluster service of the leader-only route policies (added to the Camel context by camel-spring-boot) */
    @Bean
    public JdbcLockClusterService clusterService(JdbcLockRegistry clusterLocks, DefaultLockRepository clusterLockRepository,
                                                 ClusterProperties props) {
        return new JdbcLockClusterService(instanceId(props), clusterLocks, clusterLockRepository, props.getHeartbeat());
    }

    /**
     * @return the gate that stops leadership events before the Camel context stops (waits at most 30 s
     *         for an event in progress)
     */
    @Bean
    public LeadershipEventGate leadershipEventGate(JdbcLockClusterService clusterService) {
        return new LeadershipEventGate(clusterService, java.time.Duration.ofSeconds(30));
    }

    /**
     * @return the route policy of route {@code certificate-mailbox}: started on the leader of
     *         namespace {@code certificate-mailbox} only (its own {@code autoStartup} still applies)
     * @throws Exception when the policy cannot be made
     */
    @Bean
    public ClusteredRoutePolicy certificateMailboxLeader(JdbcLockClusterService clusterService, CamelContext camel) throws Exception {
        return leaderOnly(clusterService, camel, "certificate-mailbox");
    }

    /**
     * A route policy that runs its route on the one instance holding the namespace's leader lock
     * (also used by the sandbox add-on for its clock route).
     *
     * @param clusterService the hub's JDBC cluster service
     * @param camel          the Camel context
     * @param namespace      the leader lock's namespace, e.g. {@code certificate-mailbox}
     * @return the policy, to be named in a route's {@code routePolicy}
     * @throws Exception when the policy cannot be made
     */
    public static ClusteredRoutePolicy leaderOnly(JdbcLockClusterService clusterService, CamelContext camel, String namespace) throws Exception {
        ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(clusterService, namespace);
        policy.setCamelContext(camel);
        return policy;
    }

    /**
     * The inbox read lock: key = the file's path, held while the file is read.
     *
     * <p>On a database several instances can share (PostgreSQL, or H2 reached over TCP or with
     * {@code AUTO_SERVER}): {@link InboxReadLockRepository}, rows in {@code camel_messageprocessed},
     * refreshed every {@code hub.cluster.inbox-lock-keep-alive}, taken over after
     * {@code hub.cluster.inbox-lock-max-age}. On the embedded H2 file or in-memory database, which
     * one process opens (H2 locks the file), only this instance can read the inbox through it:
     * Camel's {@link MemoryIdempotentRepository}, so a file costs no database commits for its lock
     * (two per file, each a write of the database file under H2's {@code WRITE_DELAY=0}).
     *
     * @return the read lock of route {@code order-file-intake}
     * @throws SQLException when the database cannot be reached to read its URL
     */
    @Bean
    public IdempotentRepository intakeReadLock(DataSource dataSource, PlatformTransactionManager tx,
                                               CamelContext camel, ClusterProperties props) throws SQLException {
        if (embeddedSingleProcess(dataSource)) {
            return MemoryIdempotentRepository.memoryIdempotentRepository(10_000);
        }
        return new InboxReadLockRepository(dataSource, new TransactionTemplate(tx), "order-file-intake", camel,
            props.getInboxLockMaxAge().toMillis(), props.getInboxLockKeepAlive().toMillis());
    }

    /**
     * @param dataSource the hub database
     * @return true for an embedded H2 database ({@code jdbc:h2:file:}, {@code jdbc:h2:mem:}, or a
     *         bare path) without {@code AUTO_SERVER=TRUE}: no second process can use it
     * @throws SQLException when the database cannot be reached
     */
    static boolean embeddedSingleProcess(DataSource dataSource) throws SQLException {
        try (java.sql.Connection c = dataSource.getConnection()) {
            String url = c.getMetaData().getURL();
            return embeddedSingleProcess(url);
        }
    }

    /**
     * @param jdbcUrl a JDBC URL
     * @return whether it names an embedded H2 database no other process can open at the same time
     */
    static boolean embeddedSingleProcess(String jdbcUrl) {
        String u = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(java.util.Locale.ROOT).replace(" ", "");
        return u.startsWith("jdbc:h2:") && !u.startsWith("jdbc:h2:tcp:") && !u.startsWith("jdbc:h2:ssl:")
            && !u.contains("auto_server=true");
    }

    /** @return health component {@code cluster}: always UP; details {@code instanceId} and {@code leader} (namespace → leads) */
    @Bean
    public HealthIndicator clusterHealthIndicator(JdbcLockClusterService clusterService) {
        return () -> Health.up().withDetails(Map.of("instanceId", clusterService.getId(), "leader", clusterService.leadership())).build();
    }
}
