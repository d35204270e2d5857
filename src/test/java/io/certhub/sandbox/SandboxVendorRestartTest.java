package io.certhub.sandbox;

import static io.certhub.sandbox.SandboxWire.HUB_MAILBOX;
import static io.certhub.sandbox.SandboxWire.attrs;
import static io.certhub.sandbox.SandboxWire.inbox;
import static io.certhub.sandbox.SandboxWire.ops;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.certhub.issuer.opensrs.OpsReply;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox vendor survives a restart: its orders, order ids, CA and the record of emails
 * already sent are in the database and the data dir, so an issued-certificate email is never
 * sent twice. (The embedded mail server keeps mail in memory: it starts empty after a restart.)
 */
class SandboxVendorRestartTest {

    @TempDir
    static Path dataDir;

    static String lite(RunningHub hub, String domain) {
        OpsReply r = ops(hub, "sw_register", attrs("product_type", "symantec_ssl_lite", "handle", "process", "domain", domain,
            "csr", TestCsrs.ec(domain), "period", "1", "approver_email", "admin@" + domain, "dv_auth_method", "email"));
        assertThat(r.attributeText("state")).as(r.responseText()).isEqualTo("completed");
        return r.attributeText("order_id");
    }

    @Test
    void issuedMailIsNotSentAgainAfterARestart() {
        int imap = SandboxWire.freePort();
        try (RunningHub hub = RunningHub.start(dataDir, "--hub.sandbox.smtp-port=" + SandboxWire.freePort(),
                "--hub.sandbox.imap-port=" + imap, "--hub.mailbox.port=" + imap, "--hub.mailbox.enabled=false")) {
            String first = lite(hub, "before.example.com");
            await().atMost(Duration.ofSeconds(60)).until(() -> subjects(imap).stream().anyMatch(s -> s.endsWith("Order " + first)));
            String rootBefore = hub.context().getBean(SandboxCa.class).root().getSerialNumber().toString();

            hub.restart();

            String second = lite(hub, "after.example.com");
            assertThat(Long.parseLong(second)).isGreaterThan(Long.parseLong(first));
            assertThat(ops(hub, "get_order_info", attrs("order_id", first)).attributeText("state")).isEqualTo("completed");
            assertThat(hub.context().getBean(SandboxCa.class).root().getSerialNumber().toString()).isEqualTo(rootBefore);
            // outbox rows go oldest first: once the new order's mail is in, an unsent old one would be too
            await().atMost(Duration.ofSeconds(60)).until(() -> subjects(imap).stream().anyMatch(s -> s.endsWith("Order " + second)));
            assertThat(subjects(imap)).noneMatch(s -> s.endsWith("Order " + first));
            assertThat(hub.count("select count(*) from sandbox_mail_outbox where kind = 'ISSUED' and sent_at is not null")).isEqualTo(2);
        }
    }

    static List<String> subjects(int imap) {
        return inbox(imap, HUB_MAILBOX).stream().map(SandboxWire.Mail::subject).toList();
    }
}
