package io.certhub.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The ACME front door's rate per client address. */
class AcmeThrottleTest {

    @Test
    void anAddressGetsItsRateAndOthersTheirOwn() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AcmeThrottle throttle = new AcmeThrottle(new AcmeServerProperties("", 2, 100, false, "", 80, false, 100), meters);
        int allowed = 0;
        for (int i = 0; i < 20; i++) {
            if (throttle.allow("192.0.2.1")) {
                allowed++;
            }
        }
        // Guava's limiter: the first permit at once, then 2 per second (a loop of 20 takes far less than a second)
        assertThat(allowed).isBetween(1, 3);
        assertThat(meters.counter("certhub.acme.throttled").count()).isEqualTo(20 - allowed);
        assertThat(throttle.allow("192.0.2.2")).isTrue();
    }
}
