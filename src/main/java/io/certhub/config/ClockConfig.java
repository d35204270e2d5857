package io.certhub.config;

import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hub's time source: the UTC system clock ticking in whole microseconds, unless a test
 * supplies its own {@link Clock} bean. Microseconds are the precision of {@code timestamp with
 * time zone} in PostgreSQL and H2, so an instant the API answers at once (a 201's
 * {@code createdAt}) is the same one it answers after reading it back (issue 11 §5).
 *
 * <p>In the sandbox ({@code hub.sandbox.enabled=true}) the sandbox add-on brings the clock instead
 * ({@code io.certhub.sandbox.SandboxAutoConfiguration#movableClock}: one that
 * {@code POST /sandbox/clock} moves forward, issue 13 §2). A build without the add-on (the
 * production jar) started with {@code hub.sandbox.enabled=true} stops at once, saying so
 * ({@link #sandboxAddOnMissing}).
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
     * Stops start-up, before any bean is made, when {@code hub.sandbox.enabled=true} but this build
     * carries no sandbox add-on (the production jar, issue 14 §4).
     *
     * @return a bean factory post-processor that throws
     * @throws IllegalStateException always, naming the setting and the two ways out
     */
    @Bean
    @ConditionalOnProperty(name = "hub.sandbox.enabled", havingValue = "true")
    @ConditionalOnMissingClass("io.certhub.sandbox.SandboxAutoConfiguration")
    public static BeanFactoryPostProcessor sandboxAddOnMissing() {
        return factory -> {
            throw new IllegalStateException("hub.sandbox.enabled=true, but this build carries no sandbox (the production jar"
                + " target/certhub-*.jar): run it with SPRING_PROFILES_ACTIVE=production (or hub.sandbox.enabled=false and the real"
                + " database, mail servers and vendor), or run the sandbox jar target/sandbox/certhub-*-sandbox.jar");
        };
    }
}
