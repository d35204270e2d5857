package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.config.ProductionConfigCheck;
import io.certhub.support.HubProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 §2: the packaged jar on {@code SPRING_PROFILES_ACTIVE=production} refuses to start
 * (the process exits, non-zero, before any port or database is opened) with a sandbox default
 * secret or a missing setting, and its log names each offending environment variable
 * ({@link ProductionConfigCheck}). Settings come only from environment variables, as in
 * {@link ProductionBootIT}; nothing here needs PostgreSQL, a mail server or a vendor (the check
 * runs before any of them is reached).
 */
class ProductionRefusalIT {

    @TempDir
    Path dir;

    /** Every required setting, none a sandbox default, none pointing at a running server. */
    private static Map<String, String> validEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HUB_DB_URL", "jdbc:postgresql://127.0.0.1:1/certhub");
        env.put("HUB_DB_USERNAME", "certhub");
        env.put("HUB_DB_PASSWORD", "db-secret-4f1c");
        env.put("HUB_OPERATOR_KEY", "operator-secret-93ab");
        env.put("HUB_VENDOR_OPENSRS_URL", "https://localhost:1/");
        env.put("HUB_VENDOR_OPENSRS_USERNAME", "reseller");
        env.put("HUB_VENDOR_OPENSRS_API_KEY", "vendor-secret-77d0");
        env.put("HUB_MAILBOX_TRUSTED_ROOTS", "/nonexistent/vendor-roots.pem");
        env.put("HUB_MAILBOX_HOST", "localhost");
        env.put("HUB_MAILBOX_USERNAME", "ssl-orders@reseller.test");
        env.put("HUB_MAILBOX_PASSWORD", "mailbox-secret-0c2e");
        env.put("HUB_MAIL_SMTP_HOST", "localhost");
        env.put("HUB_MAIL_SMTP_FROM", "certificates@reseller.test");
        return env;
    }

    private HubProcess.Exit run(String name, Map<String, String> env) {
        return HubProcess.builder(name).onlyEnvironment().profile("production").env(env)
            .dataDir(dir).port(ProductionBootIT.freePort()).runToExit(Duration.ofMinutes(2));
    }

    @Test
    void theSandboxOperatorKeyAloneIsRefusedAndNamed() {
        Map<String, String> env = validEnvironment();
        env.put("HUB_OPERATOR_KEY", "operator-key");
        HubProcess.Exit exit = run("production-refusal-operator-key", env);
        assertThat(exit.code()).isNotZero();
        assertThat(exit.log()).contains("refuses the sandbox's default secrets")
            .contains("HUB_OPERATOR_KEY (hub.operator-key) is `operator-key`")
            .doesNotContain("HUB_VENDOR_OPENSRS_API_KEY (")
            .doesNotContain("needs these settings")
            .doesNotContain("Tomcat started");
    }

    @Test
    void everySandboxDefaultAndAMissingSecretAreNamed() {
        Map<String, String> env = validEnvironment();
        env.put("HUB_VENDOR_OPENSRS_API_KEY", "sandbox-key");
        env.put("HUB_MAILBOX_PASSWORD", "demo-key");
        env.put("HUB_MAIL_SMTP_PASSWORD", "other-key");
        env.remove("HUB_DB_PASSWORD");
        HubProcess.Exit exit = run("production-refusal-defaults", env);
        assertThat(exit.code()).isNotZero();
        assertThat(exit.log())
            .contains("The production profile needs these settings from the environment: HUB_DB_PASSWORD (spring.datasource.password)")
            .contains("HUB_VENDOR_OPENSRS_API_KEY (hub.vendor.opensrs.api-key) is `sandbox-key`")
            .contains("HUB_MAILBOX_PASSWORD (hub.mailbox.password) is `demo-key`")
            .contains("HUB_MAIL_SMTP_PASSWORD (hub.mail.smtp.password) is `other-key`")
            .doesNotContain("HUB_OPERATOR_KEY (")
            .doesNotContain("Tomcat started");
    }

    @Test
    void withNothingSetEveryRequiredVariableIsNamed() {
        HubProcess.Exit exit = run("production-refusal-empty", Map.of());
        assertThat(exit.code()).isNotZero();
        ProductionConfigCheck.REQUIRED.forEach((property, variable) ->
            assertThat(exit.log()).contains(variable + " (" + property + ")"));
        assertThat(exit.log()).doesNotContain("Tomcat started");
    }
}
