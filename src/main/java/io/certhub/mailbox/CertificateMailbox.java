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
import java.util.Properties;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.mail.MailConstants;
import org.apache.camel.component.mail.MailMessage;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The steps of the certificate-mailbox route (camel-mail IMAP, {@code peek=true}), one method a
 * step, in the route's order: {@link #read} the whole mail and its key, {@link #extract} the
 * certificates wherever the mail holds them ({@link CertificateExtractor}), {@link #match} them to
 * an order — the vendor order id in the subject or body first, else the leaf's public key against
 * the CSRs of open orders — then {@link #complete} (the one completion operation,
 * {@link OrderCompletion}, which checks the certificates), {@link #record} the mail's fate, and
 * {@link #moveTo} its folder. A step that decides the folder ends the mail's way through the
 * route's filters (exchange property {@value #UNDECIDED}); the mail travels in {@value #MAIL}.
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
 * A failure of the hub itself (database down, IMAP server gone) throws: the mail stays unseen and
 * is read again ({@link #failed}, told on the exchange's completion).
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
     * @param props      {@code hub.mailbox.*} (the three folders)
     */
    public CertificateMailbox(OrderCompletion completion, JdbcTemplate jdbc, Clock clock, MeterRegistry meters, MailboxPollStrategy polls,
                              MailboxProperties props) {
        this.completion = completion;
        this.jdbc = jdbc;
        this.clock = clock;
        this.meters = meters;
        this.polls = polls;
        this.processed = props.getProcessedFolder();
        this.review = props.getReviewFolder();
        this.quarantine = props.getQuarantineFolder();
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
     * The mail the route's steps work on, kept in the exchange property {@value #MAIL}: what
     * {@link #read} read and each later step found. Mutable: each step fills its part.
     */
    public static final class MailInHand {
        private final String key;
        private final MimeMessage message;
        private Extraction extraction;
        private List<String> orderIds = List.of();
        private boolean byVendorId;
        private Outcome outcome;
        private final boolean seenBefore;

        MailInHand(String key, MimeMessage message, Outcome seen) {
            this.key = key;
            this.message = message;
            this.outcome = seen;
            this.seenBefore = seen != null;
        }

        /** @return the mail's key in {@code mailbox_message}: its Message-ID, or {@code sha256:<hex>} of the raw mail */
        public String key() {
            return key;
        }

        /** @return where the mail goes and why, once a step decided it (null until then) */
        public Outcome outcome() {
            return outcome;
        }

        /** @return the orders the certificates were matched to, best first (empty until {@link #match}) */
        public List<String> orderIds() {
            return orderIds;
        }
    }

    /** Exchange property holding the {@link MailInHand}: {@value}. */
    public static final String MAIL = "certhubMail";

    /** Exchange property that is {@code true} while no step has decided the mail's folder: {@value}. */
    public static final String UNDECIDED = "certhubMailUndecided";

    /**
     * Step 1, read: the whole mail in one IMAP command ({@link #fetchWhole}; part by part from the
     * server when it will not hand it out whole) and its key; a mail recorded before gets its first
     * outcome at once (re-delivery, restart: nothing changes).
     *
     * @param exchange the camel-mail exchange ({@code mapMailMessage=false})
     * @throws MessagingException when the IMAP server fails while the mail is read (the mail stays unseen)
     * @throws IOException        likewise
     */
    public void read(Exchange exchange) throws MessagingException, IOException {
        // a step that fails leaves the mail unseen (the exchange fails, camel-mail rolls back); the poll
        // strategy hears of it when the exchange completes, so a poll of only failing mails is not repeated at once
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onFailure(Exchange failed) {
                failed();
            }
        });
        Message message = exchange.getIn(MailMessage.class).getMessage();
        MimeMessage mail;
        byte[] raw;
        try {
            raw = fetchWhole(message);
            mail = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
        } catch (MessagingException | IOException e) {
            if (isServerFailure(e)) {
                throw e;
            }
            // the server does not hand this mail out whole: read it part by part on the server, as
            // any other mail was read before (an unreadable one ends in Quarantine)
            LOG.warn("mail #{} cannot be fetched whole ({}); reading it part by part", message.getMessageNumber(), e.toString());
            raw = null;
            mail = (MimeMessage) message;
        }
        String key = key(mail, raw);
        Outcome seen = jdbc.query("select outcome, order_id, reason from mailbox_message where message_key = ?",
            (rs, i) -> new Outcome(folderOf(rs.getString(1)), rs.getString(2), rs.getString(3)), key).stream().findFirst().orElse(null);
        if (seen != null) {
            LOG.info("mail {} was already processed ({}); nothing changes", key, seen.folder());
        }
        put(exchange, new MailInHand(key, mail, seen));
    }

    /**
     * Step 2, extract: the certificates and vendor order ids wherever the mail holds them
     * ({@link CertificateExtractor}); a mail without a certificate, unreadable MIME or a ZIP over
     * its limits goes to Quarantine.
     *
     * @param exchange the exchange holding the {@link MailInHand}
     * @throws MessagingException when the IMAP server fails while a part is read (retried)
     * @throws IOException        likewise
     */
    public void extract(Exchange exchange) throws MessagingException, IOException {
        MailInHand mail = mail(exchange);
        try {
            mail.extraction = extractor.extract(mail.message);
        } catch (PkiException e) {
            decide(exchange, new Outcome(quarantine, null, e.code() + ": " + e.getMessage()));
            return;
        } catch (MessagingException | IOException e) {
            if (isServerFailure(e)) {
                throw e;
            }
            decide(exchange, new Outcome(quarantine, null, "unreadable mail: " + e.getMessage()));
            return;
        }
        if (mail.extraction.certificates().isEmpty()) {
            decide(exchange, new Outcome(quarantine, null, "no certificate found in the mail"));
        }
    }

    /**
     * Step 3, match: the orders the certificates are for — by the vendor order ids the mail names,
     * else by the leaf's public key against the CSRs of IN_PROGRESS orders (then COMPLETED ones,
     * oldest first). No order → Review.
     *
     * @param exchange the exchange holding the {@link MailInHand}
     */
    public void match(Exchange exchange) {
        MailInHand mail = mail(exchange);
        Extraction found = mail.extraction;
        List<String> candidates = new ArrayList<>();
        for (String vendorOrderId : found.vendorOrderIds()) {
            candidates.addAll(jdbc.queryForList("select id from orders where vendor_order_id = ?", String.class, vendorOrderId));
        }
        // a COMPLETED order takes a new certificate (its term's next, issue 13 §2) only when the mail names its vendor order id
        mail.byVendorId = !candidates.isEmpty();
        if (candidates.isEmpty()) {
            Set<String> byKey = new LinkedHashSet<>();
            for (X509Certificate c : found.certificates()) {
                byKey.addAll(jdbc.queryForList("select id from orders where csr_key_sha256 = ? and state in ('IN_PROGRESS', 'COMPLETED')"
                        + " order by case when state = 'IN_PROGRESS' then 0 else 1 end, created_at",
                    String.class, Certificates.sha256Fingerprint(c.getPublicKey())));
            }
            candidates.addAll(byKey);
        }
        mail.orderIds = List.copyOf(new LinkedHashSet<>(candidates));
        if (mail.orderIds.isEmpty()) {
            decide(exchange, new Outcome(review, null, "no open order matches the vendor order ids " + found.vendorOrderIds()
                + " nor the certificate keys of the mail"));
        }
    }

    /**
     * Step 4, check and complete: hands the certificates to the one completion operation
     * ({@link OrderCompletion#complete}: key, names, validity and chain checked, the order completed
     * and its hold captured in one transaction) for each matched order in turn; the first that
     * takes them → Processed; every refusal logged and counted ({@code certhub.certificates.refused});
     * none took them → Review with the last refusal.
     *
     * @param exchange the exchange holding the {@link MailInHand}
     */
    public void complete(Exchange exchange) {
        MailInHand mail = mail(exchange);
        OrderCompletion.Result last = null;
        for (String orderId : mail.orderIds) {
            OrderCompletion.Result r = completion.complete(orderId, mail.extraction.certificates(), "mailbox", mail.byVendorId);
            if (r.accepted() && !"INVALID_STATE".equals(r.code())) {
                decide(exchange, new Outcome(processed, orderId, r.completed() ? "order completed" : r.detail()));
                return;
            }
            last = r;
            LOG.warn("certificate in mail '{}' refused for order {}: {} {}", mail.extraction.subject(), orderId, last.code(), last.detail());
            meters.counter("certhub.certificates.refused", "source", "mailbox", "code", last.code()).increment();
        }
        decide(exchange, new Outcome(review, mail.orderIds.get(0), last == null ? "no order took the certificates"
            : last.code() + ": " + last.detail()));
    }

    /**
     * Step 5, record: the mail's fate by its key (table {@code mailbox_message}; the same mail
     * processed at once elsewhere: the first record stands), counted as
     * {@code certhub.mailbox.processed|review|quarantine}, a mail not Processed logged with its reason.
     * A mail seen before is not recorded again.
     *
     * @param exchange the exchange holding the {@link MailInHand}
     * @throws MessagingException when the mail's subject cannot be read
     */
    public void record(Exchange exchange) throws MessagingException {
        MailInHand mail = mail(exchange);
        if (mail.seenBefore) {
            return;
        }
        Outcome outcome = mail.outcome;
        String kind = outcome.folder().equals(processed) ? "PROCESSED" : outcome.folder().equals(review) ? "REVIEW" : "QUARANTINE";
        String subject = mail.message.getSubject();
        try {
            jdbc.update("insert into mailbox_message(message_key, subject, outcome, order_id, reason, processed_at) values (?, ?, ?, ?, ?, ?)",
                mail.key, truncate(subject, 1000), kind, outcome.orderId(), truncate(outcome.reason(), 4000), Timestamp.from(clock.instant()));
        } catch (DuplicateKeyException raced) {
            // the same mail processed concurrently: its first record stands
        }
        meters.counter("certhub.mailbox." + kind.toLowerCase()).increment();
        if (!kind.equals("PROCESSED")) {
            LOG.warn("mail {} ('{}') → {}: {}", mail.key, subject, outcome.folder(), outcome.reason());
        }
    }

    /**
     * Step 6, folder: names the folder camel-mail moves the mail to once the exchange succeeded
     * (header {@link MailConstants#MAIL_MOVE_TO}) and tells the poll strategy the mail succeeded.
     * The exchange's message becomes a plain one holding only that header. (Setting a header on
     * camel-mail's own message first maps every header of the mail into it, fetched from the
     * server: two more IMAP commands a mail, for headers nobody reads. camel-mail reads the move-to
     * header from the exchange's message and moves the mail it polled, whatever the message now is.)
     *
     * @param exchange the exchange holding the decided {@link MailInHand}
     */
    public void moveTo(Exchange exchange) {
        DefaultMessage m = new DefaultMessage(exchange);
        m.setHeader(MailConstants.MAIL_MOVE_TO, mail(exchange).outcome.folder());
        exchange.setIn(m);
        polls.succeeded();
    }

    /**
     * Run when a mail's exchange failed (registered by {@link #read} on the exchange's completion):
     * the mail stays unseen and is read again; the poll strategy is told, so a poll of nothing but
     * failing mails is not repeated at once.
     */
    public void failed() {
        polls.failed();
    }

    private static void put(Exchange exchange, MailInHand mail) {
        exchange.setProperty(MAIL, mail);
        exchange.setProperty(UNDECIDED, mail.outcome == null);
    }

    private static MailInHand mail(Exchange exchange) {
        MailInHand mail = exchange.getProperty(MAIL, MailInHand.class);
        if (mail == null) {
            throw new IllegalStateException("no mail read on this exchange (step read first)");
        }
        return mail;
    }

    private static void decide(Exchange exchange, Outcome outcome) {
        mail(exchange).outcome = outcome;
        exchange.setProperty(UNDECIDED, false);
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
