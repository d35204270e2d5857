package io.certhub.cluster;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * This hub instance in table {@code hub_instance} (Flyway V14): a row with a fresh UUID per start,
 * its heartbeat renewed every {@code hub.cluster.heartbeat} on a thread of its own. Claims on work
 * (an order's vendor step: {@code orders.vendor_claimed_by}; a delivery: {@code delivery.claimed_by})
 * name the instance holding them; a claim whose instance has not beaten for
 * {@code hub.cluster.claim-takeover} is free to take at once ({@link #claimantDead(String)}), so a
 * killed instance's work moves to the others within about that time instead of the claim's lease
 * (issue 16 item 10).
 *
 * <p>Lifecycle: started before the Camel routes and the web server (phase {@link #PHASE}), stopped
 * after them; on a graceful stop the row is deleted, so whatever this instance still holds is free
 * at once. The instances' clocks must agree to well under the take-over time (run NTP).
 */
public class HubInstance implements SmartLifecycle {

    /** Before the Camel routes (and the sandbox mail server), after the database. */
    public static final int PHASE = Integer.MIN_VALUE + 500;
    /** How long a row may go without a heartbeat before it is deleted as long gone. */
    static final Duration FORGET_AFTER = Duration.ofDays(1);

    private static final Logger LOG = LoggerFactory.getLogger(HubInstance.class);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String id = UUID.randomUUID().toString();
    private final String name;
    private final Duration heartbeat;
    private final Duration takeover;
    private ScheduledExecutorService beats;
    private volatile boolean running;
    private long beatsDone;

    /**
     * @param jdbc      template on the hub database
     * @param clock     the hub's clock (heartbeat times)
     * @param name      {@code hub.cluster.instance-id} (logs)
     * @param heartbeat how often the row is renewed
     * @param takeover  a claimant silent this long is dead (must be several heartbeats)
     * @throws IllegalArgumentException when {@code takeover} is not at least three heartbeats
     */
    public HubInstance(JdbcTemplate jdbc, Clock clock, String name, Duration heartbeat, Duration takeover) {
        if (takeover.compareTo(heartbeat.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("hub.cluster.claim-takeover (" + takeover + ") must be at least three heartbeats ("
                + "hub.cluster.heartbeat " + heartbeat + ")");
        }
        this.jdbc = jdbc;
        this.clock = clock;
        this.name = name;
        this.heartbeat = heartbeat;
        this.takeover = takeover;
    }

    /** @return this run's id (the value of the {@code *_claimed_by} columns) */
    public String id() {
        return id;
    }

    /** @return the moment before which a heartbeat means its instance is dead: now − claim-takeover */
    public Timestamp deadBefore() {
        return Timestamp.from(clock.instant().minus(takeover));
    }

    /**
     * @param column a claimant column, e.g. {@code orders.vendor_claimed_by}
     * @return an SQL condition with one parameter ({@link #deadBefore()}), true when the column
     *         names an instance that stopped beating (or whose row is gone)
     */
    public static String claimantDead(String column) {
        return "(" + column + " is not null and not exists (select 1 from hub_instance i where i.id = " + column
            + " and i.heartbeat_at >= ?))";
    }

    /** Renews the heartbeat (re-inserting the row if it was removed meanwhile); forgets rows silent for a day. */
    void beat() {
        Timestamp now = Timestamp.from(clock.instant());
        try {
            if (jdbc.update("update hub_instance set heartbeat_at = ? where id = ?", now, id) == 0) {
                jdbc.update("insert into hub_instance(id, name, started_at, heartbeat_at) values (?, ?, ?, ?)", id, name, now, now);
            }
            if (beatsDone++ % 600 == 0) {
                jdbc.update("delete from hub_instance where heartbeat_at < ?", Timestamp.from(clock.instant().minus(FORGET_AFTER)));
            }
        } catch (RuntimeException e) {
            LOG.warn("cluster: heartbeat of {} failed ({}); after {} without one, other instances take over its claims", name, e.toString(), takeover);
        }
    }

    @Override
    public synchronized void start() {
        beat();
        beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hub-instance-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beats.scheduleWithFixedDelay(this::beat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        running = true;
        LOG.info("cluster: instance {} ({}) beating every {}; claims of an instance silent for {} are taken over", name, id, heartbeat, takeover);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (beats != null) {
            beats.shutdownNow();
            beats = null;
        }
        try {
            jdbc.update("delete from hub_instance where id = ?", id);
        } catch (RuntimeException e) {
            LOG.warn("cluster: could not remove instance {} ({}); its claims are taken over after {}", name, e.toString(), takeover);
        }
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
