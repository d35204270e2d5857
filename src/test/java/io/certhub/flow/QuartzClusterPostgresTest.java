package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.certhub.support.OnPostgres;
import io.certhub.support.RunningHub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobListener;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.matchers.EverythingMatcher;

/**
 * Quartz's clustered JDBC job store (issue 12, section 3): two hubs on one PostgreSQL database,
 * the vendor status poll scheduled every second on both; each scheduled fire time is run by one
 * hub only (with an in-memory store each hub would run every second itself, so every time would
 * appear twice). When one hub stops, the other goes on firing the schedule alone.
 */
@OnPostgres
class QuartzClusterPostgresTest {

    @TempDir
    Path first;
    @TempDir
    Path second;

    /** One fire of the status-poll job: which hub, and the trigger time it was for. */
    record Fire(String hub, Instant scheduled) { }

    static void record(RunningHub hub, String name, Queue<Fire> fires) throws SchedulerException {
        hub.context().getBean(Scheduler.class).getListenerManager().addJobListener(new JobListener() {
            @Override
            public String getName() {
                return "test-fires-" + name;
            }

            @Override
            public void jobToBeExecuted(JobExecutionContext context) {
                if (context.getTrigger().getKey().getName().contains("vendor-status-poll")) {
                    fires.add(new Fire(name, context.getScheduledFireTime().toInstant()));
                }
            }

            @Override
            public void jobExecutionVetoed(JobExecutionContext context) {
            }

            @Override
            public void jobWasExecuted(JobExecutionContext context, JobExecutionException e) {
            }
        }, EverythingMatcher.allJobs());
    }

    @Test
    void theStatusPollFiresOnceAcrossTwoHubsAndGoesOnWhenOneStops() throws Exception {
        String everySecond = "--hub.vendor.poll-cron=* * * * * ?";
        Queue<Fire> fires = new ConcurrentLinkedQueue<>();
        try (RunningHub a = RunningHub.start(first, everySecond)) {
            String[] ds = a.datasource();
            try (RunningHub b = RunningHub.start(second, everySecond, "--spring.datasource.url=" + ds[0],
                "--spring.datasource.username=" + ds[1], "--spring.datasource.password=" + ds[2])) {
                // b runs on a's database (the arguments above replace the fresh one RunningHub made for it)
                assertThat(b.jdbc().queryForObject("select current_database()", String.class))
                    .isEqualTo(a.jdbc().queryForObject("select current_database()", String.class));
                record(a, "a", fires);
                record(b, "b", fires);
                // both schedulers checked in to the one cluster
                assertThat(a.count("select count(*) from qrtz_scheduler_state where sched_name = 'certhub'")).isEqualTo(2);

                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> fires.size() >= 10);
                List<Fire> seen = List.copyOf(fires);
                Map<Instant, Long> perTime = seen.stream().collect(Collectors.groupingBy(Fire::scheduled, Collectors.counting()));
                assertThat(perTime.values()).as("fires per trigger time: %s", seen).containsOnly(1L);
                assertThat(perTime.keySet()).allSatisfy(t -> assertThat(t.getNano()).isZero());   // whole seconds, as the cron says
                // one trigger in the store for the route, shared by both
                assertThat(a.count("select count(*) from qrtz_triggers where trigger_name like '%vendor-status-poll%'")).isEqualTo(1);

                a.close();
                int before = fires.size();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> fires.stream().skip(before).filter(f -> f.hub().equals("b")).count() >= 5);
                List<Fire> after = List.copyOf(fires);
                Map<Instant, Long> all = after.stream().collect(Collectors.groupingBy(Fire::scheduled, Collectors.counting()));
                assertThat(all.values()).as("fires per trigger time: %s", after).containsOnly(1L);
                Map<String, Long> perHub = after.stream().collect(Collectors.groupingBy(Fire::hub, Collectors.counting()));
                assertThat(perHub.get("b")).isGreaterThanOrEqualTo(5);
            }
        }
    }
}
