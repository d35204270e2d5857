package io.certhub.cluster;

import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the cluster service's gate of leadership events when the hub shuts down, before the Camel
 * context stops (see {@link JdbcLockClusterService}: a lock lost during the shutdown must not stop a
 * route while the shutdown stops it too, the two take Camel's locks in opposite order).
 *
 * <p>Phase {@value #PHASE}: above Camel's {@code SpringCamelContext} ({@code Integer.MAX_VALUE - 2049}),
 * so Spring stops this first; below the web server's graceful shutdown ({@code Integer.MAX_VALUE - 1024}),
 * so requests in flight finish while leadership still works.
 */
public class LeadershipEventGate implements SmartLifecycle {

    /** The lifecycle phase: stopped after the web server, before the Camel context. */
    public static final int PHASE = Integer.MAX_VALUE - 1536;

    private final JdbcLockClusterService service;
    private final Duration wait;
    private volatile boolean running;

    /**
     * @param service the hub's cluster service
     * @param wait    how long to wait for a leadership event in progress (it starts or stops a route)
     */
    public LeadershipEventGate(JdbcLockClusterService service, Duration wait) {
        this.service = service;
        this.wait = wait;
    }

    /** Opens the gate (again, when the context is started after a stop). */
    @Override
    public void start() {
        service.openLeadershipEvents();
        running = true;
    }

    /** Closes the gate: waits for an event in progress (at most the wait given), then no more events. */
    @Override
    public void stop() {
        running = false;
        service.closeLeadershipEvents(wait);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
