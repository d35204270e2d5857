package io.certhub.delivery;

import io.certhub.order.Order;
import io.certhub.order.OrderRepository;
import io.certhub.pki.Certificates;
import io.certhub.retry.Backoff;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.activation.DataHandler;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends the delivery outbox (the admin-delivery route): for each PENDING delivery, one email
 * to the order's admin contact with the certificate files named in shared/CONTRACT.md —
 * {@code <domain with . → _>.crt} (leaf), {@code ca-bundle.crt} (intermediates, no root),
 * {@code fullchain.pem} (leaf + intermediates) and, for iis and tomcat, {@code <domain>.p7b}
 * (PKCS#7, RFC 2315) — and installation instructions for the order's server type from the
 * camel-freemarker template {@code templates/delivery/install-<serverType>.ftl}. A wildcard's
 * {@code *} is written {@code star} in file names. Never a private key: the hub has none.
 *
 * <p>The sweep (route admin-delivery-sweep, every {@code hub.mail.delivery-sweep-ms}) reads the
 * due deliveries in batches of {@link #SWEEP_BATCH} and goes on at once while a batch is full;
 * a batch's emails are sent concurrently on {@code hub.mail.delivery-threads} threads. Each
 * delivery is claimed in the database by the thread about to send it ({@link #claim}), so two
 * sweeps (or two hub instances) that read the same row never both send it while the claim's
 * {@link #LEASE} lasts. (A hub stopped between the SMTP server's acceptance and the SENT mark
 * sends that email again after the lease: an outbox in front of SMTP is at least once.)
 *
 * <p>SMTP failures are retried with exponential backoff ({@code hub.mail.retry-base} ×
 * 2^attempts, at most {@code hub.mail.retry-max}); the attempts and last error are kept on
 * the delivery row and shown on the order.
 */
@Component("adminDelivery")
public class AdminDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(AdminDelivery.class);
    /** Exchange property: the delivery row id. */
    public static final String DELIVERY_ID = "deliveryId";
    /** Exchange property: the order's server type, choosing the template. */
    public static final String SERVER_TYPE = "serverType";
    /** Exchange property: the FreeMarker template (without {@code .ftl}) of the email, e.g. {@code install-nginx}. */
    public static final String MAIL_TEMPLATE = "mailTemplate";
    private static final String FILES = "deliveryFiles";
    /** Exchange property of the sweep: whether its last batch was full, so it reads another one. */
    public static final String MORE = "deliveryMore";
    /** Deliveries a sweep reads at once. */
    public static final int SWEEP_BATCH = 500;
    /** How long a claimed delivery is kept from other sweeps while it is being sent. */
    public static final Duration LEASE = Duration.ofMinutes(2);

    private final DeliveryQueue queue;
    private final OrderRepository orders;
    private final JdbcTemplate jdbc;
    private final MeterRegistry meters;
    private final com.fasterxml.jackson.databind.ObjectMapper json;
    private final String from;
    private final Duration retryBase;
    private final Duration retryMax;
    private org.apache.camel.CamelContext camel;
    private org.springframework.transaction.support.TransactionTemplate tx;
    private org.springframework.context.ApplicationEventPublisher events;

    /**
     * @param queue     the outbox
     * @param orders    orders
     * @param jdbc      template on the hub database (certificates)
     * @param meters    metrics
     * @param json      Jackson mapper (contacts)
     * @param props     {@code hub.mail.*}: {@code smtp.from}, {@code retry-base}, {@code retry-max}
     */
    public AdminDelivery(DeliveryQueue queue, OrderRepository orders, JdbcTemplate jdbc, MeterRegistry meters,
                         com.fasterxml.jackson.databind.ObjectMapper json, MailProperties props) {
        this.queue = queue;
        this.orders = orders;
        this.jdbc = jdbc;
        this.meters = meters;
        this.json = json;
        this.from = props.getSmtp().getFrom();
        this.retryBase = props.getRetryBase();
        this.retryMax = props.getRetryMax();
    }

    /**
     * @param tx     transaction template (a first failure and its webhook event commit together)
     * @param events publisher of the webhook event {@code delivery.failed}
     */
    @org.springframework.beans.factory.annotation.Autowired
    public void setEvents(org.springframework.transaction.support.TransactionTemplate tx, org.springframework.context.ApplicationEventPublisher events) {
        this.tx = tx;
        this.events = events;
    }

    /**
     * Publishes {@code delivery.failed} (issue 13 §4) for the first failed attempt of an admin
     * email: the hub keeps retrying it (it never gives a delivery up), so the reseller hears of the
     * trouble once per delivery, not once per retry. Data: {@code delivery: {id, recipient, attempts,
     * error, nextAttemptAt}}.
     */
    private void deliveryFailed(DeliveryQueue.Delivery d, String error, Duration retryIn) {
        Order o = orders.find(d.orderId()).orElse(null);
        if (o == null || events == null) {
            return;
        }
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("id", d.id());
        delivery.put("recipient", d.recipient());
        delivery.put("attempts", d.attempts() + 1);
        delivery.put("error", error);
        delivery.put("nextAttemptAt", java.time.Instant.now().plus(retryIn).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        events.publishEvent(new io.certhub.webhook.HubEvent(io.certhub.webhook.WebhookEventType.DELIVERY_FAILED, o.accountId(), o.id(),
            Map.of("delivery", delivery)));
    }

    /**
     * @param camel the Camel context, whose stopping makes {@link #claim} refuse further claims
     */
    @org.springframework.beans.factory.annotation.Autowired
    public void setCamelContext(org.apache.camel.CamelContext camel) {
        this.camel = camel;
    }

    /**
     * Reads one batch of the sweep: the deliveries due now, oldest first, at most
     * {@link #SWEEP_BATCH}. They are not claimed yet: each is claimed by {@link #claim} on the
     * thread that sends it, just before it is sent, so that the claim's lease covers one send
     * rather than the wait behind the rest of the batch. Sets the exchange property
     * {@link #MORE} to whether the batch was full (the sweep then reads the next one at once).
     *
     * @param exchange the sweep's exchange
     * @return ids of the deliveries due now
     */
    public List<Long> due(Exchange exchange) {
        List<Long> due = queue.due(SWEEP_BATCH);
        exchange.setProperty(MORE, due.size() >= SWEEP_BATCH);
        return due;
    }

    /**
     * Claims a due delivery for one sending attempt (a guarded {@code UPDATE} that pushes its due
     * time by {@link #LEASE}; see {@link DeliveryQueue#claim}). Only one of several sweeps —
     * threads or hub instances — that read the same row gets it; the others skip it. Its
     * attempt then ends as sent or failed (which sets the next due time). While the hub is
     * stopping nothing is claimed: a SIGTERM during a backlog waits only for the emails already
     * being sent, and the rest are sent after the next start.
     *
     * @param id the delivery id
     * @return whether this caller got the delivery and is to send it
     */
    public boolean claim(Long id) {
        if (camel != null && (camel.isStopping() || camel.isStopped())) {
            // the hub is stopping (SIGTERM): claim nothing more, so the batch in flight ends after
            // the emails already being sent and the rest stay due, unclaimed, for the next start
            return false;
        }
        return queue.claim(id, LEASE);
    }

    /**
     * Prepares the email of one delivery: recipient, sender, subject, the template's data
     * model as body ({@code domain, clientReference, productType, serverType, adminName,
     * notAfter, files[]}) and the attachments (kept for {@link #attach}).
     *
     * @param exchange body: the delivery id (Long)
     */
    public void prepare(Exchange exchange) {
        long id = exchange.getMessage().getBody(Long.class);
        DeliveryQueue.Delivery d = queue.find(id).orElseThrow();
        Order o = orders.find(d.orderId()).orElseThrow();
        if (d.reminder()) {
            prepareReminder(exchange, id, d, o);
            return;
        }
        // the certificate the delivery carries (issue 13 §2: each of a term's certificates is delivered
        // once); rows without one (none are written since V18) carry the order's newest
        Map<String, Object> cert = d.certificateId() != null
            ? jdbc.queryForMap("select leaf_pem, chain_pem, not_after from certificate where id = ?", d.certificateId())
            : jdbc.queryForMap("select leaf_pem, chain_pem, not_after from certificate where order_id = ?"
                + " order by received_at desc, id desc fetch first 1 rows only", o.id());
        List<X509Certificate> leaf = Certificates.parseAny(((String) cert.get("leaf_pem")).getBytes(StandardCharsets.US_ASCII));
        List<X509Certificate> chain = Certificates.parseAny(((String) cert.get("chain_pem")).getBytes(StandardCharsets.US_ASCII));
        List<X509Certificate> full = new ArrayList<>(leaf);
        full.addAll(chain);
        String base = o.domain().replace("*", "star").replace('.', '_');
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(base + ".crt", Certificates.toPem(leaf).getBytes(StandardCharsets.US_ASCII));
        files.put("ca-bundle.crt", Certificates.toPem(chain).getBytes(StandardCharsets.US_ASCII));
        files.put("fullchain.pem", Certificates.toPem(full).getBytes(StandardCharsets.US_ASCII));
        if (o.serverType().equals("iis") || o.serverType().equals("tomcat")) {
            files.put(o.domain().replace("*", "star") + ".p7b", Certificates.toPkcs7Der(full));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("domain", o.domain());
        model.put("names", o.names());
        model.put("clientReference", o.clientReference());
        model.put("productType", o.productType());
        model.put("serverType", o.serverType());
        model.put("notAfter", String.valueOf(cert.get("not_after")));
        model.put("leafFile", base + ".crt");
        model.put("p7bFile", o.domain().replace("*", "star") + ".p7b");
        model.put("files", new ArrayList<>(files.keySet()));
        model.put("adminName", adminName(o));
        var m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader("To", d.recipient());
        m.setHeader("From", from);
        m.setHeader("Subject", "Your SSL certificate for " + o.domain() + " is ready (order " + o.clientReference() + ")");
        m.setHeader("Message-ID", messageId(o.id(), id, from));
        m.setBody(model);
        exchange.setProperty(DELIVERY_ID, id);
        exchange.setProperty(SERVER_TYPE, o.serverType());
        exchange.setProperty(MAIL_TEMPLATE, "install-" + o.serverType());
        exchange.setProperty(FILES, files);
    }

    /**
     * The renewal reminder (issue 13 §3): template {@code renewal-reminder.ftl}, data model
     * {@code domain, names, clientReference, productType, adminName, notAfter, days}, no attachments.
     */
    private void prepareReminder(Exchange exchange, long id, DeliveryQueue.Delivery d, Order o) {
        Object notAfter = jdbc.queryForObject("select not_after from certificate where id = ?", Object.class, d.certificateId());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("domain", o.domain());
        model.put("names", o.names());
        model.put("clientReference", o.clientReference());
        model.put("productType", o.productType());
        model.put("adminName", adminName(o));
        model.put("notAfter", String.valueOf(notAfter));
        model.put("days", d.reminderDays());
        var m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader("To", d.recipient());
        m.setHeader("From", from);
        m.setHeader("Subject", "Your SSL certificate for " + o.domain() + " ends in " + d.reminderDays() + " day"
            + (d.reminderDays() == 1 ? "" : "s") + ": renew it (order " + o.clientReference() + ")");
        m.setHeader("Message-ID", messageId(o.id(), id, from));
        m.setBody(model);
        exchange.setProperty(DELIVERY_ID, id);
        exchange.setProperty(SERVER_TYPE, o.serverType());
        exchange.setProperty(MAIL_TEMPLATE, "renewal-reminder");
        exchange.setProperty(FILES, Map.of());
    }

    /**
     * The Message-ID of a delivery's email (RFC 5322 §3.6.4), the same for every try of that
     * delivery: an email sent again because the hub stopped between the SMTP server's acceptance
     * and the SENT mark (an outbox in front of SMTP is at least once) is then recognisably the same
     * message to the mail servers and clients that drop a Message-ID they already have. A resend
     * the reseller asks for is a new delivery, so a new Message-ID. Camel's mail sender keeps an
     * explicit Message-ID through {@code saveChanges()}.
     *
     * @param orderId    the order's id (a UUID: unique across hubs and databases)
     * @param deliveryId the delivery's id
     * @param from       the sender ({@code hub.mail.smtp.from}); its domain is the id's right part
     * @return e.g. {@code <6f1c…-…-…@reseller.example.com>} as {@code <orderId.deliveryId@domain>}
     */
    public static String messageId(String orderId, long deliveryId, String from) {
        String domain = "certhub.invalid";
        try {
            String address = new jakarta.mail.internet.InternetAddress(from, false).getAddress();
            int at = address == null ? -1 : address.lastIndexOf('@');
            if (at > 0 && at < address.length() - 1) {
                domain = address.substring(at + 1);
            }
        } catch (jakarta.mail.internet.AddressException | RuntimeException e) {
            // keep the reserved domain (RFC 2606): the id stays unique by its left part
        }
        return "<" + orderId + "." + deliveryId + "@" + domain + ">";
    }

    /**
     * Adds the certificate files to the rendered email.
     *
     * @param exchange after the template: body is the instruction text
     */
    @SuppressWarnings("unchecked")
    public void attach(Exchange exchange) {
        Map<String, byte[]> files = exchange.getProperty(FILES, Map.class);
        AttachmentMessage m = exchange.getMessage(AttachmentMessage.class);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String type = f.getKey().endsWith(".p7b") ? "application/pkcs7-mime" : "application/x-pem-file";
            m.addAttachment(f.getKey(), new DataHandler(new ByteArrayDataSource(f.getValue(), type)));
        }
        m.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=UTF-8");
    }

    /** Marks the delivery sent. @param exchange after the SMTP send */
    public void sent(Exchange exchange) {
        long id = exchange.getProperty(DELIVERY_ID, Long.class);
        queue.sent(id);
        meters.counter("certhub.deliveries.sent").increment();
    }

    /** Records the failure and schedules a retry. @param exchange the failed exchange */
    public void failed(Exchange exchange) {
        Long id = exchange.getProperty(DELIVERY_ID, Long.class);
        if (id == null) {
            id = exchange.getMessage().getBody(Long.class);
        }
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String error = t == null ? "unknown failure" : t.getClass().getSimpleName() + ": " + t.getMessage();
        DeliveryQueue.Delivery d = queue.find(id).orElse(null);
        int attempts = d == null ? 0 : d.attempts();
        Duration wait = Backoff.exponential(retryBase, retryMax, attempts);
        if (attempts == 0 && d != null && tx != null) {
            // the first failure of this delivery: webhook event delivery.failed in the same transaction (issue 13 §4)
            long deliveryId = id;
            Duration retryIn = wait;
            tx.executeWithoutResult(s -> {
                queue.failed(deliveryId, error, retryIn);
                deliveryFailed(d, error, retryIn);
            });
        } else {
            queue.failed(id, error, wait);
        }
        meters.counter("certhub.deliveries.failed").increment();
        LOG.warn("delivery {} failed (attempt {}): {}; retry in {}", id, attempts + 1, error, wait);
    }

    private String adminName(Order o) {
        try {
            var admin = json.readTree(o.contactsJson()).path("admin");
            return (admin.path("firstName").asText("") + " " + admin.path("lastName").asText("")).trim();
        } catch (Exception e) {
            return "";
        }
    }
}
