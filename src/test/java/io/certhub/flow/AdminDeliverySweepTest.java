package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.delivery.AdminDelivery;
import io.certhub.sandbox.SandboxMailServer;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin-delivery sweep on a backlog: it goes on past a full batch within one sweep, sends a
 * batch's emails concurrently, and sends each delivery exactly once — also when a second sender
 * (standing for another sweep or hub instance) pushes the same deliveries through the route at
 * the same time. One order is completed through the real mail path; the backlog is that order's
 * certificate queued for many recipients (rows written in one statement, as a burst of
 * completions would).
 */
class AdminDeliverySweepTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;
    static String orderId;
    /** Highest loop index a finished sweep exchange reached (0 = one batch only). */
    static final AtomicInteger maxLoopIndex = new AtomicInteger(-1);

    @BeforeAll
    static void start() throws Exception {
        hub = RunningHub.start(dataDir, "--hub.sandbox.approval-delay=0s", "--hub.sandbox.clock-period-ms=100",
            "--hub.vendor.poll-cron=0 0 0 1 1 ? 2099", "--hub.mailbox.poll-delay-ms=300", "--hub.mail.delivery-sweep-ms=200");
        CamelContext camel = hub.context().getBean(CamelContext.class);
        EventNotifierSupport sweeps = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                Exchange e = ((CamelEvent.ExchangeEvent) event).getExchange();
                if ("admin-delivery-sweep".equals(e.getFromRouteId())) {
                    Integer index = e.getProperty(Exchange.LOOP_INDEX, Integer.class);
                    maxLoopIndex.accumulateAndGet(index == null ? -1 : index, Math::max);
                }
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.ExchangeCompletedEvent;
            }
        };
        camel.getManagementStrategy().addEventNotifier(sweeps);
        ServiceHelper.startService(sweeps);

        String domain = "bulk.example.com";
        ObjectNode doc = OrderJson.order("BULK-1", "comodo_ssl", "process", domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", "dns");
        var r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        orderId = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> "SENT".equals(hub.order(orderId).path("delivery").path("state").asText()));
    }

    /** Queues the order's certificate for {@code n} recipients {@code <prefix>-<i>@example.com}, in one statement. */
    static void queue(String prefix, int n) {
        Timestamp now = Timestamp.from(Instant.now());
        // H2's system_range and PostgreSQL's generate_series, both as a column "X"
        String series = hub.onPostgres() ? "generate_series(1, ?) as s(\"X\")" : "system_range(1, ?)";
        int rows = hub.jdbc().update("insert into delivery(order_id, recipient, state, attempts, next_at, created_at) "
            + "select ?, concat(?, '-', \"X\", '@example.com'), 'PENDING', 0, ?, ? from " + series, orderId, prefix, now, now, n);
        assertThat(rows).isEqualTo(n);
    }

    /** @return emails received by the sandbox mail server per recipient starting with the prefix */
    static Map<String, Long> received(String prefix) throws Exception {
        List<String> to = new ArrayList<>();
        for (MimeMessage m : hub.context().getBean(SandboxMailServer.class).greenMail().getReceivedMessages()) {
            for (Address a : m.getAllRecipients()) {
                if (a.toString().startsWith(prefix + "-")) {
                    to.add(a.toString());
                }
            }
        }
        return to.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    static long rows(String prefix, String condition) {
        return hub.count("select count(*) from delivery where recipient like ? and " + condition, prefix + "-%");
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
    void aBacklogOfMoreThanTwoBatchesIsSentInOneSweepEachEmailOnce() throws Exception {
        int n = 2 * AdminDelivery.SWEEP_BATCH + 100;
        queue("backlog", n);

        await().atMost(Duration.ofSeconds(240)).until(() -> rows("backlog", "state = 'SENT'") == n);
        assertThat(rows("backlog", "attempts = 1 and last_error is null and sent_at is not null")).isEqualTo(n);
        Map<String, Long> received = received("backlog");
        assertThat(received).hasSize(n);
        assertThat(received.values()).containsOnly(1L);
        // the sweep that found the backlog read a full batch, a full batch and the rest: loop index 0, 1, 2
        assertThat(maxLoopIndex.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void theSweepSendsOnTheAdminDeliveryThreadPoolOfDeliveryThreadsThreads() {
        var threads = hub.context().getBean(CamelContext.class).getExecutorServiceManager();
        assertThat(threads.getThreadPoolProfile("admin-delivery").getPoolSize()).isEqualTo(8);      // hub.mail.delivery-threads
        assertThat(threads.getThreadPoolProfile("admin-delivery").getMaxPoolSize()).isEqualTo(8);
        // the queue holds a whole batch (in Camel 4, -1 or 0 would mean no queue at all and every
        // email past the 8 threads would run inline in the caller, recursively: issue 11), and a
        // rejected task aborts instead of running inline
        assertThat(threads.getThreadPoolProfile("admin-delivery").getMaxQueueSize()).isGreaterThanOrEqualTo(AdminDelivery.SWEEP_BATCH);
        assertThat(threads.getThreadPoolProfile("admin-delivery").getRejectedPolicy()).isEqualTo(ThreadPoolRejectedPolicy.Abort);
        assertThat(threads.getThreadPoolProfile("vendor-status-poll").getMaxQueueSize())
            .isGreaterThanOrEqualTo(hub.context().getBean(io.certhub.issuer.VendorProperties.class).getPollBatch());
        assertThat(threads.getThreadPoolProfile("vendor-status-poll").getRejectedPolicy()).isEqualTo(ThreadPoolRejectedPolicy.Abort);
        // Camel's default profile (the other routes' parallel splits) is left as it was
        assertThat(threads.getDefaultThreadPoolProfile().getPoolSize()).isEqualTo(10);
        assertThat(threads.getDefaultThreadPoolProfile().getMaxPoolSize()).isEqualTo(20);
    }

    @Test
    void twoSendersOnTheSameDeliveriesSendEachOnce() throws Exception {
        int n = 300;
        queue("race", n);
        List<Long> ids = hub.jdbc().queryForList("select id from delivery where recipient like 'race-%' order by id", Long.class);
        assertThat(ids).hasSize(n);
        ProducerTemplate producer = hub.context().getBean(CamelContext.class).createProducerTemplate();
        ExecutorService rival = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (Long id : ids) {
                sends.add(rival.submit(() -> producer.sendBody("direct:admin-delivery", id)));
            }
            for (Future<?> f : sends) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            rival.shutdown();
            producer.stop();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> rows("race", "state = 'SENT'") == n);
        assertThat(rows("race", "attempts = 1")).isEqualTo(n);
        Map<String, Long> received = received("race");
        assertThat(received).hasSize(n);
        assertThat(received.values()).containsOnly(1L);
    }
}
