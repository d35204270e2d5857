package io.certhub.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
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
 *   <li>{@code clusterService}: {@link JdbcLockClusterService}, the Camel cluster service that the
 *       {@code master:} endpoints of routes/ find in the Camel context (certificate mailbox,
 *       sandbox vendor clock);</li>
 *   <li>{@code intakeReadLock}: {@link InboxReadLockRepository} (camel-sql's JDBC idempotent repository), the order-file
 *       intake's read lock ({@code readLock=idempotent}), so instances sharing one inbox folder
 *       never read the same file at once;</li>
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

    /** @return the JDBC lock registry on {@code clusterLockRepository} */
    @Bean
    public JdbcLockRegistry clusterLocks(DefaultLockRepository clusterLockRepository) {
        return new JdbcLockRegistry(clusterLockRepository);
    }

    /** @return the Camel cluster service of the {@code master:} endpoints (added to the Camel context by camel-spring-boot) */
    @Bean
    public JdbcLockClusterService clusterService(JdbcLockRegistry clusterLocks, DefaultLockRepository clusterLockRepository,
                                                 ClusterProperties props) {
        return new JdbcLockClusterService(instanceId(props), clusterLocks, clusterLockRepository, props.getHeartbeat());
    }

    /**
     * @return the inbox read lock: key = the file's path, held while the file is read, refreshed every
     *         {@code hub.cluster.inbox-lock-keep-alive}, taken over after {@code hub.cluster.inbox-lock-max-age}
     */
    @Bean
    public InboxReadLockRepository intakeReadLock(DataSource dataSource, PlatformTransactionManager tx,
                                                  CamelContext camel, ClusterProperties props) {
        return new InboxReadLockRepository(dataSource, new TransactionTemplate(tx), "order-file-intake", camel,
            props.getInboxLockMaxAge().toMillis(), props.getInboxLockKeepAlive().toMillis());
    }

    /** @return health component {@code cluster}: always UP; details {@code instanceId} and {@code leader} (namespace → leads) */
    @Bean
    public HealthIndicator clusterHealthIndicator(JdbcLockClusterService clusterService) {
        return () -> Health.up().withDetails(Map.of("instanceId", clusterService.getId(), "leader", clusterService.leadership())).build();
    }
}
