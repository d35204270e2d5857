package io.certhub.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * A Camel cluster service whose leader of each namespace is the instance holding that namespace's
 * lock in the shared database: one {@link JdbcLockClusterView} per namespace, each with Spring
 * Integration's {@code LockRegistryLeaderInitiator} on a {@code JdbcLockRegistry} (table
 * {@code int_lock}).
 *
 * <p>Why the database and not a file lock: every hub instance must share the database (it holds
 * the orders and the ledger), whereas a shared file system is optional; a file lock on storage the
 * instances do not share would make every instance a leader.
 *
 * <p>Timing: the leader renews its lock every {@code heartbeat}; a lock not renewed for
 * {@code ttl} (the holder was killed, hung, or lost the database) is taken by another instance
 * within about {@code ttl + heartbeat}. A leader that cannot renew (database gone) gives up
 * leadership and its consumers stop. On a graceful stop the locks are released at once
 * ({@link DefaultLockRepository#close()}), so another instance takes over within a heartbeat.
 * The instances' clocks must agree to well under {@code ttl} (the expiry compares each instance's
 * own clock with the row's time): run NTP.
 *
 * <p>Shutdown: a leadership event stops or starts routes through Camel's {@code ClusteredRoutePolicy},
 * which takes the policy's lock and then the Camel context's route lock; the context's shutdown takes
 * them the other way round. So events pass a gate ({@link #tell(Runnable)}) that
 * {@link #closeLeadershipEvents(Duration)} closes before the Camel context starts to stop
 * ({@link LeadershipEventGate}, a Spring lifecycle of a higher phase than Camel's): after that, a lock
 * won or lost changes no route, and the shutdown stops the routes itself.
 */
public class JdbcLockClusterService extends AbstractCamelClusterService<JdbcLockClusterView> {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcLockClusterService.class);

    private final LockRegistry locks;
    private final DefaultLockRepository repository;
    private final Duration heartbeat;
    private final ReentrantLock gate = new ReentrantLock();
    private volatile boolean gateClosed;

    /**
     * @param id         this instance's member id (log lines, {@link #leadership()})
     * @param locks      the JDBC lock registry on {@code repository}
     * @param repository the lock rows of this instance (released on stop)
     * @param heartbeat  how often the leader renews its lock and a follower tries to take it
     */
    public JdbcLockClusterService(String id, LockRegistry locks, DefaultLockRepository repository, Duration heartbeat) {
        super(id);
        this.locks = locks;
        this.repository = repository;
        this.heartbeat = heartbeat;
    }

    @Override
    protected JdbcLockClusterView createView(String namespace) {
        return new JdbcLockClusterView(this, namespace, locks, heartbeat);
    }

    /** Stops every view (its consumers stopped first by Camel), then deletes this instance's lock rows. */
    @Override
    protected void doStop() throws Exception {
        super.doStop();
        try {
            repository.close();
        } catch (RuntimeException e) {
            LOG.warn("could not release this instance's cluster locks ({}); other instances take them after the lock TTL", e.toString());
        }
    }

    /**
     * Runs a leadership event (a view's "now leads" / "no longer leads", which starts or stops routes)
     * unless the gate is closed; one event at a time.
     *
     * @param event fires the Camel leadership event
     * @return whether it ran (false once {@link #closeLeadershipEvents(Duration)} was called)
     */
    boolean tell(Runnable event) {
        gate.lock();
        try {
            if (gateClosed) {
                return false;
            }
            event.run();
            return true;
        } finally {
            gate.unlock();
        }
    }

    /**
     * Closes the gate of leadership events: waits for an event being told to finish (at most
     * {@code wait}), after which no lock won or lost starts or stops a route. Called once the hub
     * shuts down, before the Camel context stops.
     *
     * @param wait how long to wait for an event being told (it stops or starts a route: bounded by
     *             Camel's shutdown timeout)
     * @return whether no event was running when the gate closed (false: it still ran after {@code wait})
     */
    public boolean closeLeadershipEvents(Duration wait) {
        boolean locked = false;
        try {
            locked = gate.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gateClosed = true;
        if (locked) {
            gate.unlock();
        } else {
            LOG.warn("cluster: a leadership event still runs after {}; the shutdown goes on", wait);
        }
        return locked;
    }

    /** Opens the gate again (a Spring context started after a stop, not a close). */
    public void openLeadershipEvents() {
        gateClosed = false;
    }

    /** @return whether leadership events are no longer told (the hub is shutting down) */
    public boolean leadershipEventsClosed() {
        return gateClosed;
    }

    /**
     * @return for every namespace this instance takes part in (sorted by name): whether it leads it
     *         now, e.g. {@code {certificate-mailbox=true, sandbox-vendor-clock=true}}
     */
    public Map<String, Boolean> leadership() {
        Map<String, Boolean> out = new TreeMap<>();
        for (String ns : getNamespaces()) {
            out.put(ns, isLeader(ns));
        }
        return out;
    }
}
