package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared error handling of the scheduled sweeps (route configuration {@code sweep-errors},
 * {@link io.certhub.retry.SweepFailures}; issue 14 §3), on a running hub: while the admin
 * delivery's table is gone, every run of the {@code admin-delivery-sweep} timer fails and is
 * counted in {@code certhub.sweep.failures{route=admin-delivery-sweep}}, read over HTTP from
 * {@code /actuator/metrics}; the timer keeps running, and once the table is back the runs succeed
 * again (five more runs add at most the one under way at the rename back).
 */
class SweepFailuresTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.mail.delivery-sweep-ms=200");
    }

    static double failures() {
        HttpResponse<String> r = hub.get("/actuator/metrics/certhub.sweep.failures?tag=route:admin-delivery-sweep", null);
        if (r.statusCode() == 404) {
            return 0;                                       // not counted yet
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode m = OrderJson.parse(r.body());
        return m.get("measurements").get(0).get("value").asDouble();
    }

    @Test
    void aFailingSweepRunIsCountedPerRouteAndTheTimerGoesOn() {
        assertThat(failures()).isZero();
        hub.jdbc().execute("alter table delivery rename to delivery_away");
        double during;
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> failures() >= 3);
        } finally {
            hub.jdbc().execute("alter table delivery_away rename to delivery");
        }
        during = failures();
        // the next five runs succeed: the counter grows at most by the one run under way at the rename back
        NotifyBuilder runs = new NotifyBuilder(hub.context().getBean(CamelContext.class)).fromRoute("admin-delivery-sweep")
            .whenCompleted(5).create();
        assertThat(runs.matches(30, TimeUnit.SECONDS)).as("five more runs of the sweep").isTrue();
        assertThat(failures()).isBetween(during, during + 1);
    }
}
