package io.certhub.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * The mailbox's IMAP port and the delivery SMTP port follow the embedded mail server's ports in
 * config/application.yml (issue 14: one value, not a pair kept equal by hand), and the production
 * profile replaces both with the real servers' (993, 465 unless set).
 */
class MailPortsConfigTest {

    static StandardEnvironment environment(String... files) throws IOException {
        StandardEnvironment env = new StandardEnvironment();
        for (String f : files) {
            for (PropertySource<?> ps : new YamlPropertySourceLoader().load(f, new FileSystemResource(Path.of("config", f)))) {
                env.getPropertySources().addFirst(ps);
            }
        }
        return env;
    }

    @Test
    void byDefaultBothPortsAreTheEmbeddedServersAndMoveWithThem() throws IOException {
        StandardEnvironment env = environment("application.yml");
        assertThat(env.getProperty("hub.mailbox.port")).isEqualTo("3143").isEqualTo(env.getProperty("hub.sandbox.imap-port"));
        assertThat(env.getProperty("hub.mail.smtp.port")).isEqualTo("3025").isEqualTo(env.getProperty("hub.sandbox.smtp-port"));

        env.getPropertySources().addFirst(new MapPropertySource("args", Map.of("hub.sandbox.imap-port", "4143", "hub.sandbox.smtp-port", "4025")));
        assertThat(env.getProperty("hub.mailbox.port")).isEqualTo("4143");
        assertThat(env.getProperty("hub.mail.smtp.port")).isEqualTo("4025");
    }

    @Test
    void productionUsesTheRealServersPorts() throws IOException {
        StandardEnvironment env = environment("application.yml", "application-production.yml");
        assertThat(env.getProperty("hub.mailbox.port")).isEqualTo("993");
        assertThat(env.getProperty("hub.mail.smtp.port")).isEqualTo("465");
    }
}
