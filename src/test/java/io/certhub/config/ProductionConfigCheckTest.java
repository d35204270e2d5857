package io.certhub.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.CerthubApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The production profile refuses to start without its settings, naming each missing one. */
class ProductionConfigCheckTest {

    @Test
    void missingSettingsStopStartUpNamingThem() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CerthubApplication.class).profiles("production")
            .run("--server.port=0", "--HUB_DB_URL=jdbc:postgresql://db/certhub", "--spring.main.banner-mode=off"))
            .hasStackTraceContaining("HUB_DB_USERNAME").hasStackTraceContaining("HUB_OPERATOR_KEY")
            .hasStackTraceContaining("HUB_VENDOR_OPENSRS_URL").hasStackTraceContaining("HUB_MAILBOX_HOST")
            .isInstanceOf(IllegalStateException.class)
            .message().startsWith("The production profile needs these settings from the environment")
            .doesNotContain("HUB_DB_URL (");
    }
}
