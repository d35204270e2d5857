package io.certhub.webhook;

import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The retention of webhook history (issue 13 §4): deletes events older than
 * {@code hub.webhooks.retention} (default 30 days) none of whose deliveries is still PENDING,
 * together with their deliveries and the delivery log's tries, so the outbox tables stay bounded.
 * Run by the route {@code webhook-retention} on a clustered Quartz schedule
 * ({@code hub.webhooks.retention-cron}): one instance of a cluster runs it; running it twice is
 * harmless (a deleted row is not deleted again). Work is bounded: batches of {@value #BATCH}
 * events, each in its own short transaction, at most {@value #MAX_BATCHES} batches per run (the
 * next run goes on).
 */
@Component("webhookRetention")
public class WebhookRetention {

    /** Events deleted per transaction. */
    public static final int BATCH = 500;
    /** Batches per run at most. */
    public static final int MAX_BATCHES = 200;

    private static final Logger LOG = LoggerFactory.getLogger(WebhookRetention.class);

    private final WebhookRepository repo;
    private final WebhookProperties props;
    private final TransactionTemplate tx;
    private final Clock clock;

    /**
     * @param repo  webhook tables
     * @param props {@code hub.webhooks.retention}
     * @param tx    transaction template (one per batch)
     * @param clock time source
     */
    public WebhookRetention(WebhookRepository repo, WebhookProperties props, TransactionTemplate tx, Clock clock) {
        this.repo = repo;
        this.props = props;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * Deletes what is past the retention.
     *
     * @return the number of events deleted (with their deliveries and tries)
     */
    public int prune() {
        Instant before = clock.instant().minus(props.getRetention());
        int total = 0;
        for (int b = 0; b < MAX_BATCHES; b++) {
            Integer n = tx.execute(s -> repo.prune(before, BATCH));
            total += n == null ? 0 : n;
            if (n == null || n < BATCH) {
                break;
            }
        }
        if (total > 0) {
            LOG.info("webhook retention: {} event(s) older than {} deleted with their deliveries and tries", total, before);
        }
        return total;
    }
}
