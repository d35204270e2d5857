package io.certhub.api;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code hub.api.*} configuration: how the REST API defends itself (issue 16). Defaults here
 * are the sandbox's; {@code config/application-production.yml} turns on the production-only parts
 * (actuator protection, HSTS).
 */
@ConfigurationProperties("hub.api")
public class ApiProperties {

    /** Largest request body of {@code POST /orders} and {@code PATCH /orders/{id}}; larger → 413 BODY_TOO_LARGE. */
    private DataSize maxOrderBodySize = DataSize.ofMegabytes(1);
    /** Largest request body of every other {@code /api/v1} endpoint; larger → 413 BODY_TOO_LARGE. */
    private DataSize maxBodySize = DataSize.ofKilobytes(64);
    /** Failed API-key checks one client address may make at once before it is throttled (token-bucket size). */
    private int authFailureBurst = 20;
    /** Failed API-key checks per minute a client address earns back (token-bucket refill). */
    private int authFailuresPerMinute = 30;
    /** Client addresses tracked by the failure throttle at most (least recently seen dropped first). */
    private int authFailureAddresses = 10_000;
    /** How often failed API-key checks are logged per client address (one line per address per window). */
    private Duration authFailureLogWindow = Duration.ofMinutes(1);
    /** A PENDING Idempotency-Key claim older than this may be taken over by a retry (its request died). */
    private Duration idempotencyClaimTimeout = Duration.ofMinutes(5);
    /** {@code POST /orders/{id}/resend-certificate}: most certificate emails (first delivery included) per order in 24 h. */
    private int resendCertificateMaxPerDay = 5;
    /** true: {@code /actuator/**} other than health, liveness and readiness needs the operator key (production). */
    private boolean protectActuator;
    /** true: every response carries {@code Strict-Transport-Security} (production, behind TLS). */
    private boolean hsts;
    /** Value of the {@code Content-Security-Policy} header on every response (dashboard and API). */
    private String contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "connect-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public DataSize getMaxOrderBodySize() { return maxOrderBodySize; }
    public void setMaxOrderBodySize(DataSize v) { this.maxOrderBodySize = v; }
    public DataSize getMaxBodySize() { return maxBodySize; }
    public void setMaxBodySize(DataSize v) { this.maxBodySize = v; }
    public int getAuthFailureBurst() { return authFailureBurst; }
    public void setAuthFailureBurst(int v) { this.authFailureBurst = v; }
    public int getAuthFailuresPerMinute() { return authFailuresPerMinute; }
    public void setAuthFailuresPerMinute(int v) { this.authFailuresPerMinute = v; }
    public int getAuthFailureAddresses() { return authFailureAddresses; }
    public void setAuthFailureAddresses(int v) { this.authFailureAddresses = v; }
    public Duration getAuthFailureLogWindow() { return authFailureLogWindow; }
    public void setAuthFailureLogWindow(Duration v) { this.authFailureLogWindow = v; }
    public Duration getIdempotencyClaimTimeout() { return idempotencyClaimTimeout; }
    public void setIdempotencyClaimTimeout(Duration v) { this.idempotencyClaimTimeout = v; }
    public int getResendCertificateMaxPerDay() { return resendCertificateMaxPerDay; }
    public void setResendCertificateMaxPerDay(int v) { this.resendCertificateMaxPerDay = v; }
    public boolean isProtectActuator() { return protectActuator; }
    public void setProtectActuator(boolean v) { this.protectActuator = v; }
    public boolean isHsts() { return hsts; }
    public void setHsts(boolean v) { this.hsts = v; }
    public String getContentSecurityPolicy() { return contentSecurityPolicy; }
    public void setContentSecurityPolicy(String v) { this.contentSecurityPolicy = v; }
}
