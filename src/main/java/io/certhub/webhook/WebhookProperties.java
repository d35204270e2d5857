package io.certhub.webhook;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code hub.webhooks.*}: how events are delivered to the accounts' endpoints (issue 13 §4).
 */
@ConfigurationProperties("hub.webhooks")
public class WebhookProperties {

    /** Interval of the delivery sweep (route webhook-delivery-sweep), milliseconds. */
    private long sweepMs = 1000;
    /** Deliveries read per sweep batch (also the queue of the thread pool profile webhook-delivery). */
    private int batch = 100;
    /** Deliveries sent at once (threads of the thread pool profile webhook-delivery). */
    private int concurrency = 8;
    /** Tries of one delivery before it is FAILED (first try included). */
    private int maxAttempts = 10;
    /** Wait after the first failed try; doubles per try up to {@link #retryMax}. */
    private Duration retryBase = Duration.ofSeconds(30);
    /** Longest wait between two tries. */
    private Duration retryMax = Duration.ofHours(1);
    /** TCP connect timeout of a delivery. */
    private Duration connectTimeout = Duration.ofSeconds(5);
    /** Time allowed for the endpoint's answer (status line and headers) after the request was sent. */
    private Duration readTimeout = Duration.ofSeconds(15);
    /** Webhooks registered per account at most. */
    private int maxPerAccount = 20;
    /** true: only https URLs are accepted (always so with the {@code production} profile). */
    private boolean requireHttps = false;
    /** false: webhook URLs whose host is or resolves to a loopback, private, link-local … address are refused and never called ({@link WebhookAddresses}). */
    private boolean allowPrivateAddresses = true;
    /** How long an event, its deliveries and its tries are kept once none is pending (then the retention sweep deletes them). */
    private Duration retention = Duration.ofDays(30);
    /** Quartz cron of the retention sweep (route webhook-retention; clustered: one instance runs it). */
    private String retentionCron = "0 17 * * * ?";

    public long getSweepMs() { return sweepMs; }
    public void setSweepMs(long sweepMs) { this.sweepMs = sweepMs; }
    public int getBatch() { return batch; }
    public void setBatch(int batch) { this.batch = batch; }
    public int getConcurrency() { return concurrency; }
    public void setConcurrency(int concurrency) { this.concurrency = concurrency; }
    public int getMaxAttempts() { return maxAttempts; }
    public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
    public Duration getRetryBase() { return retryBase; }
    public void setRetryBase(Duration retryBase) { this.retryBase = retryBase; }
    public Duration getRetryMax() { return retryMax; }
    public void setRetryMax(Duration retryMax) { this.retryMax = retryMax; }
    public Duration getConnectTimeout() { return connectTimeout; }
    public void setConnectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; }
    public Duration getReadTimeout() { return readTimeout; }
    public void setReadTimeout(Duration readTimeout) { this.readTimeout = readTimeout; }
    public int getMaxPerAccount() { return maxPerAccount; }
    public void setMaxPerAccount(int maxPerAccount) { this.maxPerAccount = maxPerAccount; }
    public boolean isRequireHttps() { return requireHttps; }
    public void setRequireHttps(boolean requireHttps) { this.requireHttps = requireHttps; }
    public boolean isAllowPrivateAddresses() { return allowPrivateAddresses; }
    public void setAllowPrivateAddresses(boolean allowPrivateAddresses) { this.allowPrivateAddresses = allowPrivateAddresses; }
    public Duration getRetention() { return retention; }
    public void setRetention(Duration retention) { this.retention = retention; }
    public String getRetentionCron() { return retentionCron; }
    public void setRetentionCron(String retentionCron) { this.retentionCron = retentionCron; }
}
