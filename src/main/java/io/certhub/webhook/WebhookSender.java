package io.certhub.webhook;

import io.certhub.retry.Backoff;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends the webhook outbox (routes/webhook/webhook-delivery.camel.yaml): the sweep reads due
 * deliveries in batches of {@code hub.webhooks.batch} ({@link #due}); each is claimed in the
 * database by the thread about to send it ({@link #claim}: only one of several threads or hub
 * instances gets it while the claim lasts) and POSTed ({@link #deliver}) with the JDK
 * {@link HttpClient} (connect timeout {@code hub.webhooks.connect-timeout}, answer timeout
 * {@code hub.webhooks.read-timeout}; redirects are not followed), {@code hub.webhooks.concurrency}
 * at once (thread pool profile {@code webhook-delivery}). The URL is the reseller's, so it is never
 * made into a Camel endpoint URI (whose query would be read as endpoint options).
 *
 * <p>Headers (Standard Webhooks, https://www.standardwebhooks.com/): {@code webhook-id} the event
 * id (the same on every try and replay: the receiver's de-duplication key), {@code webhook-timestamp}
 * unix seconds of this try, {@code webhook-signature} {@code v1,<base64 HMAC-SHA256>} of
 * {@code id.timestamp.body} ({@link WebhookSignature}), {@code content-type: application/json}.
 * A 2xx answer is DELIVERED; any other status, no answer or a timeout is retried after
 * {@code hub.webhooks.retry-base} × 2^(tries − 1), at most {@code hub.webhooks.retry-max}
 * ({@link io.certhub.retry.Backoff#exponential}), until {@code hub.webhooks.max-attempts} tries, then FAILED.
 * Every try is in the log ({@code webhook_attempt}). Sending never touches an order's rows, so it
 * cannot slow order processing beyond its own threads and connections.
 */
@Component("webhookSender")
public class WebhookSender {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    /** Exchange property of the sweep: whether its last batch was full, so it reads another one. */
    public static final String MORE = "webhookMore";

    private final WebhookRepository repo;
    private final WebhookProperties props;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final MeterRegistry meters;
    private final HttpClient http;
    private CamelContext camel;

    /**
     * @param repo   webhook tables
     * @param props  {@code hub.webhooks.*}
     * @param tx     transaction template (a try's log row and outcome commit together)
     * @param clock  time source
     * @param meters metrics {@code certhub.webhooks.delivered}, {@code .retried}, {@code .failed}
     */
    public WebhookSender(WebhookRepository repo, WebhookProperties props, TransactionTemplate tx, Clock clock, MeterRegistry meters) {
        this.repo = repo;
        this.props = props;
        this.tx = tx;
        this.clock = clock;
        this.meters = meters;
        this.http = HttpClient.newBuilder().connectTimeout(props.getConnectTimeout()).followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** @param camel the Camel context, whose stopping makes {@link #claim} refuse further claims */
    @Autowired
    public void setCamelContext(CamelContext camel) {
        this.camel = camel;
    }

    /**
     * One batch of the sweep: ids of the deliveries due now, oldest first, at most
     * {@code hub.webhooks.batch}; sets {@link #MORE} when the batch is full.
     *
     * @param exchange the sweep's exchange
     * @return delivery ids (not claimed yet)
     */
    public List<Long> due(Exchange exchange) {
        List<Long> due = repo.due(props.getBatch());
        exchange.setProperty(MORE, due.size() >= props.getBatch());
        return due;
    }

    /**
     * Claims a due delivery for one try, for the connect and answer timeouts plus 30 s. Nothing is
     * claimed while the hub is stopping (what is left stays due for the next start or another instance).
     *
     * @param id delivery id
     * @return whether this caller is to send it
     */
    public boolean claim(Long id) {
        if (camel != null && (camel.isStopping() || camel.isStopped())) {
            return false;
        }
        return repo.claim(id, lease());
    }

    /** @return how long one try may hold its delivery */
    Duration lease() {
        return props.getConnectTimeout().plus(props.getReadTimeout()).plusSeconds(30);
    }

    /**
     * Sends one claimed delivery and records the try. Never throws: an unexpected failure (the
     * database) is logged and the delivery is tried again when its claim runs out.
     *
     * @param id delivery id
     */
    public void deliver(Long id) {
        try {
            WebhookRepository.Outgoing o = repo.outgoing(id).orElse(null);
            if (o == null || !"PENDING".equals(o.state())) {
                return;
            }
            if (o.webhookDeleted()) {
                repo.cancel(id);
                return;
            }
            send(o);
        } catch (RuntimeException e) {
            LOG.warn("webhook delivery {} could not be tried or recorded; it is tried again after its claim: {}", id, e.toString());
        }
    }

    private void send(WebhookRepository.Outgoing o) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        byte[] body = o.payload().getBytes(StandardCharsets.UTF_8);
        long ts = started.getEpochSecond();
        String refused = props.isAllowPrivateAddresses() ? null : WebhookAddresses.notPublicHost(URI.create(o.url()).getHost());
        // resolved again before every try: a name re-pointed at an internal address after registration is not called
        Answer answer = refused != null ? new Answer(null, "not sent: " + refused + " (hub.webhooks.allow-private-addresses is false)")
            : post(o, ts, body);
        Integer status = answer.status();
        String error = answer.error();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        boolean delivered = status != null && status >= 200 && status < 300;
        if (status != null && !delivered) {
            error = "HTTP " + status;
        }
        int tries = o.attempts() + 1;
        Duration retryIn = delivered || tries >= props.getMaxAttempts() ? null
            : Backoff.exponential(props.getRetryBase(), props.getRetryMax(), o.attempts());
        final Integer st = status;
        final String err = error;
        Boolean mine = tx.execute(s -> repo.recordTry(o, st, err, started, ms, delivered, retryIn));
        if (!Boolean.TRUE.equals(mine)) {
            LOG.warn("webhook delivery {} was no longer this instance's when its try ended (claim ran out); the try is not recorded", o.deliveryId());
            return;
        }
        if (delivered) {
            meters.counter("certhub.webhooks.delivered").increment();
        } else if (retryIn != null) {
            meters.counter("certhub.webhooks.retried").increment();
            LOG.info("webhook delivery {} ({} {} to webhook {}) try {} failed: {}; next try in {}", o.deliveryId(), o.type(), o.eventId(),
                o.webhookId(), tries, error, retryIn);
        } else {
            meters.counter("certhub.webhooks.failed").increment();
            LOG.warn("webhook delivery {} ({} {} to webhook {}) FAILED after {} tries: {}", o.deliveryId(), o.type(), o.eventId(),
                o.webhookId(), tries, error);
        }
    }

    /** The endpoint's HTTP status, or why there was none. */
    private record Answer(Integer status, String error) { }

    /** POSTs the signed event once; never throws. */
    private Answer post(WebhookRepository.Outgoing o, long ts, byte[] body) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(o.url())).timeout(props.getReadTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Certhub-Webhooks/1")
                .header("webhook-id", o.eventId())
                .header("webhook-timestamp", Long.toString(ts))
                .header("webhook-signature", WebhookSignature.sign(o.secret(), o.eventId(), ts, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            CompletableFuture<HttpResponse<Void>> f = http.sendAsync(req, HttpResponse.BodyHandlers.discarding());
            try {
                // the request timeout covers the answer's head; this bound covers a body that drips
                return new Answer(f.get(props.getConnectTimeout().plus(props.getReadTimeout()).toMillis() + 1000, TimeUnit.MILLISECONDS)
                    .statusCode(), null);
            } catch (TimeoutException e) {
                f.cancel(true);
                return new Answer(null, "timeout: the answer did not end within " + props.getReadTimeout().toMillis() + " ms");
            } catch (ExecutionException e) {
                return new Answer(null, describe(e.getCause()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(null, "interrupted (the hub is stopping)");
        } catch (IllegalArgumentException e) {
            return new Answer(null, "invalid request: " + e.getMessage());
        }
    }

    private String describe(Throwable t) {
        if (t instanceof HttpConnectTimeoutException) {
            return "connect timeout: no connection within " + props.getConnectTimeout().toMillis() + " ms";
        }
        if (t instanceof HttpTimeoutException) {
            return "timeout: no answer within " + props.getReadTimeout().toMillis() + " ms";
        }
        if (t instanceof ConnectException) {
            return "connection refused or unreachable" + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        if (t instanceof IOException) {
            return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        return String.valueOf(t);
    }
}
