package io.certhub.mailbox;

import io.certhub.order.OrderCompletion;
import io.certhub.pki.Certificates;
import io.certhub.pki.PkiException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.mail.MailConstants;
import org.apache.camel.component.mail.MailMessage;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Processes one vendor mail of the certificate mailbox (the certificate-mailbox route, camel-mail
 * IMAP, {@code peek=true}): finds the certificates wherever the mail holds them
 * ({@link CertificateExtractor}), matches them to an order — the vendor order id in the subject
 * or body first, else the leaf's public key against the CSRs of open orders — and hands them to
 * the one completion operation ({@link OrderCompletion}).
 *
 * <p>Where the mail goes (header {@link MailConstants#MAIL_MOVE_TO}, read by camel-mail after
 * the exchange succeeded; folder names from {@code hub.mailbox.*-folder}):
 * <ul>
 *   <li>Processed: the order was completed (the commit happened before the move), or it already was;</li>
 *   <li>Review: a certificate that failed a check (key, names, validity, chain) or matches no
 *       open order — the order and its hold are untouched; the reason, with both key
 *       fingerprints for a key mismatch, is logged and counted
 *       ({@code certhub.mailbox.review});</li>
 *   <li>Quarantine: a mail that can never be processed (no certificate, unreadable MIME, a ZIP
 *       over its limits).</li>
 * </ul>
 * Each mail is read whole in one IMAP command and parsed here ({@code fetchWhole}).
 * A failure of the hub itself (database down) throws: the mail stays unseen and is read again.
 * Every mail's fate is recorded by Message-ID (table {@code mailbox_message}); the same mail
 * seen again (re-delivery, restart) changes nothing and is moved where it went the first time.
 */
@Component("certificateMailbox")
public class CertificateMailbox {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateMailbox.class);
    /** Session of the mails parsed here (no server: they are read already). */
    private static final Session SESSION = Session.getInstance(new Properties());

    private final CertificateExtractor extractor = new CertificateExtractor();
    private final OrderCompletion completion;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final MeterRegistry meters;
    private final MailboxPollStrategy polls;
    private final String processed;
    private final String review;
    private final String quarantine;

    /**
     * @param completion the completion operation
     * @param jdbc       template on the hub database
     * @param clock      time source
     * @param meters     metrics
     * @param polls      the mailbox consumer's poll strategy (told how each mail ended)
     * @param processed  {@code hub.mailbox.processed-folder}
     * @param review     {@code hub.mailbox.review-folder}
     * @param quarantine {@code hub.mailbox.quarantine-folder}
     */
    public CertificateMailbox(OrderCompletion completion, JdbcTemplate jdbc, Clock clock, MeterRegistry meters, MailboxPollStrategy polls,
                              @Value("${hub.mailbox.processed-folder:Processed}") String processed,
                              @Value("${hub.mailbox.review-folder:Review}") String review,
                              @Value("${hub.mailbox.quarantine-folder:Quarantine}") String quarantine) {
        this.completion = completion;
        this.jdbc = jdbc;
        this.clock = clock;
        this.meters = meters;
        this.polls = polls;
        this.processed = processed;
        this.review = review;
        this.quarantine = quarantine;
    }

    /**
     * The outcome for one mail.
     *
     * @param folder  folder the mail is moved to
     * @param orderId order concerned, or null
     * @param reason  why, in words
     */
    public record Outcome(String folder, String orderId, String reason) { }

    /**
     * Processes the mail of a camel-mail exchange ({@code mapMailMessage=false}) and sets the
     * move-to header (on a new, plain message: see {@code moveTo}).
     *
     * <p>Success and failure (thrown) are told to the {@link MailboxPollStrategy}, so that a poll
     * of nothing but failing mails, which stay unseen, is not repeated at once.
     *
     * @param exchange the mail exchange
     * @throws MessagingException when the IMAP server fails while the mail is read (retried)
     * @throws IOException        likewise
     */
    public void process(Exchange exchange) throws MessagingException, IOException {
        try {
            processPolled(exchange);
            polls.succeeded();
        } catch (MessagingException | IOException | RuntimeException | Error e) {
            polls.failed();
            throw e;
        }
    }

    private void processPolled(Exchange exchange) throws MessagingException, IOException {
        Message message = exchange.getIn(MailMessage.class).getMessage();
        byte[] raw;
        try {
            raw = fetchWhole(message);
        } catch (MessagingException | IOException e) {
            if (isServerFailure(e)) {
                throw e;
            }
            // the server does not hand this mail out whole: read it part by part on the server, as
            // any other mail was read before (an unreadable one ends in Quarantine there)
            LOG.warn("mail #{} cannot be fetched whole ({}); reading it part by part", message.getMessageNumber(), e.toString());
            moveTo(exchange, processMail((MimeMessage) message, null).folder());
            return;
        }
        MimeMessage local = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
        moveTo(exchange, processMail(local, raw).folder());
    }

    /**
     * Names the folder camel-mail moves the mail to once the exchange succeeded: the exchange's
     * message becomes a plain one holding only that header. (Setting a header on camel-mail's own
     * message first maps every header of the mail into it, fetched from the server: two more IMAP
     * commands a mail, for headers nobody reads. camel-mail reads the move-to header from the
     * exchange's message and moves the mail it polled, whatever the message now is.)
     */
    private static void moveTo(Exchange exchange, String folder) {
        DefaultMessage m = new DefaultMessage(exchange);
        m.setHeader(MailConstants.MAIL_MOVE_TO, folder);
        exchange.setIn(m);
    }

    /**
     * Reads a mail whole, headers and body, in one IMAP command ({@code FETCH n BODY.PEEK[]}: the
     * certificate-mailbox consumer sets {@code peek}, so the mail stays unseen until camel-mail
     * flags it after the exchange succeeded), or from memory when {@link WholeMailUidGenerator}
     * read it so when it was polled. Reading the IMAP message itself instead costs a command per
     * piece — envelope, body structure, each part, the header — each a round trip.
     *
     * @param message the mail on the server
     * @return its bytes as the server holds them (RFC 5322)
     * @throws MessagingException when the server fails or refuses to hand it out
     * @throws IOException        likewise
     */
    static byte[] fetchWhole(Message message) throws MessagingException, IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        message.writeTo(raw);
        return raw.toByteArray();
    }

    /**
     * Processes one mail.
     *
     * @param message the vendor mail (read already, or on the server)
     * @param raw     its bytes as the server holds them, or null when not read yet
     * @return where it goes and why
     * @throws MessagingException when the mail cannot be read from the server (retried later)
     * @throws IOException        likewise
     */
    public Outcome processMail(MimeMessage message, byte[] raw) throws MessagingException, IOException {
        String key = key(message, raw);
        Optional<Outcome> seen = jdbc.query("select outcome, order_id, reason from mailbox_message where message_key = ?",
            (rs, i) -> new Outcome(folderOf(rs.getString(1)), rs.getString(2), rs.getString(3)), key).stream().findFirst();
        if (seen.isPresent()) {
            LOG.info("mail {} was already processed ({}); nothing changes", key, seen.get().folder());
            return seen.get();
        }
        Outcome outcome = decide(message);
        String kind = outcome.folder().equals(processed) ? "PROCESSED" : outcome.folder().equals(review) ? "REVIEW" : "QUARANTINE";
        try {
            jdbc.update("insert into mailbox_message(message_key, subject, outcome, order_id, reason, processed_at) values (?, ?, ?, ?, ?, ?)",
                key, truncate(message.getSubject(), 1000), kind, outcome.orderId(), truncate(outcome.reason(), 4000), Timestamp.from(clock.instant()));
        } catch (DuplicateKeyException raced) {
            // the same mail processed concurrently: its first record stands
        }
        meters.counter("certhub.mailbox." + kind.toLowerCase()).increment();
        if (!kind.equals("PROCESSED")) {
            LOG.warn("mail {} ('{}') → {}: {}", key, message.getSubject(), outcome.folder(), outcome.reason());
        }
        return outcome;
    }

    private Outcome decide(MimeMessage message) throws MessagingException, IOException {
        Extraction found;
        try {
            found = extractor.extract(message);
        } catch (PkiException e) {
            return new Outcome(quarantine, null, e.code() + ": " + e.getMessage());
        } catch (MessagingException | IOException e) {
            if (isServerFailure(e)) {
                throw e;
            }
            return new Outcome(quarantine, null, "unreadable mail: " + e.getMessage());
        }
        if (found.certificates().isEmpty()) {
            return new Outcome(quarantine, null, "no certificate found in the mail");
        }
        List<String> candidates = new ArrayList<>();
        for (String vendorOrderId : found.vendorOrderIds()) {
            candidates.addAll(jdbc.queryForList("select id from orders where vendor_order_id = ?", String.class, vendorOrderId));
        }
        // a COMPLETED order takes a new certificate (its term's next, issue 13 §2) only when the mail names its vendor order id
        boolean byVendorId = !candidates.isEmpty();
        if (candidates.isEmpty()) {
            Set<String> byKey = new LinkedHashSet<>();
            for (X509Certificate c : found.certificates()) {
                byKey.addAll(jdbc.queryForList("select id from orders where csr_key_sha256 = ? and state in ('IN_PROGRESS', 'COMPLETED')"
                        + " order by case when state = 'IN_PROGRESS' then 0 else 1 end, created_at",
                    String.class, Certificates.sha256Fingerprint(c.getPublicKey())));
            }
            candidates.addAll(byKey);
        }
        if (candidates.isEmpty()) {
            return new Outcome(review, null, "no open order matches the vendor order ids " + found.vendorOrderIds()
                + " nor the certificate keys of the mail");
        }
        OrderCompletion.Result last = null;
        for (String orderId : new LinkedHashSet<>(candidates)) {
            OrderCompletion.Result r = completion.complete(orderId, found.certificates(), "mailbox", byVendorId);
            if (r.accepted() && !"INVALID_STATE".equals(r.code())) {
                return new Outcome(processed, orderId, r.completed() ? "order completed" : r.detail());
            }
            last = r;
            LOG.warn("certificate in mail '{}' refused for order {}: {} {}", found.subject(), orderId, last.code(), last.detail());
            meters.counter("certhub.certificates.refused", "source", "mailbox", "code", last.code()).increment();
        }
        return new Outcome(review, candidates.get(0), last.code() + ": " + last.detail());
    }

    private static boolean isServerFailure(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof jakarta.mail.FolderClosedException || t instanceof jakarta.mail.StoreClosedException
                || t instanceof java.net.SocketException || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private String folderOf(String outcome) {
        return switch (outcome) {
            case "PROCESSED" -> processed;
            case "REVIEW" -> review;
            default -> quarantine;
        };
    }

    /**
     * @param message a mail
     * @param raw     its bytes as the server holds them, or null to read them from the message
     * @return its Message-ID, or {@code sha256:<hex of the raw mail>} when it has none
     * @throws MessagingException when the server fails while reading it
     * @throws IOException        likewise
     */
    static String key(MimeMessage message, byte[] raw) throws MessagingException, IOException {
        String id = message.getMessageID();
        if (id != null && !id.isBlank()) {
            return truncate(id.trim(), 500);
        }
        byte[] bytes = raw;
        if (bytes == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            bytes = out.toByteArray();
        }
        return "sha256:" + com.google.common.hash.Hashing.sha256().hashBytes(bytes);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
