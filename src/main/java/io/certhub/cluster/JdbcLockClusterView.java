package io.certhub.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * One namespace of {@link JdbcLockClusterService}: a {@code LockRegistryLeaderInitiator} competes
 * for the lock named after the namespace on its own thread ({@code cluster-<namespace>}) and turns
 * "granted"/"revoked" into Camel leadership events, which start and stop the routes of the
 * namespace (their {@code ClusteredRoutePolicy}).
 *
 * <p>Only this instance is a known member: the lock table says who holds a lock, not who else waits
 * for it, so {@link #getLeader()} is this instance when it leads and empty otherwise.
 */
final class JdbcLockClusterView extends AbstractCamelClusterView {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcLockClusterView.class);

    private final LockRegistry locks;
    private final Duration heartbeat;
    private final LocalMember local = new LocalMember();
    private volatile boolean leader;
    private LockRegistryLeaderInitiator initiator;

    JdbcLockClusterView(JdbcLockClusterService service, String namespace, LockRegistry locks, Duration heartbeat) {
        super(service, namespace);
        this.locks = locks;
        this.heartbeat = heartbeat;
    }

    @Override
    protected void doStart() {
        initiator = new LockRegistryLeaderInitiator(locks, new Candidate() {
            @Override
            public String getRole() {
                return getNamespace();
            }

            @Override
            public String getId() {
                return getClusterService().getId();
            }

            @Override
            public void onGranted(Context ctx) {
                leader = true;
                LOG.info("cluster: this instance ({}) now leads {}", getId(), getNamespace());
                service().tell(() -> fireLeadershipChangedEvent(local));
            }

            @Override
            public void onRevoked(Context ctx) {
                if (leader) {
                    leader = false;
                    LOG.info("cluster: this instance ({}) no longer leads {}", getId(), getNamespace());
                    // not told once the hub shuts down (the service's gate, closed before the Camel context
                    // stops) or the context stops: telling the ClusteredRoutePolicy then would take its lock
                    // and then the context's route lock, while the shutdown holds the context's lock and waits
                    // for the policy's (a deadlock seen in HostileInboxTest when the lock was lost to a closed
                    // database during shutdown); the shutdown stops the routes itself
                    service().tell(() -> {
                        if (!contextStopping()) {
                            fireLeadershipChangedEvent((CamelClusterMember) null);
                        }
                    });
                }
            }
        });
        initiator.setHeartBeatMillis(heartbeat.toMillis());
        initiator.setBusyWaitMillis(Math.max(50, heartbeat.toMillis() / 10));
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("cluster-" + getNamespace() + "-");
        executor.setDaemon(true);
        initiator.setTaskExecutor(executor);
        initiator.start();
    }

    @Override
    protected void doStop() {
        if (initiator != null) {
            initiator.stop();
            initiator = null;
        }
        if (leader) {
            leader = false;
            fireLeadershipChangedEvent((CamelClusterMember) null);
        }
    }

    private JdbcLockClusterService service() {
        return (JdbcLockClusterService) getClusterService();
    }

    /** @return whether the Camel context is stopping or stopped (its shutdown stops the managed routes itself) */
    private boolean contextStopping() {
        org.apache.camel.CamelContext camel = getCamelContext();
        return camel != null && (camel.isStopping() || camel.isStopped());
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        return leader ? Optional.of(local) : Optional.empty();
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        return List.of(local);
    }

    private final class LocalMember implements CamelClusterMember {
        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public String getId() {
            return getClusterService().getId();
        }
    }
}
