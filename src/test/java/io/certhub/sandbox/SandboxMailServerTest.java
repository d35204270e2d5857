package io.certhub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.server.ProtocolHandler;
import com.icegreen.greenmail.util.ServerSetup;
import io.certhub.config.HubProperties;
import io.certhub.support.Mailboxes;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's embedded mail server: SMTP and IMAP are GreenMail's servers with
 * {@code TCP_NODELAY} on accepted connections ({@link NoDelayGreenMail}), still on 127.0.0.1 and
 * the configured ports, and a mail sent over SMTP is read back over IMAP through them.
 */
class SandboxMailServerTest {

    static final String HUB_MAILBOX = "ssl-orders@reseller.example.com";

    SandboxMailServer server;
    int smtpPort;
    int imapPort;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void start() throws Exception {
        HubProperties props = new HubProperties();
        smtpPort = freePort();
        imapPort = freePort();
        props.getSandbox().setSmtpPort(smtpPort);
        props.getSandbox().setImapPort(imapPort);
        server = new SandboxMailServer(props, HUB_MAILBOX);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void smtpAndImapAreTheNoDelayServersOnLoopbackAndTheConfiguredPorts() {
        NoDelayGreenMail gm = server.greenMail();
        assertThat(gm.getSmtp()).isExactlyInstanceOf(NoDelayGreenMail.NoDelaySmtpServer.class);
        assertThat(gm.imapServer()).isExactlyInstanceOf(NoDelayGreenMail.NoDelayImapServer.class);
        assertThat(gm.getSmtp().getPort()).isEqualTo(smtpPort);
        assertThat(gm.imapServer().getPort()).isEqualTo(imapPort);
        assertThat(gm.getSmtp().getBindTo()).isEqualTo("127.0.0.1");
        assertThat(gm.imapServer().getBindTo()).isEqualTo("127.0.0.1");
        assertThat(gm.getSmtp().getServerSetup().getServerStartupTimeout()).isEqualTo(SandboxMailServer.STARTUP_TIMEOUT_MS);
        assertThat(gm.imapServer().getServerSetup().getServerStartupTimeout()).isEqualTo(SandboxMailServer.STARTUP_TIMEOUT_MS);
        assertThat(gm.getUserManager().getUserByEmail(HUB_MAILBOX).getLogin()).isEqualTo(HUB_MAILBOX);
        assertThatThrownBy(gm::getImap).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("imapServer()");
    }

    @Test
    void aMailSentOverSmtpIsLoggedIntoAndFetchedOverImap() throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", Integer.toString(smtpPort));
        Session session = Session.getInstance(p);
        MimeMessage mail = new MimeMessage(session);
        mail.setFrom(new InternetAddress("vendor@sandbox.example"));
        mail.setRecipient(Message.RecipientType.TO, new InternetAddress(HUB_MAILBOX));
        mail.setSubject("Your certificate for www.example.com");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Order 123456 was issued.", "UTF-8");
        MimeBodyPart file = new MimeBodyPart();
        byte[] der = {0x30, (byte) 0x82, 0x01, 0x0a, 0x02, 0x01, 0x00, (byte) 0xff, 0x0d, 0x0a, 0x00};
        file.setDataHandler(new DataHandler(new ByteArrayDataSource(der, "application/pkix-cert")));
        file.setFileName("www_example_com.cer");
        mail.setContent(new MimeMultipart(text, file));
        Transport.send(mail);

        await().atMost(Duration.ofSeconds(60)).until(() -> !Mailboxes.read(imapPort, HUB_MAILBOX, "INBOX").isEmpty());
        List<Mailboxes.Mail> inbox = Mailboxes.read(imapPort, HUB_MAILBOX, "INBOX");
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0).subject()).isEqualTo("Your certificate for www.example.com");
        assertThat(inbox.get(0).text()).contains("Order 123456 was issued.");
        assertThat(inbox.get(0).attachments()).containsOnlyKeys("www_example_com.cer");
        assertThat(inbox.get(0).attachments().get("www_example_com.cer")).isEqualTo(der);
    }

    @Test
    void theImapServerTurnsNagleOffOnTheSocketItAccepts() throws Exception {
        int port = freePort();
        CompletableFuture<Boolean> noDelay = new CompletableFuture<>();
        ServerSetup setup = new ServerSetup(port, SandboxMailServer.BIND_ADDRESS, ServerSetup.PROTOCOL_IMAP);
        assertGreetsWithNagleOff(new NoDelayGreenMail.NoDelayImapServer(setup, new Managers()) {
            @Override
            protected ProtocolHandler createProtocolHandler(Socket socket) {
                record(socket, noDelay);
                return super.createProtocolHandler(socket);
            }
        }, port, "* OK", noDelay);
    }

    @Test
    void theSmtpServerTurnsNagleOffOnTheSocketItAccepts() throws Exception {
        int port = freePort();
        CompletableFuture<Boolean> noDelay = new CompletableFuture<>();
        ServerSetup setup = new ServerSetup(port, SandboxMailServer.BIND_ADDRESS, ServerSetup.PROTOCOL_SMTP);
        assertGreetsWithNagleOff(new NoDelayGreenMail.NoDelaySmtpServer(setup, new Managers()) {
            @Override
            protected ProtocolHandler createProtocolHandler(Socket socket) {
                record(socket, noDelay);
                return super.createProtocolHandler(socket);
            }
        }, port, "220 ", noDelay);
    }

    /** Completes {@code noDelay} with the accepted socket's TCP_NODELAY as the handler is made. */
    static void record(Socket socket, CompletableFuture<Boolean> noDelay) {
        try {
            noDelay.complete(socket.getTcpNoDelay());
        } catch (Exception e) {
            noDelay.completeExceptionally(e);
        }
    }

    /** Starts the server, connects, reads its greeting, and checks the accepted socket had TCP_NODELAY. */
    static void assertGreetsWithNagleOff(AbstractServer server, int port, String greeting, CompletableFuture<Boolean> noDelay)
            throws Exception {
        server.startService();
        try {
            assertThat(server.waitTillRunning(SandboxMailServer.STARTUP_TIMEOUT_MS)).isTrue();
            try (Socket client = new Socket(SandboxMailServer.BIND_ADDRESS, port)) {
                client.setSoTimeout(10_000);
                String line = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                assertThat(line).startsWith(greeting);
            }
            assertThat(noDelay.get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            server.stopService();
        }
    }
}
