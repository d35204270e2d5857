package io.certhub.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * {@link MailboxProperties} bound and validated as at start-up (issue 14 §2): the embedded
 * default's values bind; a port out of range, an unknown protocol, a folder moved onto itself and a
 * read mailbox without a host each stop the context with a message naming the property.
 */
class MailboxPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(MailboxProperties.class)
    static class Config {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ConfigurationPropertiesAutoConfiguration.class, ValidationAutoConfiguration.class))
        .withUserConfiguration(Config.class)
        .withPropertyValues("hub.mailbox.host=127.0.0.1", "hub.mailbox.port=3143", "hub.mailbox.username=ssl-orders@reseller.example.com");

    @Test
    void theEmbeddedDefaultsBind() {
        runner.withPropertyValues("hub.mailbox.protocol=imaps", "hub.mailbox.poll-delay-ms=300").run(c -> {
            assertThat(c).hasNotFailed();
            MailboxProperties p = c.getBean(MailboxProperties.class);
            assertThat(p.getProtocol()).isEqualTo("imaps");
            assertThat(p.getPort()).isEqualTo(3143);
            assertThat(p.getPollDelayMs()).isEqualTo(300);
            assertThat(p.getReviewFolder()).isEqualTo("Review");
        });
    }

    @Test
    void badValuesStopTheStartNamingTheProperty() {
        runner.withPropertyValues("hub.mailbox.port=70000").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("hub.mailbox.port").hasStackTraceContaining("65535"));
        runner.withPropertyValues("hub.mailbox.protocol=pop3").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("hub.mailbox.protocol").hasStackTraceContaining("must be imap or imaps"));
        runner.withPropertyValues("hub.mailbox.review-folder=INBOX").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("must be four different folders"));
        runner.withPropertyValues("hub.mailbox.host=").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("host and username are required"));
        runner.withPropertyValues("hub.mailbox.host=", "hub.mailbox.enabled=false").run(c -> assertThat(c).hasNotFailed());
        runner.withPropertyValues("hub.mailbox.poll-delay-ms=10").run(c ->
            assertThat(c.getStartupFailure()).hasStackTraceContaining("hub.mailbox.poll-delay-ms"));
    }
}
