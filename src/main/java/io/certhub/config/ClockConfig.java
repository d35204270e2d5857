package io.certhub.config;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The hub's time source: UTC system clock unless a test supplies its own {@link Clock} bean. */
@Configuration(proxyBeanMethods = false)
public class ClockConfig {

    /** @return the system clock in UTC */
    @Bean
    @ConditionalOnMissingBean
    public Clock clock() {
        return Clock.systemUTC();
    }
}
