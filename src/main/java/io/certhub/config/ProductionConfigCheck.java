package io.certhub.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Stops start-up of the {@code production} profile when a required setting is missing, with a
 * message naming each missing environment variable and the property it feeds. Runs before any
 * bean is made (registered in META-INF/spring.factories), so the hub never falls back to an
 * embedded default in production. It also refuses a secret set to one of the sandbox's published
 * defaults ({@link #SANDBOX_SECRETS}: {@code operator-key}, {@code demo-key}, {@code other-key},
 * {@code sandbox-key}), naming each such setting (issue 16 item 2).
 */
public class ProductionConfigCheck implements EnvironmentPostProcessor {

    /** Property → environment variable, every one required in production. */
    public static final Map<String, String> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put("spring.datasource.url", "HUB_DB_URL");
        REQUIRED.put("spring.datasource.username", "HUB_DB_USERNAME");
        REQUIRED.put("spring.datasource.password", "HUB_DB_PASSWORD");
        REQUIRED.put("hub.operator-key", "HUB_OPERATOR_KEY");
        REQUIRED.put("hub.vendor.opensrs.url", "HUB_VENDOR_OPENSRS_URL");
        REQUIRED.put("hub.vendor.opensrs.username", "HUB_VENDOR_OPENSRS_USERNAME");
        REQUIRED.put("hub.vendor.opensrs.api-key", "HUB_VENDOR_OPENSRS_API_KEY");
        REQUIRED.put("hub.mailbox.trusted-roots", "HUB_MAILBOX_TRUSTED_ROOTS");
        REQUIRED.put("hub.mailbox.host", "HUB_MAILBOX_HOST");
        REQUIRED.put("hub.mailbox.username", "HUB_MAILBOX_USERNAME");
        REQUIRED.put("hub.mailbox.password", "HUB_MAILBOX_PASSWORD");
        REQUIRED.put("hub.mail.smtp.host", "HUB_MAIL_SMTP_HOST");
        REQUIRED.put("hub.mail.smtp.from", "HUB_MAIL_SMTP_FROM");
    }

    /** Secret property → environment variable; none may hold a sandbox default in production. */
    public static final Map<String, String> SECRETS = new LinkedHashMap<>();

    /** The sandbox's published secrets (shared/CONTRACT.md, "Sandbox"; config/application.yml). */
    public static final List<String> SANDBOX_SECRETS = List.of("operator-key", "demo-key", "other-key", "sandbox-key");

    static {
        SECRETS.put("hub.operator-key", "HUB_OPERATOR_KEY");
        SECRETS.put("hub.vendor.opensrs.api-key", "HUB_VENDOR_OPENSRS_API_KEY");
        SECRETS.put("spring.datasource.password", "HUB_DB_PASSWORD");
        SECRETS.put("hub.mailbox.password", "HUB_MAILBOX_PASSWORD");
        SECRETS.put("hub.mail.smtp.password", "HUB_MAIL_SMTP_PASSWORD");
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (!Arrays.asList(env.getActiveProfiles()).contains("production")) {
            return;
        }
        List<String> missing = new ArrayList<>();
        REQUIRED.forEach((property, variable) -> {
            String value = env.getProperty(property);
            if (value == null || value.isBlank()) {
                missing.add(variable + " (" + property + ")");
            }
        });
        List<String> defaults = new ArrayList<>();
        SECRETS.forEach((property, variable) -> {
            String value = env.getProperty(property);
            if (value != null && SANDBOX_SECRETS.contains(value.trim())) {
                defaults.add(variable + " (" + property + ") is `" + value.trim() + "`");
            }
        });
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("The production profile needs these settings from the environment: " + String.join(", ", missing));
        }
        if (!defaults.isEmpty()) {
            problems.add("The production profile refuses the sandbox's default secrets; set secrets of your own: " + String.join(", ", defaults));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }
}
