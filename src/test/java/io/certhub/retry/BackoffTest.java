package io.certhub.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheBaseUpToTheMax() {
        Duration base = Duration.ofSeconds(2);
        Duration max = Duration.ofMinutes(1);
        assertThat(Backoff.exponential(base, max, 0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Backoff.exponential(base, max, 1)).isEqualTo(Duration.ofSeconds(4));
        assertThat(Backoff.exponential(base, max, 4)).isEqualTo(Duration.ofSeconds(32));
        assertThat(Backoff.exponential(base, max, 5)).isEqualTo(Duration.ofMinutes(1));     // 64 s capped
        assertThat(Backoff.exponential(base, max, 1_000)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aNegativeCountIsTheFirstAttemptAndHugeCountsDoNotOverflow() {
        assertThat(Backoff.exponential(Duration.ofMillis(500), Duration.ofHours(1), -3)).isEqualTo(Duration.ofMillis(500));
        // 1 day × 2^20 is far beyond any max, computed without overflow
        assertThat(Backoff.exponential(Duration.ofDays(1), Duration.ofDays(30), Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(30));
        assertThat(Backoff.exponential(Duration.ofDays(1), Duration.ofDays(10_000_000), 40)).isEqualTo(Duration.ofDays(1L << 20));
    }

    @Test
    void aMissingDurationIsRefused() {
        assertThatThrownBy(() -> Backoff.exponential(null, Duration.ofSeconds(1), 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), null, 0)).isInstanceOf(NullPointerException.class);
    }
}
