package io.certhub.sandbox;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.imap.ImapHandler;
import com.icegreen.greenmail.imap.ImapServer;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.server.ProtocolHandler;
import com.icegreen.greenmail.smtp.SmtpServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GreenMail whose SMTP and IMAP servers set {@code TCP_NODELAY} on every socket they accept.
 *
 * <p>Why: GreenMail 2.1 leaves Nagle's algorithm (RFC 896) on and writes one response in several
 * small pieces (IMAP's untagged lines, then the tagged {@code OK}; SMTP's multi-line replies). With
 * Nagle on, a small segment is held back while an earlier one is unacknowledged, and the client —
 * which has nothing to send until the response is complete — acknowledges only when its delayed-ACK
 * timer fires (RFC 1122 4.2.3.2; 40 ms on Linux). So every command of the hub's certificate mailbox
 * and every SMTP exchange of its deliveries waited ~40 ms for nothing: the benchmark's W3 workload
 * ran at ~2.4 mails/s (src/bench/findings.md, "W3"). Real IMAP and SMTP servers (Dovecot, Postfix,
 * Exchange) disable Nagle on their connections; with {@code TCP_NODELAY} each piece leaves at once.
 *
 * <p>How: GreenMail has no switch for it. {@link #createServices} builds the usual servers except
 * that every {@code smtp*} protocol gets a {@link NoDelaySmtpServer} and every {@code imap*} one a
 * {@link NoDelayImapServer} (GreenMail's {@link ImapServer} is final, so this one is an
 * {@link AbstractServer} making the same {@link ImapHandler}). Ports, bind address, secure
 * variants, start-up timeout and users are GreenMail's own. Because the IMAP server is not an
 * {@link ImapServer}, {@link #getImap()} and {@link #getImaps()} are not available: use
 * {@link #imapServer()}.
 */
public class NoDelayGreenMail extends GreenMail {

    /** @param config the servers to run (as for {@link GreenMail#GreenMail(ServerSetup[])}) */
    public NoDelayGreenMail(ServerSetup[] config) {
        super(config);
    }

    /**
     * GreenMail's services, with the SMTP and IMAP ones replaced by their no-delay variants.
     *
     * @param config   the server setups
     * @param managers GreenMail's shared managers (users, mailboxes)
     * @return servers by protocol name ({@code smtp}, {@code imap}, …)
     * @throws IllegalArgumentException when a protocol appears twice
     */
    @Override
    protected Map<String, AbstractServer> createServices(ServerSetup[] config, Managers managers) {
        Map<String, AbstractServer> ours = new LinkedHashMap<>();
        List<ServerSetup> others = new ArrayList<>();
        for (ServerSetup setup : config) {
            String protocol = setup.getProtocol();
            AbstractServer server = protocol.startsWith(ServerSetup.PROTOCOL_SMTP) ? new NoDelaySmtpServer(setup, managers)
                : protocol.startsWith(ServerSetup.PROTOCOL_IMAP) ? new NoDelayImapServer(setup, managers)
                : null;
            if (server == null) {
                others.add(setup);
            } else if (ours.put(protocol, server) != null) {
                throw new IllegalArgumentException("Server '" + protocol + "' was found at least twice in setup config");
            }
        }
        Map<String, AbstractServer> services = super.createServices(others.toArray(new ServerSetup[0]), managers);
        services.putAll(ours);
        return services;
    }

    /**
     * @return the running IMAP server (a {@link NoDelayImapServer}), or null when none is configured
     */
    public AbstractServer imapServer() {
        return services.get(ServerSetup.PROTOCOL_IMAP);
    }

    /**
     * Not available: the IMAP server is a {@link NoDelayImapServer}, not GreenMail's final
     * {@link ImapServer}.
     *
     * @return never
     * @throws UnsupportedOperationException always; use {@link #imapServer()}
     */
    @Override
    public ImapServer getImap() {
        throw new UnsupportedOperationException("the IMAP server is a NoDelayImapServer: use imapServer()");
    }

    /**
     * Not available, as {@link #getImap()}.
     *
     * @return never
     * @throws UnsupportedOperationException always; use {@link #imapServer()}
     */
    @Override
    public ImapServer getImaps() {
        throw new UnsupportedOperationException("the IMAPS server is a NoDelayImapServer: use imapServer()");
    }

    /**
     * Turns Nagle off on an accepted socket; closes it when that fails (the connection is then
     * dropped, as GreenMail drops one whose read timeout cannot be set).
     */
    static void noDelay(Socket socket) throws SocketException {
        try {
            socket.setTcpNoDelay(true);
        } catch (SocketException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already broken
            }
            throw e;
        }
    }

    /** GreenMail's SMTP server, with {@code TCP_NODELAY} on every accepted connection. */
    public static class NoDelaySmtpServer extends SmtpServer {

        /**
         * @param setup    port, bind address, protocol
         * @param managers GreenMail's managers
         */
        public NoDelaySmtpServer(ServerSetup setup, Managers managers) {
            super(setup, managers);
        }

        /**
         * Sets {@code TCP_NODELAY}, then hands the connection to GreenMail's SMTP handling.
         *
         * @param socket the accepted connection
         * @throws SocketException when the socket is already broken (it is closed)
         */
        @Override
        protected void handleClientSocket(Socket socket) throws SocketException {
            noDelay(socket);
            super.handleClientSocket(socket);
        }
    }

    /**
     * GreenMail's IMAP server ({@link ImapServer} is final: this does what it does, making an
     * {@link ImapHandler} per connection), with {@code TCP_NODELAY} on every accepted connection.
     */
    public static class NoDelayImapServer extends AbstractServer {

        /**
         * @param setup    port, bind address, protocol
         * @param managers GreenMail's managers
         */
        public NoDelayImapServer(ServerSetup setup, Managers managers) {
            super(setup, managers);
        }

        /**
         * Sets {@code TCP_NODELAY}, then hands the connection to GreenMail's IMAP handling.
         *
         * @param socket the accepted connection
         * @throws SocketException when the socket is already broken (it is closed)
         */
        @Override
        protected void handleClientSocket(Socket socket) throws SocketException {
            noDelay(socket);
            super.handleClientSocket(socket);
        }

        /**
         * @param socket the accepted connection
         * @return GreenMail's IMAP handler on it, as {@link ImapServer} makes it
         */
        @Override
        protected ProtocolHandler createProtocolHandler(Socket socket) {
            return new ImapHandler(managers.getUserManager(), managers.getImapHostManager(), socket);
        }
    }
}
