package io.certhub.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The ACME front door's rate per client address. */
class AcmeThrottleTest {

    @Test
    void anAddressMayUseItsWholeRateAtOnceThenWaitsAndOthersHaveTheirOwn() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AcmeThrottle throttle = new AcmeThrottle(new AcmeServerProperties("", 5, 100, false, "", 80, false, 100, 500, 8, 3, java.time.Duration.ofSeconds(2)), meters);
        // an ACME client's first exchange is a burst: the whole second's rate is there at once
        for (int i = 0; i < 5; i++) {
            assertThat(throttle.allow("192.0.2.1")).as("request %d of the first burst", i + 1).isTrue();
        }
        int allowed = 5;
        for (int i = 0; i < 15; i++) {
            if (throttle.allow("192.0.2.1")) {
                allowed++;
            }
        }
        // 20 requests within a second or two: at most one more window's 5
        assertThat(allowed).isBetween(5, 10);
        assertThat(meters.counter("certhub.acme.throttled").count()).isEqualTo(20 - allowed);
        assertThat(throttle.allow("192.0.2.2")).isTrue();
    }

    @Test
    void anIpv6ClientIsKeptByItsSlash64AndIpv4ByItsAddress() {
        assertThat(AcmeThrottle.clientKey("2001:db8:1:2:aaaa::1")).isEqualTo(AcmeThrottle.clientKey("2001:db8:1:2:bbbb:cccc:dddd:eeee"))
            .isEqualTo("20010db800010002::/64");
        assertThat(AcmeThrottle.clientKey("2001:db8:1:3::1")).isNotEqualTo(AcmeThrottle.clientKey("2001:db8:1:2::1"));
        assertThat(AcmeThrottle.clientKey("0:0:0:0:0:0:0:1")).isEqualTo("0000000000000000::/64");
        assertThat(AcmeThrottle.clientKey("192.0.2.7")).isEqualTo("192.0.2.7");
    }
}
