package io.certhub.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.certhub.config.HubProperties;
import io.certhub.sandbox.SandboxMailServer;
import io.certhub.support.Mailboxes;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The certificate mailbox's key generator reads a polled mail whole, with its flags, so that
 * nothing more is asked of the server for it — shown by reading it after its folder closed —
 * and leaves it unseen. Against the sandbox's GreenMail over real IMAP.
 */
class WholeMailUidGeneratorTest {

    static final String MAILBOX = "ssl-orders@reseller.example.com";
    static final String RAW = "From: vendor@sandbox.example\r\nTo: " + MAILBOX + "\r\nSubject: Your certificate\r\n"
        + "Message-ID: <whole-1@sandbox.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + "Order 1234567 is issued.\r\n";

    SandboxMailServer server;
    int imapPort;
    Store store;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void start() throws Exception {
        HubProperties props = new HubProperties();
        int smtpPort = freePort();
        imapPort = freePort();
        props.getSandbox().setSmtpPort(smtpPort);
        props.getSandbox().setImapPort(imapPort);
        server = new SandboxMailServer(props, MAILBOX);
        server.start();
        Mailboxes.send(smtpPort, MAILBOX, RAW.getBytes(StandardCharsets.US_ASCII));
        await().atMost(Duration.ofSeconds(60)).until(() -> Mailboxes.read(imapPort, MAILBOX, "INBOX").size() == 1);
        store = Session.getInstance(new Properties()).getStore("imap");
        store.connect("127.0.0.1", imapPort, MAILBOX, MAILBOX);
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        server.stop();
    }

    @Test
    void theMailIsReadWholeWithItsFlagsAndKeyedByItsMessageIdAndStaysUnseen() throws Exception {
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        Message mail = inbox.getMessage(1);

        assertThat(new WholeMailUidGenerator().generateUuid(null, mail)).isEqualTo("<whole-1@sandbox.example>");
        inbox.close(false);

        // folder closed: only what was read ahead can answer
        assertThat(mail.getFlags().contains(Flags.Flag.SEEN)).isFalse();
        assertThat(mail.getFlags().contains(Flags.Flag.DELETED)).isFalse();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        mail.writeTo(raw);
        assertThat(raw.toString(StandardCharsets.US_ASCII)).contains("Subject: Your certificate").contains("\r\n\r\nOrder 1234567 is issued.");

        Folder again = store.getFolder("INBOX");
        again.open(Folder.READ_ONLY);
        assertThat(again.getMessage(1).getFlags().contains(Flags.Flag.SEEN)).isFalse();
        again.close(false);
    }

    @Test
    void aMailOfAClosedFolderIsKeyedWithoutReadingAhead() throws Exception {
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        Message mail = inbox.getMessage(1);
        assertThat(mail.getHeader("Message-ID")).containsExactly("<whole-1@sandbox.example>");
        inbox.close(false);

        assertThat(new WholeMailUidGenerator().generateUuid(null, mail)).isEqualTo("<whole-1@sandbox.example>");
    }
}
