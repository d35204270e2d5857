package io.certhub.delivery;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code hub.mail.*}: delivery of issued certificates (and reminders) to the orders' admin
 * contacts over SMTP (route {@code admin-delivery}; issue 14 §2: one typed, validated record a
 * feature). Checked at start-up (Jakarta Bean Validation): a value out of its range stops the hub
 * with a message naming the property. The routes read the same properties as
 * {@code {{hub.mail.*}}} placeholders.
 */
@Validated
@ConfigurationProperties("hub.mail")
public class MailProperties {

    /** The SMTP server. */
    @Valid
    private final Smtp smtp = new Smtp();
    /** Milliseconds between sweeps of the delivery outbox, 50..600,000; default 1000. */
    @Min(50)
    @Max(600_000)
    private long deliverySweepMs = 1000;
    /** Emails sent at once (SMTP connections), 1..64; default 8. */
    @Min(1)
    @Max(64)
    private int deliveryThreads = 8;
    /** First wait after a failed send (doubled per attempt); default 5 s. */
    @NotNull
    private Duration retryBase = Duration.ofSeconds(5);
    /** Longest wait between sends; default 30 min. */
    @NotNull
    private Duration retryMax = Duration.ofMinutes(30);
    /** Classpath folder of the camel-freemarker templates; default {@code templates/delivery}. */
    @NotBlank
    private String templates = "templates/delivery";
    /** PEM roots the IMAPS/SMTPS servers' certificates must chain to (empty: the JVM's). */
    private String trustedRoots;

    /** @return whether the backoff is positive and its base at most its maximum */
    @AssertTrue(message = "retry-base must be positive and at most retry-max")
    public boolean isRetryOrdered() {
        return retryBase == null || retryMax == null || !retryBase.isNegative() && !retryBase.isZero() && retryBase.compareTo(retryMax) <= 0;
    }

    /** {@code hub.mail.smtp.*}. */
    public static class Smtp {
        /** {@code smtp}, or {@code smtps} (TLS from the first byte; production). */
        @Pattern(regexp = "smtps?", message = "must be smtp or smtps")
        private String protocol = "smtp";
        /** The server. */
        @NotBlank
        private String host;
        /** Its port, 1..65535. */
        @Min(1)
        @Max(65535)
        private int port;
        /** Login, when the server wants one. */
        private String username;
        /** Password. */
        private String password;
        /** The sender address of every email (its domain is the Message-ID's right part). */
        @NotBlank
        @jakarta.validation.constraints.Email
        private String from;

        /** @return {@code hub.mail.smtp.protocol} */
        public String getProtocol() { return protocol; }
        /** @param protocol {@code hub.mail.smtp.protocol} */
        public void setProtocol(String protocol) { this.protocol = protocol; }
        /** @return {@code hub.mail.smtp.host} */
        public String getHost() { return host; }
        /** @param host {@code hub.mail.smtp.host} */
        public void setHost(String host) { this.host = host; }
        /** @return {@code hub.mail.smtp.port} */
        public int getPort() { return port; }
        /** @param port {@code hub.mail.smtp.port} */
        public void setPort(int port) { this.port = port; }
        /** @return {@code hub.mail.smtp.username} */
        public String getUsername() { return username; }
        /** @param username {@code hub.mail.smtp.username} */
        public void setUsername(String username) { this.username = username; }
        /** @return {@code hub.mail.smtp.password} */
        public String getPassword() { return password; }
        /** @param password {@code hub.mail.smtp.password} */
        public void setPassword(String password) { this.password = password; }
        /** @return {@code hub.mail.smtp.from} */
        public String getFrom() { return from; }
        /** @param from {@code hub.mail.smtp.from} */
        public void setFrom(String from) { this.from = from; }
    }

    /** @return {@code hub.mail.smtp.*} */
    public Smtp getSmtp() { return smtp; }
    /** @return {@code hub.mail.delivery-sweep-ms} */
    public long getDeliverySweepMs() { return deliverySweepMs; }
    /** @param deliverySweepMs {@code hub.mail.delivery-sweep-ms} */
    public void setDeliverySweepMs(long deliverySweepMs) { this.deliverySweepMs = deliverySweepMs; }
    /** @return {@code hub.mail.delivery-threads} */
    public int getDeliveryThreads() { return deliveryThreads; }
    /** @param deliveryThreads {@code hub.mail.delivery-threads} */
    public void setDeliveryThreads(int deliveryThreads) { this.deliveryThreads = deliveryThreads; }
    /** @return {@code hub.mail.retry-base} */
    public Duration getRetryBase() { return retryBase; }
    /** @param retryBase {@code hub.mail.retry-base} */
    public void setRetryBase(Duration retryBase) { this.retryBase = retryBase; }
    /** @return {@code hub.mail.retry-max} */
    public Duration getRetryMax() { return retryMax; }
    /** @param retryMax {@code hub.mail.retry-max} */
    public void setRetryMax(Duration retryMax) { this.retryMax = retryMax; }
    /** @return {@code hub.mail.templates} */
    public String getTemplates() { return templates; }
    /** @param templates {@code hub.mail.templates} */
    public void setTemplates(String templates) { this.templates = templates; }
    /** @return {@code hub.mail.trusted-roots} */
    public String getTrustedRoots() { return trustedRoots; }
    /** @param trustedRoots {@code hub.mail.trusted-roots} */
    public void setTrustedRoots(String trustedRoots) { this.trustedRoots = trustedRoots; }
}
