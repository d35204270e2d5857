package io.certhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.spring.SpringCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;

/**
 * The gate of leadership events that the hub closes before the Camel context stops (the deadlock of
 * stop 23: a lock lost during shutdown stopped a route while the shutdown stopped it too).
 */
class LeadershipEventGateTest {

    private final JdbcLockClusterService service = new JdbcLockClusterService("test", null, null, Duration.ofSeconds(1));

    /** Tells an event (on another thread) that says it started, waits for {@code release}, then runs {@code then}. */
    private CompletableFuture<Boolean> tellBlocking(CountDownLatch started, CountDownLatch release, Runnable then) {
        return CompletableFuture.supplyAsync(() -> service.tell(() -> {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            then.run();
        }));
    }

    @Test
    void closingWaitsForTheEventInProgressAndThenRefusesEvents() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> event = tellBlocking(started, release, () -> order.add("route stopped by the lost lock"));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(() -> {
            boolean clean = service.closeLeadershipEvents(Duration.ofSeconds(10));
            order.add("gate closed, clean=" + clean);
        });
        closer.start();
        // the closer waits on the gate while the event runs
        await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
        assertThat(order).isEmpty();
        assertThat(service.leadershipEventsClosed()).isFalse();

        release.countDown();
        closer.join(10_000);
        assertThat(event.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).containsExactly("route stopped by the lost lock", "gate closed, clean=true");
        assertThat(service.leadershipEventsClosed()).isTrue();

        List<String> late = new CopyOnWriteArrayList<>();
        assertThat(service.tell(() -> late.add("route started by a lock won during shutdown"))).isFalse();
        assertThat(late).isEmpty();
    }

    @Test
    void anEventThatDoesNotEndDoesNotHoldTheShutdownPastTheWait() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> event = tellBlocking(started, release, () -> { });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(service.closeLeadershipEvents(Duration.ofMillis(200))).isFalse();
        assertThat(service.leadershipEventsClosed()).isTrue();
        release.countDown();
        assertThat(event.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(service.tell(() -> { })).isFalse();
    }

    @Test
    void theGateClosesAfterTheWebServerAndBeforeTheCamelContext() {
        LeadershipEventGate gate = new LeadershipEventGate(service, Duration.ofSeconds(1));
        // Spring stops lifecycles from the highest phase down
        assertThat(gate.getPhase()).isGreaterThan(new SpringCamelContext().getPhase());
        assertThat(gate.getPhase()).isLessThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE);

        gate.start();
        assertThat(gate.isRunning()).isTrue();
        gate.stop();
        assertThat(gate.isRunning()).isFalse();
        assertThat(service.leadershipEventsClosed()).isTrue();
        // a context started again after a stop (not a close) tells leadership again
        gate.start();
        assertThat(service.leadershipEventsClosed()).isFalse();
        List<String> told = new CopyOnWriteArrayList<>();
        assertThat(service.tell(() -> told.add("route started"))).isTrue();
        assertThat(told).containsExactly("route started");
    }
}
