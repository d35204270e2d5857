package io.certhub.mailbox;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Poll strategy of the certificate mailbox (route certificate-mailbox: camel-mail with
 * {@code greedy=true}, {@code pollStrategy=#mailboxPollStrategy}).
 *
 * <p>Greedy: a poll that found mail is followed at once by the next one, so a backlog is read
 * batch after batch ({@code maxMessagesPerPoll}) instead of one batch per
 * {@code hub.mailbox.poll-delay-ms}. But a mail whose exchange failed stays unseen in the folder
 * (peek) and is found again by that next poll: with nothing but failing mails left, polling at
 * once would fail them again and again in a tight loop. So after a poll in which mails failed
 * ({@link #failed()}, told by {@link CertificateMailbox}) and none succeeded
 * ({@link #succeeded()}), the greedy re-poll that follows it is skipped ({@link #begin} answers
 * false) and they are retried at the next scheduled poll, one poll delay later — as without
 * greedy polling. A poll in which some mails succeeded goes on at once: the failed ones come
 * along with the rest of the backlog.
 *
 * <p>A greedy re-poll is told from a scheduled one by time: camel-mail's scheduler waits the poll
 * delay after a run before the next, whereas a greedy re-poll begins as soon as the previous
 * poll committed; a poll that begins less than half the poll delay after the previous one ended is
 * the greedy one. A failure of the poll itself is not retried at once either, as with Camel's
 * default strategy (the consumer logs it).
 */
@Component("mailboxPollStrategy")
public class MailboxPollStrategy implements PollingConsumerPollStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(MailboxPollStrategy.class);

    private final long quietNanos;
    private final LongSupplier nanoTime;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger successes = new AtomicInteger();
    private volatile boolean lastPollFailed;
    private volatile long lastPollEnd;

    /**
     * @param props {@code hub.mailbox.*}: {@code poll-delay-ms}, the consumer's delay between polls
     */
    @Autowired
    public MailboxPollStrategy(MailboxProperties props) {
        this(props.getPollDelayMs(), System::nanoTime);
    }

    /**
     * @param pollDelayMs the consumer's delay between polls, in milliseconds
     * @param nanoTime    monotonic time source in nanoseconds (tests supply their own)
     */
    public MailboxPollStrategy(long pollDelayMs, LongSupplier nanoTime) {
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(pollDelayMs) / 2;
        this.nanoTime = nanoTime;
    }

    /**
     * @param consumer the mailbox consumer
     * @param endpoint its endpoint
     * @return false for a greedy re-poll right after a poll that only failed, else true
     */
    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (lastPollFailed && nanoTime.getAsLong() - lastPollEnd < quietNanos) {
            LOG.debug("the last poll only failed: no greedy re-poll, the next poll is after the poll delay");
            lastPollFailed = false;
            return false;
        }
        failures.set(0);
        successes.set(0);
        return true;
    }

    /**
     * Notes whether the poll that just ended only failed (mails failed, none succeeded).
     *
     * @param consumer       the mailbox consumer
     * @param endpoint       its endpoint
     * @param polledMessages mails the poll handed to the route
     */
    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        lastPollFailed = failures.get() > 0 && successes.get() == 0;
        lastPollEnd = nanoTime.getAsLong();
    }

    /**
     * The poll itself failed (not one mail): no retry at once.
     *
     * @param consumer     the mailbox consumer
     * @param endpoint     its endpoint
     * @param retryCounter retries so far
     * @param cause        what failed
     * @return false: the next attempt is the next scheduled poll
     */
    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        // Camel's consumer logs the failure itself (WARN "Failed polling endpoint")
        LOG.debug("certificate mailbox poll failed: {}", cause.toString());
        lastPollFailed = true;
        lastPollEnd = nanoTime.getAsLong();
        return false;
    }

    /** Records that a mail's exchange failed in the current poll (it stays unseen for a later poll). */
    public void failed() {
        failures.incrementAndGet();
    }

    /** Records that a mail of the current poll was processed (it is moved out of the folder). */
    public void succeeded() {
        successes.incrementAndGet();
    }
}
