package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.config.HubProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FileStabilityFilterTest {

    /** A clock the test moves by hand. */
    static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
        void advance(Duration d) { now = now.plus(d); }
    }

    final StepClock clock = new StepClock();

    FileStabilityFilter filter() {
        HubProperties props = new HubProperties();
        props.getIntake().setQuietPeriod(Duration.ofSeconds(2));
        return new FileStabilityFilter(props, clock);
    }

    @Test
    void aFileIsTakenOnlyAfterStayingUnchangedForTheQuietPeriod() {
        FileStabilityFilter f = filter();
        assertThat(f.stable("/in/a.json", 100, 1000)).isFalse();
        clock.advance(Duration.ofMillis(1500));
        assertThat(f.stable("/in/a.json", 100, 1000)).isFalse();
        clock.advance(Duration.ofMillis(500));
        assertThat(f.stable("/in/a.json", 100, 1000)).isTrue();
    }

    @Test
    void aSlowCopyThatRestoresAnOldModificationTimeStartsTheWaitAgain() {
        FileStabilityFilter f = filter();
        long written = clock.instant().toEpochMilli();
        for (int size = 256; size <= 1024; size += 256) {
            assertThat(f.stable("/in/slow.json", size, written)).isFalse();
            clock.advance(Duration.ofSeconds(1));
            written += 1000;
        }
        long old = Instant.parse("2026-11-01T09:00:00Z").toEpochMilli();   // writer-sim.sh's final touch
        assertThat(f.stable("/in/slow.json", 1024, old)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(f.stable("/in/slow.json", 1024, old)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(f.stable("/in/slow.json", 1024, old)).isTrue();
    }
}
