package io.certhub.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The certificate mailbox's greedy polling: a poll that found mail is repeated at once unless
 * all its mails failed; then the next poll is the scheduled one, a poll delay later. Time is a
 * hand-moved clock.
 */
class MailboxPollStrategyTest {

    static final long DELAY_MS = 2000;
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final MailboxPollStrategy polls = new MailboxPollStrategy(DELAY_MS, now::get);

    void pass(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** One poll: begin (must be allowed), the mails' outcomes, commit. */
    void poll(int succeeded, int failed) {
        assertThat(polls.begin(null, null)).isTrue();
        for (int i = 0; i < succeeded; i++) {
            polls.succeeded();
        }
        for (int i = 0; i < failed; i++) {
            polls.failed();
        }
        pass(5);
        polls.commit(null, null, succeeded + failed);
    }

    @Test
    void aPollWhoseMailsSucceededIsRepeatedAtOnce() {
        poll(50, 0);
        pass(1);
        assertThat(polls.begin(null, null)).isTrue();
    }

    @Test
    void aPollWithSomeFailedMailsAmongSucceededOnesIsRepeatedAtOnce() {
        poll(49, 1);
        pass(1);
        assertThat(polls.begin(null, null)).isTrue();
    }

    @Test
    void aPollWhoseMailsAllFailedIsNotRepeatedAtOnceButAtTheScheduledPoll() {
        poll(0, 3);
        pass(1);
        assertThat(polls.begin(null, null)).isFalse();         // the greedy re-poll is skipped
        pass(DELAY_MS);
        assertThat(polls.begin(null, null)).isTrue();          // the scheduled poll a delay later
    }

    @Test
    void theScheduledPollAfterAFailedOneIsNotSkipped() {
        poll(0, 1);
        pass(DELAY_MS);
        assertThat(polls.begin(null, null)).isTrue();
    }

    @Test
    void theCountsStartAgainWithEveryPoll() {
        poll(0, 2);
        pass(DELAY_MS);
        poll(10, 0);                                           // the failures of the poll before do not count
        pass(1);
        assertThat(polls.begin(null, null)).isTrue();
    }

    @Test
    void aFailedPollIsNotRetriedAtOnce() {
        assertThat(polls.begin(null, null)).isTrue();
        assertThat(polls.rollback(null, null, 0, new IllegalStateException("IMAP server gone"))).isFalse();
        pass(1);
        assertThat(polls.begin(null, null)).isFalse();
        pass(DELAY_MS);
        assertThat(polls.begin(null, null)).isTrue();
    }
}
