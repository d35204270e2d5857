package io.certhub.acme;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.springframework.stereotype.Component;

/**
 * The rate of the ACME front door per client address: every request to {@code /acme/**} takes a
 * permit of the address's Resilience4j {@link RateLimiter}: {@code hub.acme.requests-per-second}
 * permits per one-second window, all usable at once (an ACME client's first exchange — directory,
 * nonce, account, order — comes as a burst of a few requests within milliseconds), never waited
 * for; without one it is answered 429 {@code urn:ietf:params:acme:error:rateLimited} with {@code Retry-After: 1}
 * (RFC 8555 §6.6) before anything is read or written — the server's unauthenticated endpoints
 * (a new nonce is a database row) cannot be used to flood the database. Limiters live in a bounded
 * cache ({@code hub.acme.throttle-addresses}, dropped 10 minutes after the last request). Refusals
 * are counted in {@code certhub.acme.throttled}.
 */
@Component
public class AcmeThrottle {

    private final AcmeServerProperties props;
    private final MeterRegistry meters;
    private final Cache<String, RateLimiter> limiters;
    private final RateLimiterConfig config;

    /**
     * @param props  {@code hub.acme.*}
     * @param meters metrics
     */
    public AcmeThrottle(AcmeServerProperties props, MeterRegistry meters) {
        this.props = props;
        this.meters = meters;
        this.config = RateLimiterConfig.custom().limitForPeriod(props.requestsPerSecond()).limitRefreshPeriod(Duration.ofSeconds(1))
            .timeoutDuration(Duration.ZERO).build();
        this.limiters = CacheBuilder.newBuilder().maximumSize(props.throttleAddresses()).expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    /** @return whether {@code /acme/**} answers https requests only ({@code hub.acme.require-https}) */
    public boolean requireHttps() {
        return props.requireHttps();
    }

    /**
     * The key a client's rate is kept under: an IPv4 address as it is, an IPv6 address by its /64
     * prefix (one subscriber's network: a client rotating through its 2^64 addresses is one client).
     *
     * @param address the client address (textual, as the servlet container gives it)
     * @return the key
     */
    public static String clientKey(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address;
        }
        try {
            byte[] b = java.net.InetAddress.getByName(address.startsWith("[") ? address.substring(1, address.length() - 1) : address).getAddress();
            if (b.length != 16) {
                return address;
            }
            return java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64";
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }

    /**
     * @param address the client key ({@link #clientKey})
     * @return whether it may make a request now (false: answer 429)
     */
    public boolean allow(String address) {
        RateLimiter limiter;
        try {
            limiter = limiters.get(address, () -> RateLimiter.of("acme-" + address, config));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (limiter.acquirePermission()) {
            return true;
        }
        meters.counter("certhub.acme.throttled").increment();
        return false;
    }
}
