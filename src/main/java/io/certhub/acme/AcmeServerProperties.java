package io.certhub.acme;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code hub.acme.*}: the ACME front door (issue 15 §2), bound at start-up and checked there.
 *
 * @param baseUrl           the hub's public base URL its ACME directory names, e.g.
 *                          {@code https://certhub.example.com}; empty: each request's scheme
 *                          ({@code X-Forwarded-Proto} first) and {@code Host}
 * @param requestsPerSecond requests one client address may make to {@code /acme/**} per second
 *                          (default 20, a burst of as many); more are answered 429 {@code rateLimited}
 * @param throttleAddresses client addresses whose rate is remembered at once (default 10,000; the
 *                          least recently seen are forgotten first)
 * @param requireHttps      whether {@code /acme/**} answers only requests that came over https (the
 *                          {@code production} profile's setting; behind a proxy that ends TLS set
 *                          {@code server.forward-headers-strategy} so the request knows it was https);
 *                          others get 403 {@code unauthorized}
 * @param dnsResolver       the DNS server ({@code host:port}) the customers' dns-01 TXT records and
 *                          http-01 addresses are read from; empty (default): the system's resolver
 * @param httpPort          the port http-01 is checked on: 80 (RFC 8555 §8.3); another only for tests
 * @param validationPrivateAddresses whether the http-01 check may connect to addresses that are not
 *                          public (loopback, RFC 1918, …); false (default) outside tests, as the
 *                          customer's name must not make the hub fetch from its own network
 * @param ordersPerHourPerKey new orders the accounts of one EAB key may make in any hour (default
 *                          100, counted in the database so every hub instance keeps the one limit);
 *                          more are 429 {@code rateLimited} with {@code Retry-After}
 * @param validationPollMs  how often (ms) each instance looks for challenges to validate (default 500)
 * @param validationThreads challenges validated at once per instance (default 8; the batch one look
 *                          claims), so a slow customer server holds no request thread and at most
 *                          this many validation threads
 * @param validationAttempts tries of a challenge before a miss is final (default 3)
 * @param validationRetryDelay wait between two tries (default 2 s)
 */
@Validated
@ConfigurationProperties("hub.acme")
public record AcmeServerProperties(@NotNull @DefaultValue("") String baseUrl,
                                   @Min(1) @Max(10_000) @DefaultValue("20") int requestsPerSecond,
                                   @Min(1) @DefaultValue("10000") int throttleAddresses,
                                   @DefaultValue("false") boolean requireHttps,
                                   @NotNull @DefaultValue("") String dnsResolver,
                                   @Min(1) @Max(65535) @DefaultValue("80") int httpPort,
                                   @DefaultValue("false") boolean validationPrivateAddresses,
                                   @Min(1) @DefaultValue("100") int ordersPerHourPerKey,
                                   @Min(50) @DefaultValue("500") long validationPollMs,
                                   @Min(1) @Max(64) @DefaultValue("8") int validationThreads,
                                   @Min(1) @Max(10) @DefaultValue("3") int validationAttempts,
                                   @NotNull @DefaultValue("2s") java.time.Duration validationRetryDelay) {
}
