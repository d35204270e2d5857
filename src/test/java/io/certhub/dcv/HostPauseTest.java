package io.certhub.dcv;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HostPauseTest {

    @Test
    void aPauseLastsAsLongAsAskedThenEnds() {
        AtomicLong now = new AtomicLong(1_000);
        HostPause p = new HostPause(now::get);
        p.pause("Whois.Example", Duration.ofSeconds(30));
        assertThat(p.remaining("whois.example")).contains(Duration.ofSeconds(30));
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(p.remaining("whois.example")).contains(Duration.ofSeconds(1));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(p.remaining("whois.example")).isEmpty();
        assertThat(p.remaining("other.example")).isEmpty();
    }

    @Test
    void noLengthMeansTheDefaultAndTooLongIsCappedAtAnHour() {
        AtomicLong now = new AtomicLong();
        HostPause p = new HostPause(now::get);
        p.pause("a", null);
        p.pause("b", Duration.ofDays(2));
        assertThat(p.remaining("a")).contains(HostPause.DEFAULT);
        assertThat(p.remaining("b")).contains(Duration.ofHours(1));
    }

    @Test
    void readsTheWaitAThrottleAnswerNames() {
        assertThat(HostPause.named("Please try again in 30 seconds")).isEqualTo(Duration.ofSeconds(30));
        assertThat(HostPause.named("limit exceeded; wait 5 minutes")).isEqualTo(Duration.ofMinutes(5));
        assertThat(HostPause.named("Query limit exceeded. Retry after 2 hours.")).isEqualTo(Duration.ofHours(2));
        assertThat(HostPause.named("WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS")).isNull();
    }
}
