package io.certhub.config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hub's time source: the UTC system clock ticking in whole microseconds, unless a test
 * supplies its own {@link Clock} bean. Microseconds are the precision of {@code timestamp with
 * time zone} in PostgreSQL and H2, so an instant the API answers at once (a 201's
 * {@code createdAt}) is the same one it answers after reading it back (issue 11 §5).
 *
 * <p>In the sandbox ({@code hub.sandbox.enabled=true}) the clock is an {@link OffsetClock} that
 * {@code POST /sandbox/clock} moves forward (issue 13 §2), starting at
 * {@code hub.sandbox.clock-start} (an ISO 8601 instant; empty: now).
 */
@Configuration(proxyBeanMethods = false)
public class ClockConfig {

    /** @return the system clock in UTC, truncated to microseconds */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "hub.sandbox.enabled", havingValue = "false", matchIfMissing = true)
    public Clock clock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }

    /**
     * @param start {@code hub.sandbox.clock-start}: where the clock starts (ISO 8601 instant), or empty for now
     * @return the movable sandbox clock (microsecond ticks)
     * @throws java.time.format.DateTimeParseException when {@code start} is not an instant (start-up stops)
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "hub.sandbox.enabled", havingValue = "true")
    public Clock movableClock(@Value("${hub.sandbox.clock-start:}") String start) {
        Clock base = Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
        Duration offset = Duration.ZERO;
        if (start != null && !start.isBlank()) {
            offset = Duration.between(base.instant(), Instant.parse(start.trim()));
        }
        return new OffsetClock(base, offset);
    }
}
