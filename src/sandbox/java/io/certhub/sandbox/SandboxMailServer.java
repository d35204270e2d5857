package io.certhub.sandbox;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.ServerSetup;
import io.certhub.config.HubProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The embedded mail server of the sandbox: GreenMail SMTP on {@code 127.0.0.1:hub.sandbox.smtp-port}
 * (default 3025) and IMAP on {@code 127.0.0.1:hub.sandbox.imap-port} (default 3143). Made only
 * when {@code hub.sandbox.enabled=true}.
 *
 * <p>Mailboxes (shared/CONTRACT.md "Sandbox"): every recipient of a mail delivered over SMTP gets
 * a user whose login and password both equal the address (GreenMail's own behaviour when a mail
 * arrives for an unknown address: {@code UserManager.deliver} creates the user with
 * {@code createUser(email, email, email)}), so any IMAP client can read any sandbox mailbox. The
 * hub's certificate mailbox ({@code hub.mailbox.username}, default
 * {@code ssl-orders@reseller.example.com}) is made at start-up the same way, so the hub can log in
 * before the first certificate arrives. Mail is kept in memory: a restart empties the mailboxes.
 *
 * <p>The servers set {@code TCP_NODELAY} on the connections they accept ({@link NoDelayGreenMail}):
 * GreenMail's own leave Nagle on, which made every IMAP command and SMTP reply of the hub wait
 * ~40 ms for the client's delayed ACK.
 *
 * <p>Lifecycle: started before the Camel routes (phase {@link #PHASE}) and the HTTP port, stopped
 * after them on shutdown. A port already in use stops start-up with a message naming the property.
 *
 * <p>{@code hub.sandbox.mail-server=false} leaves it out while the sandbox vendor stays on: several
 * hub instances on one machine, or a test, then share one mail server of their own
 * ({@code hub.sandbox.smtp-host}/{@code smtp-port} for the vendor's mail, {@code hub.mailbox.*} for
 * the certificate mailbox, {@code hub.mail.smtp.*} for delivery).
 */
@Component("sandboxMailServer")
@ConditionalOnProperty(name = "hub.sandbox.mail-server", havingValue = "true", matchIfMissing = true)
public class SandboxMailServer implements SmartLifecycle {

    /** Lifecycle phase: before Camel's routes and the web server start, after them on stop. */
    public static final int PHASE = Integer.MIN_VALUE + 1000;

    /** Address the servers are bound to: loopback only. */
    public static final String BIND_ADDRESS = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(SandboxMailServer.class);

    private final HubProperties props;
    private final String hubMailbox;
    private NoDelayGreenMail greenMail;

    /**
     * @param props      hub configuration ({@code hub.sandbox.smtp-port}, {@code .imap-port})
     * @param hubMailbox {@code hub.mailbox.username}, the address the vendor sends certificates to;
     *                   blank means none is made in advance
     */
    public SandboxMailServer(HubProperties props,
                             @Value("${hub.mailbox.username:}") String hubMailbox) {
        this.props = props;
        this.hubMailbox = hubMailbox;
    }

    /** How long GreenMail may take to open its ports, in milliseconds. */
    static final long STARTUP_TIMEOUT_MS = 20_000;

    /**
     * Starts SMTP and IMAP and makes the hub's mailbox user.
     *
     * @throws IllegalStateException if a port cannot be bound (the message names the property)
     */
    @Override
    public synchronized void start() {
        if (greenMail != null) {
            return;
        }
        HubProperties.Sandbox s = props.getSandbox();
        ServerSetup smtp = new ServerSetup(s.getSmtpPort(), BIND_ADDRESS, ServerSetup.PROTOCOL_SMTP);
        ServerSetup imap = new ServerSetup(s.getImapPort(), BIND_ADDRESS, ServerSetup.PROTOCOL_IMAP);
        // GreenMail's default 2 s start-up wait is too short on a busy 2-core machine
        smtp.setServerStartupTimeout(STARTUP_TIMEOUT_MS);
        imap.setServerStartupTimeout(STARTUP_TIMEOUT_MS);
        NoDelayGreenMail gm = new NoDelayGreenMail(new ServerSetup[] {smtp, imap});
        try {
            gm.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the sandbox mail server cannot listen on " + BIND_ADDRESS
                + " SMTP " + s.getSmtpPort() + " (hub.sandbox.smtp-port) / IMAP " + s.getImapPort()
                + " (hub.sandbox.imap-port): " + e.getMessage(), e);
        }
        greenMail = gm;
        if (hubMailbox != null && !hubMailbox.isBlank()) {
            ensureUser(hubMailbox.trim());
        }
        LOG.info("sandbox mail server: SMTP {}:{}, IMAP {}:{} (login = password = the address)",
            BIND_ADDRESS, s.getSmtpPort(), BIND_ADDRESS, s.getImapPort());
    }

    /**
     * Makes the mailbox of an address when it does not exist yet, with login and password both
     * equal to the address (the rule GreenMail applies to recipients of delivered mail).
     *
     * @param address an email address, e.g. {@code ssl-orders@reseller.example.com}
     * @return the (existing or new) user
     * @throws IllegalStateException if the server is not running
     */
    public synchronized GreenMailUser ensureUser(String address) {
        if (greenMail == null) {
            throw new IllegalStateException("the sandbox mail server is not running");
        }
        GreenMailUser user = greenMail.getUserManager().getUserByEmail(address);
        return user != null ? user : greenMail.setUser(address, address, address);
    }

    /** Stops both servers; mail held in memory is dropped. */
    @Override
    public synchronized void stop() {
        if (greenMail != null) {
            greenMail.stop();
            greenMail = null;
            LOG.info("sandbox mail server stopped");
        }
    }

    /** @return whether the servers are running */
    @Override
    public synchronized boolean isRunning() {
        return greenMail != null;
    }

    /** @return {@link #PHASE} */
    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * @return the running GreenMail instance (for tests and diagnostics); its IMAP server is
     *         {@link NoDelayGreenMail#imapServer()}, not {@code getImap()}
     * @throws IllegalStateException if the server is not running
     */
    public synchronized NoDelayGreenMail greenMail() {
        if (greenMail == null) {
            throw new IllegalStateException("the sandbox mail server is not running");
        }
        return greenMail;
    }
}
