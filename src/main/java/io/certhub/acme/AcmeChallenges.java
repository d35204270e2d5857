package io.certhub.acme;

import io.certhub.cluster.HubInstance;
import io.certhub.net.DnsLookup;
import io.certhub.net.HttpTokenCheck;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Validation of the customers' ACME challenges by the hub (issue 15 §2; RFC 8555 §8), off the
 * request: a client's POST to a challenge only records it ({@link #request}) and is answered
 * {@code processing}; the route {@code acme-challenge-validation} (routes/acme/) calls
 * {@link #claim} every {@code hub.acme.validation-poll-ms} and validates the claimed batch
 * ({@link #validate}) on the thread pool profile {@code acme-challenge-validation}
 * ({@code hub.acme.validation-threads}); the next batch is claimed when this one is done. So a
 * customer's slow or silent server holds one of those threads for at most the check's timeouts
 * (HTTP 5 s connect + 5 s read, DNS 2 s × 3), never a request thread, and the number of checks in
 * flight per instance is bounded.
 *
 * <p>A claim is a row update ({@code validation_claimed_until}, 30 s), so with several hub
 * instances one validates an authorization at a time, and a claim left by an instance that died is
 * taken over when it runs out. http-01 fetches {@code http://<name>/.well-known/acme-challenge/<token>}
 * ({@link HttpTokenCheck}: public addresses only, 4 KB read) for the key authorization {@code
 * token.thumbprint}; dns-01 reads the TXT records of {@code _acme-challenge.<name>} ({@link DnsLookup})
 * for its base64url SHA-256 (RFC 8555 §8.1, §8.3, §8.4). A match makes the authorization
 * {@code valid} (and the order {@code ready} when all are); a miss is tried again after
 * {@code hub.acme.validation-retry-delay}, up to {@code hub.acme.validation-attempts} tries, then
 * makes the authorization and the order {@code invalid} ({@code incorrectResponse} naming what was
 * looked for). Counted in {@code certhub.acme.validations{type, outcome}}.
 */
@Component("acmeChallenges")
public class AcmeChallenges {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeChallenges.class);
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    /** How long a claim keeps other validators away (longer than one check can take: 10 s for http-01, 6 s for dns-01). */
    static final Duration CLAIM = Duration.ofSeconds(30);
    /** Most challenges of one ACME account in one batch. */
    static final int PER_ACCOUNT = 2;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final HubInstance instance;
    private final MeterRegistry meters;
    private final DnsLookup dns;
    private final HttpTokenCheck http;
    private final int batch;
    private final int attempts;
    private final Duration retryDelay;

    /**
     * @param jdbc     the hub database ({@code acme_server_authz}, {@code acme_server_order}, {@code acme_client_account})
     * @param tx       transactions (an authorization's outcome and its order's)
     * @param clock    the hub's clock
     * @param instance this hub instance (the claimant's name)
     * @param meters   metrics
     * @param props    {@code hub.acme.*}: the DNS server, http-01 port, threads, attempts and retry delay
     */
    public AcmeChallenges(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, HubInstance instance, MeterRegistry meters,
                          AcmeServerProperties props) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.instance = instance;
        this.meters = meters;
        this.dns = new DnsLookup(props.dnsResolver());
        this.http = new HttpTokenCheck(dns, props.httpPort(), props.validationPrivateAddresses());
        this.batch = props.validationThreads();
        this.attempts = props.validationAttempts();
        this.retryDelay = props.validationRetryDelay();
    }

    /**
     * Records a client's request to validate one challenge of a pending authorization: the first
     * request decides the challenge type; a second one (of either type) changes nothing.
     *
     * @param authzId the authorization
     * @param type    {@code http-01} or {@code dns-01}
     * @return whether this request was recorded
     */
    public boolean request(String authzId, String type) {
        return jdbc.update("update acme_server_authz set challenge_type = ?, validation_requested_at = ? where id = ? and status = 'pending'"
            + " and challenge_type is null", type, Timestamp.from(clock.instant()), authzId) == 1;
    }

    /**
     * Claims the requested authorizations due a try, oldest request first, at most
     * {@code hub.acme.validation-threads} and at most {@value #PER_ACCOUNT} of one ACME account (so
     * one customer's slow servers cannot take every thread while others wait).
     *
     * @return the claimed authorization ids (the body the route splits)
     */
    public List<String> claim() {
        Instant now = clock.instant();
        List<Map<String, Object>> due = jdbc.queryForList("select z.id, o.client_account_id from acme_server_authz z join acme_server_order o"
            + " on o.id = z.acme_order_id where z.status = 'pending' and z.validation_requested_at is not null and (z.validation_claimed_until is null"
            + " or z.validation_claimed_until < ?) order by z.validation_requested_at, z.id fetch first " + (batch * 4) + " rows only",
            Timestamp.from(now));
        List<String> claimed = new ArrayList<>();
        Map<Object, Integer> perAccount = new java.util.HashMap<>();
        for (Map<String, Object> row : due) {
            String id = (String) row.get("id");
            // fair shares: one account's many (or slow) challenges take at most PER_ACCOUNT of a batch
            if (claimed.size() >= batch || perAccount.getOrDefault(row.get("client_account_id"), 0) >= PER_ACCOUNT) {
                continue;
            }
            if (jdbc.update("update acme_server_authz set validation_claimed_until = ?, validation_claimed_by = ? where id = ? and status = 'pending'"
                + " and (validation_claimed_until is null or validation_claimed_until < ?)", Timestamp.from(now.plus(CLAIM)), instance.id(), id,
                Timestamp.from(now)) == 1) {
                claimed.add(id);
                perAccount.merge(row.get("client_account_id"), 1, Integer::sum);
            }
        }
        return claimed;
    }

    /**
     * Tries one claimed authorization's requested challenge and records the outcome (see the class
     * documentation). Does nothing when the authorization is no longer pending or claimed by this
     * instance (its order expired, another validator took over).
     *
     * @param authzId the authorization
     */
    public void validate(String authzId) {
        List<Map<String, Object>> rows = jdbc.queryForList("select z.*, a.thumbprint from acme_server_authz z join acme_server_order o"
            + " on o.id = z.acme_order_id join acme_client_account a on a.id = o.client_account_id where z.id = ? and z.status = 'pending'"
            + " and z.validation_claimed_by = ?", authzId, instance.id());
        if (rows.isEmpty()) {
            return;
        }
        Map<String, Object> a = rows.get(0);
        String type = (String) a.get("challenge_type");
        String name = (String) a.get("identifier");
        String token = (String) a.get("token");
        String keyAuthorization = token + "." + a.get("thumbprint");
        String asked;
        boolean ok;
        if ("http-01".equals(type)) {
            asked = HttpTokenCheck.url(name, token);
            ok = http.serves(name, token, keyAuthorization);
        } else {
            asked = "a TXT record _acme-challenge." + name + " of " + digest(keyAuthorization);
            ok = dns.has("_acme-challenge." + name, digest(keyAuthorization));
        }
        int tried = ((Number) a.get("validation_attempts")).intValue() + 1;
        String orderId = (String) a.get("acme_order_id");
        Timestamp now = Timestamp.from(clock.instant());
        String outcome;
        if (ok) {
            outcome = "valid";
            tx.executeWithoutResult(s -> {
                // the order's row first: two authorizations of one order validated at once see each other's outcome
                jdbc.queryForList("select id from acme_server_order where id = ? for update", String.class, orderId);
                if (jdbc.update("update acme_server_authz set status = 'valid', validated_at = ?, validation_attempts = ?,"
                        + " validation_claimed_until = null, validation_claimed_by = null where id = ? and status = 'pending'"
                        + " and validation_claimed_by = ?", now, tried, authzId, instance.id()) == 1
                        && jdbc.queryForObject("select count(*) from acme_server_authz where acme_order_id = ? and status <> 'valid'", Integer.class,
                            orderId) == 0) {
                    jdbc.update("update acme_server_order set status = 'ready', updated_at = ? where id = ? and status = 'pending'", now, orderId);
                }
            });
        } else if (tried < attempts) {
            outcome = "retry";
            jdbc.update("update acme_server_authz set validation_attempts = ?, validation_claimed_until = ?, validation_claimed_by = null"
                + " where id = ? and status = 'pending' and validation_claimed_by = ?", tried, Timestamp.from(clock.instant().plus(retryDelay)), authzId,
                instance.id());
        } else {
            outcome = "invalid";
            String detail = AcmeOrders.clip(type + " of " + name + " failed: the hub did not find " + asked + " (" + tried + " tries)");
            tx.executeWithoutResult(s -> {
                if (jdbc.update("update acme_server_authz set status = 'invalid', error_type = 'incorrectResponse', error_detail = ?,"
                        + " validation_attempts = ?, validation_claimed_until = null, validation_claimed_by = null where id = ? and status = 'pending'"
                        + " and validation_claimed_by = ?", detail, tried, authzId, instance.id()) == 1) {
                    jdbc.update("update acme_server_order set status = 'invalid', error_type = 'incorrectResponse', error_detail = ?, updated_at = ?"
                        + " where id = ? and status = 'pending'", detail, now, orderId);
                }
            });
        }
        meters.counter("certhub.acme.validations", "type", type, "outcome", outcome).increment();
        LOG.info("ACME order {}: {} of {} {} (try {} of {})", orderId, type, name, outcome, tried, attempts);
    }

    /**
     * @param keyAuthorization {@code token.thumbprint}
     * @return base64url SHA-256 of it: the dns-01 TXT value (RFC 8555 §8.4)
     */
    public static String digest(String keyAuthorization) {
        try {
            return B64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
