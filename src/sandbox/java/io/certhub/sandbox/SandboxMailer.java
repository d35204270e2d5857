package io.certhub.sandbox;

import io.certhub.config.HubProperties;
import io.certhub.retry.Backoff;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The sandbox vendor's emails: drains the outbox {@code sandbox_mail_outbox} (migration V3) for
 * the route {@code sandbox-vendor-clock}, which sends each message through the camel-mail route
 * {@code sandbox-mail-out} to the embedded SMTP server and reports back with {@link #sent} or
 * {@link #failed}. A row is marked sent only after SMTP took it, so a restart neither resends nor
 * loses a mail; each message carries a Message-ID fixed per outbox row
 * ({@code <sandbox-<row>.<order_id>.<kind>@sandbox-vendor.example>}), so a resend after a lost
 * SMTP answer is recognisable as the same mail.
 *
 * <p>The two mails, shaped the way real vendors send them (see shared/cases/zip-bundle-email):
 * <ul>
 *   <li>DV approval request, to the order's {@code approver_email}: subject
 *       {@code Approve SSL certificate order <order_id> for <domain>}, a text body holding the
 *       link {@code <hub.sandbox.public-url>/sandbox/approve/<token>};</li>
 *   <li>issued certificate, to {@code hub.mailbox.username}: subject
 *       {@code Your SSL certificate for <domain> is issued - Order <order_id>}, a text part with
 *       short instructions, and per {@code hub.sandbox.delivery-format}: {@code zip} → attachment
 *       {@code <domain_>.zip} holding {@code <domain_>.crt} (leaf) and {@code <domain_>.ca-bundle}
 *       (intermediate + root); {@code pem} → attachments {@code <domain_>.crt} and
 *       {@code ca-bundle.crt} (intermediate + root). {@code <domain_>} is the domain with dots as
 *       underscores and a wildcard {@code *} as {@code STAR} ({@link SandboxOrder#fileStem()}).</li>
 * </ul>
 */
@Component("sandboxMailer")
public class SandboxMailer {

    /** From of approval requests. */
    public static final String APPROVAL_FROM = "\"Sandbox CA Validation\" <validation@sandbox-vendor.example>";
    /** From of issued-certificate emails. */
    public static final String ISSUED_FROM = "\"Sandbox CA Certificates\" <certificates@sandbox-vendor.example>";
    /** Header carrying the outbox row id through the route. */
    public static final String HEADER_ID = "SandboxMailId";
    /** Rows handed out per clock step. */
    public static final int BATCH = 20;
    /** Longest wait between two attempts of a failing mail. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(SandboxMailer.class);

    private final JdbcTemplate jdbc;
    private final SandboxOrders orders;
    private final HubProperties props;
    private final Environment env;
    private final Clock clock;
    private final Session session = Session.getInstance(new Properties());

    /**
     * One mail ready to send.
     *
     * @param id      outbox row id
     * @param orderId vendor order id
     * @param kind    {@link SandboxOrders#MAIL_APPROVAL} or {@link SandboxOrders#MAIL_ISSUED}
     * @param to      recipient address
     * @param message the complete MIME message (To set)
     */
    public record OutgoingMail(long id, String orderId, String kind, String to, MimeMessage message) { }

    /**
     * @param jdbc   the hub database
     * @param orders the vendor's orders
     * @param props  hub configuration ({@code hub.sandbox.public-url}, {@code .delivery-format})
     * @param env    Spring environment ({@code local.server.port} for a public URL on port 0)
     * @param clock  the hub clock
     */
    public SandboxMailer(JdbcTemplate jdbc, SandboxOrders orders, HubProperties props, Environment env, Clock clock) {
        this.jdbc = jdbc;
        this.orders = orders;
        this.props = props;
        this.env = env;
        this.clock = clock;
    }

    /**
     * The mails due now, oldest first, at most {@value #BATCH}. A row whose mail is no longer
     * owed (an approval request for an order that is not awaiting email approval any more) is
     * marked sent with a note and skipped.
     *
     * @return the mails to send (possibly empty)
     */
    public List<OutgoingMail> due() {
        record Row(long id, String orderId, String kind, String to, String certPem, String bundlePem) { }
        List<Row> rows = jdbc.query("select id, order_id, kind, recipient, cert_pem, ca_pem from sandbox_mail_outbox"
                + " where sent_at is null and next_attempt_at <= ? order by id fetch first " + BATCH + " rows only",
            (rs, n) -> new Row(rs.getLong("id"), rs.getString("order_id"), rs.getString("kind"), rs.getString("recipient"),
                rs.getString("cert_pem"), rs.getString("ca_pem")),
            Timestamp.from(clock.instant()));
        List<OutgoingMail> out = new ArrayList<>();
        for (Row r : rows) {
            try {
                MimeMessage m = build(r.id(), orders.get(r.orderId()), r.kind(), r.to(), r.certPem(), r.bundlePem());
                if (m == null) {
                    mark(r.id(), "skipped: the order no longer awaits email approval");
                } else {
                    out.add(new OutgoingMail(r.id(), r.orderId(), r.kind(), r.to(), m));
                }
            } catch (RuntimeException | MessagingException e) {
                retryLater(r.id(), "cannot build the mail: " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * Readies one mail for the SMTP route: body {@link MimeMessage}, header {@code To} (always
     * set explicitly: camel-mail would otherwise fall back to its own user) and
     * {@value #HEADER_ID}.
     *
     * @param exchange the split exchange whose body is an {@link OutgoingMail}
     */
    public void prepare(Exchange exchange) {
        OutgoingMail mail = exchange.getMessage().getBody(OutgoingMail.class);
        exchange.getMessage().setHeader("To", mail.to());
        exchange.getMessage().setHeader(HEADER_ID, mail.id());
        exchange.getMessage().setBody(mail.message());
    }

    /**
     * Marks the mail of the exchange sent.
     *
     * @param exchange the exchange carrying {@value #HEADER_ID}
     */
    public void sent(Exchange exchange) {
        long id = exchange.getMessage().getHeader(HEADER_ID, Long.class);
        mark(id, null);
    }

    /**
     * Records a failed attempt; the mail is tried again after a back-off of 2^attempts seconds
     * (at most {@link #MAX_BACKOFF}).
     *
     * @param exchange the exchange carrying {@value #HEADER_ID} and the exception
     *                 ({@link Exchange#EXCEPTION_CAUGHT})
     */
    public void failed(Exchange exchange) {
        Long id = exchange.getMessage().getHeader(HEADER_ID, Long.class);
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (id == null) {
            LOG.error("sandbox vendor: a mail failed before it was prepared", t);
            return;
        }
        retryLater(id, t == null ? "unknown error" : t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    private void mark(long id, String note) {
        jdbc.update("update sandbox_mail_outbox set sent_at = ?, attempts = attempts + 1, last_error = ? where id = ?",
            Timestamp.from(clock.instant()), note, id);
    }

    private void retryLater(long id, String error) {
        Integer attempts = jdbc.queryForObject("select attempts from sandbox_mail_outbox where id = ?", Integer.class, id);
        int n = attempts == null ? 1 : attempts + 1;
        Duration wait = Backoff.exponential(Duration.ofSeconds(1), MAX_BACKOFF, n);
        String e = error.length() > 1900 ? error.substring(0, 1900) : error;
        jdbc.update("update sandbox_mail_outbox set attempts = ?, last_error = ?, next_attempt_at = ? where id = ?",
            n, e, Timestamp.from(clock.instant().plus(wait)), id);
        LOG.warn("sandbox vendor: mail {} failed (attempt {}), retried in {}: {}", id, n, wait, e);
    }

    // ------------------------------------------------------------------ messages

    /**
     * Builds one outbox mail.
     *
     * @param rowId the outbox row (fixes the Message-ID)
     * @param o     the order
     * @param kind  {@link SandboxOrders#MAIL_APPROVAL} or {@link SandboxOrders#MAIL_ISSUED}
     * @param to    recipient
     * @return the message, or null when an approval request is no longer owed
     * @throws MessagingException if the message cannot be assembled
     */
    MimeMessage build(long rowId, SandboxOrder o, String kind, String to) throws MessagingException {
        return build(rowId, o, kind, to, null, null);
    }

    /**
     * Builds one outbox mail; an issued-certificate mail holds the certificate its outbox row names
     * (each of a multi-year order's reissued certificates has its own row, issue 13 §2), or the
     * order's current one for rows written before (no certificate on the row).
     *
     * @param rowId     the outbox row (fixes the Message-ID)
     * @param o         the order
     * @param kind      {@link SandboxOrders#MAIL_APPROVAL} or {@link SandboxOrders#MAIL_ISSUED}
     * @param to        recipient
     * @param certPem   the leaf of the row, or null
     * @param bundlePem intermediates and root of the row, or null
     * @return the message, or null when an approval request is no longer owed
     * @throws MessagingException if the message cannot be assembled
     */
    MimeMessage build(long rowId, SandboxOrder o, String kind, String to, String certPem, String bundlePem) throws MessagingException {
        String messageId = "<sandbox-" + rowId + "." + o.orderId() + "." + kind.toLowerCase(Locale.ROOT) + "@sandbox-vendor.example>";
        if (SandboxOrders.MAIL_APPROVAL.equals(kind)) {
            if (!SandboxOrder.AWAITING_APPROVAL.equals(o.state()) || !"email".equals(o.dvAuthMethod()) || o.dvToken() == null) {
                return null;
            }
            return approvalMail(o, to, messageId);
        }
        if (SandboxOrders.MAIL_ISSUED.equals(kind)) {
            return issuedMail(o, to, messageId, certPem, bundlePem);
        }
        throw new IllegalArgumentException("unknown mail kind " + kind);
    }

    /**
     * @return the base of approval links: {@code hub.sandbox.public-url} without a trailing
     *         slash; a URL on port 0 (tests on a random port) gets the port the server really
     *         listens on ({@code local.server.port})
     */
    public String publicUrl() {
        String base = props.getSandbox().getPublicUrl();
        if (base == null || base.isBlank()) {
            base = "http://localhost:" + env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
        }
        base = base.trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        try {
            URI u = URI.create(base);
            String local = env.getProperty("local.server.port");
            if (u.getPort() == 0 && local != null) {
                base = new URI(u.getScheme(), u.getUserInfo(), u.getHost(), Integer.parseInt(local), u.getPath(), null, null).toString();
            }
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            // leave it as configured
        }
        return base;
    }

    /**
     * @param token an approval token
     * @return {@code <public-url>/sandbox/approve/<token>}
     */
    public String approvalLink(String token) {
        return publicUrl() + "/sandbox/approve/" + token;
    }

    private MimeMessage approvalMail(SandboxOrder o, String to, String messageId) throws MessagingException {
        MimeMessage m = new FixedIdMessage(session, messageId);
        m.setFrom(new InternetAddress(APPROVAL_FROM));
        m.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(to));
        m.setSubject("Approve SSL certificate order " + o.orderId() + " for " + o.domain(), "UTF-8");
        m.setSentDate(Date.from(clock.instant()));
        String names = String.join("\n    ", o.names());
        m.setText("Hello,\n\n"
            + "A " + o.productType() + " SSL certificate has been requested for\n\n    " + names + "\n\n"
            + "(order " + o.orderId() + "). You receive this email because " + to + " is an approver\n"
            + "for " + o.baseDomain() + ". To approve the request, open this link:\n\n"
            + approvalLink(o.dvToken()) + "\n\n"
            + "If you did not expect this request, ignore this email: nothing is issued without\n"
            + "your approval.\n\n"
            + "Sandbox CA Validation Team\n", "UTF-8");
        m.saveChanges();
        return m;
    }

    private MimeMessage issuedMail(SandboxOrder o, String to, String messageId, String rowCert, String rowBundle) throws MessagingException {
        String leafPem = rowCert != null ? rowCert : o.certPem();
        if (leafPem == null) {
            throw new IllegalStateException("order " + o.orderId() + " has no certificate");
        }
        String stem = o.fileStem();
        String bundle = rowBundle != null ? rowBundle : o.caPem() + (o.rootPem() == null ? "" : o.rootPem());
        boolean zip = !"pem".equalsIgnoreCase(props.getSandbox().getDeliveryFormat());

        MimeMessage m = new FixedIdMessage(session, messageId);
        m.setFrom(new InternetAddress(ISSUED_FROM));
        m.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(to));
        m.setSubject("Your SSL certificate for " + o.domain() + " is issued - Order " + o.orderId(), "UTF-8");
        m.setSentDate(Date.from(clock.instant()));

        MimeMultipart mixed = new MimeMultipart("mixed");
        MimeBodyPart text = new MimeBodyPart();
        String files = zip
            ? "The attached archive " + stem + ".zip holds two files:\n"
                + "  * " + stem + ".crt        - your server certificate\n"
                + "  * " + stem + ".ca-bundle  - the intermediate + root certificates\n"
            : "Two files are attached:\n"
                + "  * " + stem + ".crt    - your server certificate\n"
                + "  * ca-bundle.crt - the intermediate + root certificates\n";
        text.setText("Hello,\n\n"
            + "Good news: the " + o.productType() + " certificate you requested for\n\n    "
            + String.join("\n    ", o.names()) + "\n\n"
            + "has been issued (order number " + o.orderId() + ").\n\n"
            + files + "\n"
            + "Install the certificate and the CA bundle on your web server (server type: "
            + (o.serverType() == null ? "other" : o.serverType()) + ").\n"
            + "Keep your private key safe; we never had a copy of it.\n\n"
            + "Sandbox CA Certificates Team\n", "UTF-8");
        mixed.addBodyPart(text);
        if (zip) {
            mixed.addBodyPart(attachment(stem + ".zip", "application/zip",
                zip(stem + ".crt", leafPem, stem + ".ca-bundle", bundle)));
        } else {
            mixed.addBodyPart(attachment(stem + ".crt", "application/x-x509-ca-cert", leafPem.getBytes(StandardCharsets.US_ASCII)));
            mixed.addBodyPart(attachment("ca-bundle.crt", "application/x-x509-ca-cert", bundle.getBytes(StandardCharsets.US_ASCII)));
        }
        m.setContent(mixed);
        m.saveChanges();
        return m;
    }

    private static MimeBodyPart attachment(String name, String type, byte[] bytes) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new jakarta.activation.DataHandler(new ByteArrayDataSource(bytes, type)));
        part.setFileName(name);
        part.setDisposition(MimeBodyPart.ATTACHMENT);
        return part;
    }

    /**
     * @param nameA first entry name
     * @param textA first entry text
     * @param nameB second entry name
     * @param textB second entry text
     * @return a ZIP archive holding both (US-ASCII text)
     */
    static byte[] zip(String nameA, String textA, String nameB, String textB) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (String[] e : new String[][] {{nameA, textA}, {nameB, textB}}) {
                ZipEntry entry = new ZipEntry(e[0]);
                entry.setTime(Instant.now().toEpochMilli());
                z.putNextEntry(entry);
                z.write(e[1].getBytes(StandardCharsets.US_ASCII));
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A MIME message whose Message-ID is fixed by the caller instead of made up on save. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
