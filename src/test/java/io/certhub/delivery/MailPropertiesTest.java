package io.certhub.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * {@link MailProperties} bound and validated as at start-up (issue 14 §2): the embedded default's
 * values bind (durations such as {@code 5s}); a port out of range, an unknown protocol, a sender
 * that is no address, a backoff whose base exceeds its maximum and a thread count of 0 each stop
 * the context with a message naming the property.
 */
class MailPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(MailProperties.class)
    static class Config {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ConfigurationPropertiesAutoConfiguration.class, ValidationAutoConfiguration.class))
        .withUserConfiguration(Config.class)
        .withPropertyValues("hub.mail.smtp.host=127.0.0.1", "hub.mail.smtp.port=3025", "hub.mail.smtp.from=certificates@reseller.example.com");

    @Test
    void theEmbeddedDefaultsBind() {
        runner.withPropertyValues("hub.mail.retry-base=5s", "hub.mail.retry-max=30m", "hub.mail.delivery-threads=8").run(c -> {
            assertThat(c).hasNotFailed();
            MailProperties p = c.getBean(MailProperties.class);
            assertThat(p.getSmtp().getPort()).isEqualTo(3025);
            assertThat(p.getRetryBase()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.getRetryMax()).isEqualTo(Duration.ofMinutes(30));
            assertThat(p.getTemplates()).isEqualTo("templates/delivery");
        });
    }

    @Test
    void badValuesStopTheStartNamingTheProperty() {
        runner.withPropertyValues("hub.mail.smtp.port=0").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("hub.mail.smtp.port"));
        runner.withPropertyValues("hub.mail.smtp.protocol=lmtp").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("hub.mail.smtp.protocol").hasStackTraceContaining("must be smtp or smtps"));
        runner.withPropertyValues("hub.mail.smtp.from=certificates").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("hub.mail.smtp.from"));
        runner.withPropertyValues("hub.mail.retry-base=1h", "hub.mail.retry-max=30m").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("retry-base must be positive and at most retry-max"));
        runner.withPropertyValues("hub.mail.delivery-threads=0").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("hub.mail.delivery-threads"));
    }
}
