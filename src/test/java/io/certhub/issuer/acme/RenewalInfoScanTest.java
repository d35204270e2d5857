package io.certhub.issuer.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The moment picked in an ACME renewal window (RFC 9773 §4.2) and when the window is read again (§4.3.3). */
class RenewalInfoScanTest {

    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    static final Instant NOT_AFTER = Instant.parse("2027-03-01T00:00:00Z");

    @Test
    void aFutureWindowIsSpreadOverItsWholeLength() {
        Instant start = Instant.parse("2027-01-10T00:00:00Z");
        Instant end = Instant.parse("2027-01-12T00:00:00Z");
        assertThat(RenewalInfoScan.pick(start, end, NOW, NOT_AFTER, 0.0)).isEqualTo(start);
        assertThat(RenewalInfoScan.pick(start, end, NOW, NOT_AFTER, 0.5)).isEqualTo(Instant.parse("2027-01-11T00:00:00Z"));
        assertThat(RenewalInfoScan.pick(start, end, NOW, NOT_AFTER, 0.999999)).isBefore(end).isAfter(Instant.parse("2027-01-11T23:59:59Z"));
    }

    @Test
    void aWindowThatHasBegunIsSpreadFromNowAndOnePastMeansNow() {
        Instant start = NOW.minus(Duration.ofHours(2));
        Instant end = NOW.plus(Duration.ofHours(2));
        assertThat(RenewalInfoScan.pick(start, end, NOW, NOT_AFTER, 0.0)).isEqualTo(NOW);
        assertThat(RenewalInfoScan.pick(start, end, NOW, NOT_AFTER, 0.5)).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThat(RenewalInfoScan.pick(NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)), NOW, NOT_AFTER, 0.7)).isEqualTo(NOW);
    }

    @Test
    void neverAfterTheCertificateEnds() {
        Instant start = NOT_AFTER.minus(Duration.ofDays(1));
        Instant end = NOT_AFTER.plus(Duration.ofDays(3));
        assertThat(RenewalInfoScan.pick(start, end, NOW, NOT_AFTER, 0.9)).isEqualTo(NOT_AFTER);
    }

    @Test
    void theNextReadFollowsRetryAfterWithinTheBounds() {
        Duration min = Duration.ofHours(1);
        Duration max = Duration.ofHours(24);
        assertThat(RenewalInfoScan.nextRead(NOW.plus(Duration.ofHours(6)), NOW, min, max)).isEqualTo(NOW.plus(Duration.ofHours(6)));
        assertThat(RenewalInfoScan.nextRead(NOW.plus(Duration.ofSeconds(5)), NOW, min, max)).isEqualTo(NOW.plus(min));
        assertThat(RenewalInfoScan.nextRead(NOW.plus(Duration.ofDays(9)), NOW, min, max)).isEqualTo(NOW.plus(max));
        assertThat(RenewalInfoScan.nextRead(null, NOW, min, max)).isEqualTo(NOW.plus(max));
    }
}
