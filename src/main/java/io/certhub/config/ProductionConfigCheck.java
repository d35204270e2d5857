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
 * embedded default in production.
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
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The production profile needs these settings from the environment: " + String.join(", ", missing));
        }
    }
}
