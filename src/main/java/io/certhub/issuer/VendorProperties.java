package io.certhub.issuer;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code hub.vendor.*}: which vendor, how many calls in flight, how retries back off and how
 * politely orders are polled. The OpenSRS endpoint and credentials are
 * {@code hub.vendor.opensrs.url/username/api-key} (read by the transport).
 */
@ConfigurationProperties("hub.vendor")
public class VendorProperties {

    /** Adapter name, e.g. {@code opensrs}. */
    private String name = "opensrs";
    /** Vendor calls in flight at once (submission consumers; also the HTTP pool per route). */
    private int concurrency = 64;
    /** First retry delay after a transient failure; doubles per attempt up to {@link #retryMax}. */
    private Duration retryBase = Duration.ofSeconds(2);
    /** Longest retry delay. */
    private Duration retryMax = Duration.ofMinutes(10);
    /** How long sending stops after the vendor refused our credentials (400). */
    private Duration authPause = Duration.ofMinutes(5);
    /** First poll delay of an order whose vendor status did not change; doubles up to {@link #pollMax}. */
    private Duration pollBase = Duration.ofSeconds(10);
    /** Longest delay between two polls of one order. */
    private Duration pollMax = Duration.ofHours(1);
    /** Most orders polled per scheduled run. */
    private int pollBatch = 200;
    /** How long a worker may hold an order before another may take it. */
    private Duration claim = Duration.ofMinutes(2);
    /** Most orders handed to the submission route and not yet processed. */
    private int queueSize = 1000;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public int getConcurrency() { return concurrency; }
    public void setConcurrency(int concurrency) { this.concurrency = concurrency; }
    public Duration getRetryBase() { return retryBase; }
    public void setRetryBase(Duration retryBase) { this.retryBase = retryBase; }
    public Duration getRetryMax() { return retryMax; }
    public void setRetryMax(Duration retryMax) { this.retryMax = retryMax; }
    public Duration getAuthPause() { return authPause; }
    public void setAuthPause(Duration authPause) { this.authPause = authPause; }
    public Duration getPollBase() { return pollBase; }
    public void setPollBase(Duration pollBase) { this.pollBase = pollBase; }
    public Duration getPollMax() { return pollMax; }
    public void setPollMax(Duration pollMax) { this.pollMax = pollMax; }
    public int getPollBatch() { return pollBatch; }
    public void setPollBatch(int pollBatch) { this.pollBatch = pollBatch; }
    public Duration getClaim() { return claim; }
    public void setClaim(Duration claim) { this.claim = claim; }
    public int getQueueSize() { return queueSize; }
    public void setQueueSize(int queueSize) { this.queueSize = queueSize; }
}
