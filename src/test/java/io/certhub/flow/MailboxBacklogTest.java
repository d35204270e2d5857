package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backlog of real issuance mails in the certificate mailbox, more than two polls' worth
 * (camel-mail takes 50 a poll and polls again at once while it finds mail): every one is read
 * once, completes its order once, is moved to Processed once, and its admin email is sent once.
 * As in the benchmark's W3, the sandbox mails INBOX, which the hub does not read; once all are
 * there, one IMAP COPY puts them in the folder the hub reads.
 */
class MailboxBacklogTest {

    static final String MAILBOX = "ssl-orders@reseller.example.com";
    static final String ADMIN = "backlog-admin@example.com";
    static final int N = 120;

    @TempDir
    static Path dataDir;
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.sandbox.approval-delay=0s", "--hub.sandbox.clock-period-ms=100",
            "--hub.vendor.poll-cron=0 0 0 1 1 ? 2099", "--hub.mailbox.folder=Parked", "--hub.mailbox.poll-delay-ms=500",
            "--hub.mail.delivery-sweep-ms=200",
            // an SMTP send the embedded mail server drops under load is tried again within seconds, not after the
            // production backoff (5 s doubling), which a 120-delivery backlog on a loaded machine could outlast
            "--hub.mail.retry-base=300ms", "--hub.mail.retry-max=2s");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    static Store imap() throws Exception {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        Store store = Session.getInstance(p).getStore("imap");
        store.connect("127.0.0.1", hub.imapPort(), MAILBOX, MAILBOX);
        return store;
    }

    static int count(Store store, String folder) throws Exception {
        Folder f = store.getFolder(folder);
        return f.exists() ? f.getMessageCount() : 0;
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
    void aBacklogOfIssuanceMailsCompletesEachOrderOnceAndMovesEachMailOnce() throws Exception {
        var deposit = hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"10000.00\",\"currency\":\"USD\"}");
        assertThat(deposit.statusCode()).as(deposit.body()).isBetween(200, 299);
        for (int i = 0; i < N; i++) {
            String domain = "b" + i + ".backlog.example.com";
            ObjectNode doc = OrderJson.order("BACKLOG-" + i, "comodo_ssl", "process", domain, TestCsrs.ec(domain));
            doc.put("dcvMethod", "dns");
            ((ObjectNode) doc.get("contacts").get("admin")).put("email", ADMIN);
            var r = hub.post("/api/v1/orders", "demo-key", doc.toString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
        try (Store store = imap()) {
            Folder parked = store.getFolder("Parked");
            if (!parked.exists()) {
                parked.create(Folder.HOLDS_MESSAGES);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> count(store, "INBOX") == N);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message[] mails = inbox.getMessages();
            inbox.copyMessages(mails, parked);
            inbox.close(false);

            await().atMost(Duration.ofSeconds(120)).until(() -> hub.count("select count(*) from orders where state = 'COMPLETED'") == N);
            await().atMost(Duration.ofSeconds(120)).until(() -> hub.count("select count(*) from delivery where state = 'SENT'") == N);
            await().atMost(Duration.ofSeconds(120)).until(() -> count(store, "Parked") == 0);
            assertThat(count(store, "Processed")).isEqualTo(N);
            assertThat(count(store, "Review")).isZero();
            assertThat(count(store, "Quarantine")).isZero();
        }
        assertThat(hub.count("select count(*) from mailbox_message where outcome = 'PROCESSED'")).isEqualTo(N);
        assertThat(hub.count("select count(*) from mailbox_message")).isEqualTo(N);
        assertThat(hub.count("select count(*) from journal where entry_type = 'CAPTURE'")).isEqualTo(N);
        assertThat(hub.count("select count(*) from delivery")).isEqualTo(N);
        assertThat(hub.count("select count(*) from delivery where attempts = 1")).isEqualTo(N);
        assertThat(Mailboxes.read(hub.imapPort(), ADMIN, "INBOX")).hasSize(N);
    }
}
