package io.certhub.config;

import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hub's time source: the UTC system clock ticking in whole microseconds, unless a test
 * supplies its own {@link Clock} bean. Microseconds are the precision of {@code timestamp with
 * time zone} in PostgreSQL and H2, so an instant the API answers at once (a 201's
 * {@code createdAt}) is the same one it answers after reading it back (issue 11 §5).
 */
@Configuration(proxyBeanMethods = false)
public class ClockConfig {

    /** @return the system clock in UTC, truncated to microseconds */
    @Bean
    @ConditionalOnMissingBean
    public Clock clock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }
}
