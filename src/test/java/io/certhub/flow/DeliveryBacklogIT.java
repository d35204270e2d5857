package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.certhub.support.HubProcess;
import io.certhub.support.TestCsrs;
import jakarta.mail.internet.MimeMessage;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §1: a delivery backlog after an SMTP outage never freezes the hub. The hub runs as its
 * own process (the packaged jar); its admin emails go to an SMTP server in this test (GreenMail),
 * which is down at first. 2,000 orders dropped as one CSV into the real inbox are issued by the
 * sandbox vendor, read from the certificate mailbox and completed while SMTP is down, so 2,000
 * deliveries are due and failing. Then SMTP comes back; a third of the way through the backlog the
 * hub gets SIGTERM and must stop within 30 s; restarted on the same data it sends the rest.
 * Checked: every admin email received exactly once, no {@code StackOverflowError} in either log,
 * {@code GET /api/v1/account} answering within 1 s throughout the backlog, and, in the database
 * after the hub stopped, one SENT delivery, one capture and one COMPLETED order per order.
 */
class DeliveryBacklogIT {

    static final int N = 2000;
    static final String ADMIN = "backlog-admin@example.com";

    @TempDir
    Path dataDir;
    HubProcess hub;
    GreenMail smtp;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Probes GET /api/v1/account every 200 ms on its own thread and keeps the slowest answer. */
    static final class ApiProbe implements AutoCloseable {
        final AtomicLong slowestMs = new AtomicLong();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        ApiProbe(HubProcess hub) {
            thread = new Thread(() -> {
                while (running.get()) {
                    long t0 = System.nanoTime();
                    try {
                        int status = hub.call("GET", "/api/v1/account", "demo-key", null).statusCode();
                        if (status != 200) {
                            failures.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                    slowestMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    calls.incrementAndGet();
                    try {
                        Thread.sleep(200);      // the probe's own pace, not a wait for an event
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "api-probe");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    String csv() throws Exception {
        StringWriter out = new StringWriter();
        var format = CSVFormat.RFC4180.builder().setHeader("clientReference", "productType", "handle", "period", "domain", "csr",
            "serverType", "dcvMethod", "contacts.admin.firstName", "contacts.admin.lastName", "contacts.admin.email",
            "contacts.admin.phone").get();
        try (CSVPrinter p = new CSVPrinter(out, format)) {
            for (int i = 0; i < N; i++) {
                String domain = "d" + i + ".backlog.example.com";
                p.printRecord("BACKLOG-" + i, "symantec_ssl_lite", "process", "1", domain, TestCsrs.ec(domain), "nginx", "dns",
                    "Alex", "Admin", ADMIN, "+1.5555550100");
            }
        }
        return out.toString();
    }

    long completed() {
        return hub.getJson("/api/v1/orders?state=COMPLETED&size=1", "demo-key").path("totalElements").asLong();
    }

    @Test
    @Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES)
    void twoThousandDueDeliveriesAfterAnSmtpOutageAreSentOnceAcrossASigtermAndARestart() throws Exception {
        int smtpPort = freePort();
        List<String> args = List.of("--hub.sandbox.smtp-port=" + freePort(), "--hub.sandbox.imap-port=" + freePort(),
            // the hub's own certificate mailbox is the sandbox's; its admin emails go to this test's SMTP server
            "--hub.mail.smtp.port=" + smtpPort, "--hub.mail.retry-base=1s", "--hub.mail.retry-max=4s",
            "--hub.mail.delivery-sweep-ms=200", "--hub.intake.quiet-period=300ms", "--hub.intake.poll-delay-ms=200",
            "--hub.mailbox.poll-delay-ms=300", "--hub.sandbox.clock-period-ms=200", "--hub.sandbox.approval-delay=0s",
            "--hub.vendor.poll-cron=0/2 * * * * ?");
        List<String> all = new ArrayList<>(args);
        int port = freePort();
        // the sandbox mailbox port is the hub's certificate mailbox: same value for both properties
        String imap = args.get(1).substring(args.get(1).indexOf('=') + 1);
        all.add("--hub.mailbox.port=" + imap);
        hub = HubProcess.start("delivery-backlog", dataDir, port, all);

        var deposit = hub.call("POST", "/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"30000.00\",\"currency\":\"USD\"}");
        assertThat(deposit.statusCode()).as(deposit.body()).isBetween(200, 299);

        // 2,000 orders into the real inbox, moved in atomically
        Path inbox = Files.createDirectories(dataDir.resolve("inbox").resolve("demo"));
        Path tmp = inbox.resolve("backlog.csv.tmp");
        Files.writeString(tmp, csv());
        Files.move(tmp, inbox.resolve("backlog.csv"), StandardCopyOption.ATOMIC_MOVE);

        // every order completed while SMTP is down: 2,000 deliveries due, each failing and backing off
        await("2,000 orders COMPLETED").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1)).until(() -> completed() == N);
        await("every delivery tried once").atMost(Duration.ofMinutes(2)).until(() -> hub.metric("certhub.deliveries.failed") >= N);
        assertThat(hub.metric("certhub.deliveries.sent")).isZero();

        Duration stopped;
        long slowestBefore;
        int receivedAtStop;
        try (ApiProbe probe = new ApiProbe(hub)) {
            // SMTP comes back
            smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            smtp.start();
            await("a third of the backlog sent").atMost(Duration.ofMinutes(3)).until(() -> smtp.getReceivedMessages().length >= N / 3);
            probe.close();
            slowestBefore = probe.slowestMs.get();
            assertThat(probe.failures.get()).as("API calls that failed while the backlog was sent").isZero();
            assertThat(probe.calls.get()).isPositive();
            stopped = hub.terminate(Duration.ofSeconds(60));
            receivedAtStop = smtp.getReceivedMessages().length;
        }
        assertThat(stopped).as("SIGTERM during the backlog: time to exit").isLessThan(Duration.ofSeconds(30));
        assertThat(receivedAtStop).isLessThan(N);

        hub.restart();
        long slowestAfter;
        try (ApiProbe probe = new ApiProbe(hub)) {
            await("the rest sent after the restart").atMost(Duration.ofMinutes(5)).until(() -> smtp.getReceivedMessages().length >= N);
            probe.close();
            slowestAfter = probe.slowestMs.get();
            assertThat(probe.failures.get()).isZero();
        }
        System.out.printf("delivery backlog: SIGTERM → exit %d ms with %d of %d sent; slowest GET /api/v1/account %d ms before, %d ms after the restart%n",
            stopped.toMillis(), receivedAtStop, N, slowestBefore, slowestAfter);
        assertThat(slowestBefore).as("slowest GET /api/v1/account while the backlog was sent, ms").isLessThan(1000);
        assertThat(slowestAfter).as("slowest GET /api/v1/account after the restart, ms").isLessThan(1000);

        // every order's delivery SENT, then the hub stopped so its database can be counted
        await("every delivery SENT").atMost(Duration.ofMinutes(1)).until(() -> deliveriesSent() == N);
        assertThat(hub.terminate(Duration.ofSeconds(60))).isLessThan(Duration.ofSeconds(30));

        Map<String, Long> bySubject = new java.util.HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            bySubject.merge(m.getSubject(), 1L, Long::sum);
        }
        assertThat(smtp.getReceivedMessages()).hasSize(N);
        assertThat(bySubject).hasSize(N);
        assertThat(bySubject.values()).containsOnly(1L);

        String logs = hub.logs();
        assertThat(logs).doesNotContain("StackOverflowError").doesNotContain("RejectedExecutionException");

        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("db/certhub")
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "")) {
            assertThat(count(db, "select count(*) from orders")).isEqualTo(N);
            assertThat(count(db, "select count(*) from orders where state = 'COMPLETED'")).isEqualTo(N);
            assertThat(count(db, "select count(*) from delivery")).isEqualTo(N);
            assertThat(count(db, "select count(distinct order_id) from delivery where state = 'SENT'")).isEqualTo(N);
            assertThat(count(db, "select count(*) from journal where entry_type = 'CAPTURE'")).isEqualTo(N);
            assertThat(count(db, "select count(*) from journal where entry_type = 'HOLD'")).isEqualTo(N);
        }
    }

    long deliveriesSent() {
        long sent = 0;
        for (int page = 0; page * 200 < N; page++) {
            JsonNode items = hub.getJson("/api/v1/orders?state=COMPLETED&size=200&page=" + page, "demo-key").path("items");
            for (JsonNode o : items) {
                if ("SENT".equals(o.path("delivery").path("state").asText())) {
                    sent++;
                }
            }
        }
        return sent;
    }

    static long count(Connection db, String sql) throws Exception {
        try (var st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
