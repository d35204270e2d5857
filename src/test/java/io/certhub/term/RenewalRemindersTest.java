package io.certhub.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenewalRemindersTest {

    static final List<Integer> DAYS = List.of(30, 7, 1);

    @Test
    void theIntervalIsTheShortestNotShorterThanWhatIsLeft() {
        assertThat(RenewalReminders.dueInterval(Duration.ofDays(31), DAYS)).isNull();
        assertThat(RenewalReminders.dueInterval(Duration.ofDays(30).plusSeconds(1), DAYS)).isNull();
        assertThat(RenewalReminders.dueInterval(Duration.ofDays(30), DAYS)).isEqualTo(30);
        assertThat(RenewalReminders.dueInterval(Duration.ofDays(8), DAYS)).isEqualTo(30);
        assertThat(RenewalReminders.dueInterval(Duration.ofDays(7), DAYS)).isEqualTo(7);
        assertThat(RenewalReminders.dueInterval(Duration.ofDays(5), DAYS)).isEqualTo(7);
        assertThat(RenewalReminders.dueInterval(Duration.ofHours(25), DAYS)).isEqualTo(7);
        assertThat(RenewalReminders.dueInterval(Duration.ofHours(12), DAYS)).isEqualTo(1);
        assertThat(RenewalReminders.dueInterval(Duration.ofHours(12), List.of(1, 30, 7))).isEqualTo(1);
        assertThat(RenewalReminders.dueInterval(Duration.ofDays(10), List.of(14))).isEqualTo(14);
    }
}
