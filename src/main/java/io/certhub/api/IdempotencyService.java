package io.certhub.api;

import com.google.common.util.concurrent.Striped;
import io.certhub.problem.HubProblem;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Durable {@code Idempotency-Key} records (table {@code idempotency_record}), per account, kept
 * 24 hours (shared/CONTRACT.md, "Idempotency"). The request fingerprint is the SHA-256 of
 * method, path and body bytes.
 *
 * <p>A key is <em>claimed before the work</em> (issue 16 item 6): {@link #claim} inserts a
 * PENDING row (looked up first under a per-key lock of this instance; across instances the
 * primary key {@code (account_id, idem_key)} lets one request in; the insert commits on its own
 * at once), the work runs, and {@link #finish} turns the row DONE with the
 * answer, guarded by the claim's random token. A concurrent request with the same key finds the
 * PENDING row and is answered 409 {@code IDEMPOTENCY_KEY_IN_PROGRESS} at once (it never waits
 * and never does the work); once DONE, the stored answer is replayed. A request that failed with
 * a 5xx {@link #release releases} its claim so a retry does the work. A PENDING claim older than
 * {@code hub.api.idempotency-claim-timeout} (its request died) may be taken over by a retry; the
 * token then makes the first request's {@link #finish} fail, which in the atomic mode of
 * {@link ApiSupport#idempotentAtomic} rolls its work back.
 */
@Service
public class IdempotencyService {

    /** How long a key is remembered. */
    public static final Duration TTL = Duration.ofHours(24);

    /** Longest Idempotency-Key accepted (the column is varchar(255)). */
    public static final int MAX_KEY_LENGTH = 255;

    /**
     * The outcome of {@link #claim}: either this request holds the key ({@code token} set) or the
     * key's answer is already stored ({@code replay} set).
     *
     * @param token  the claim token to pass to {@link #finish} / {@link #release}, or null
     * @param replay the stored answer, or null
     */
    public record Claim(String token, ApiResponse replay) { }

    /**
     * Claims of one key are looked up and inserted under a lock of this instance, so that the
     * insert never meets the primary key of a concurrent claim here: a unique-key violation leaves
     * H2's transaction store broken ("An old transaction with the same id is still open", seen in
     * full test runs, see OrderService). Across instances (PostgreSQL) the primary key stays the guard.
     */
    private static final Striped<Lock> CLAIM_LOCKS = Striped.lazyWeakLock(1024);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ApiProperties props;

    /**
     * @param jdbc  template on the hub database
     * @param clock time source
     * @param props {@code hub.api.*} (claim timeout)
     */
    public IdempotencyService(JdbcTemplate jdbc, Clock clock, ApiProperties props) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.props = props;
    }

    /**
     * Checks a header value before any work.
     *
     * @param key the Idempotency-Key header value (not blank)
     * @throws HubProblem 422 {@code IDEMPOTENCY_KEY_INVALID}, field {@code Idempotency-Key}, when over 255 characters
     */
    public static void validate(String key) {
        if (key.length() > MAX_KEY_LENGTH) {
            throw new HubProblem(422, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key", "the Idempotency-Key header has " + key.length()
                + " characters; at most " + MAX_KEY_LENGTH + " are allowed (nothing was done)");
        }
    }

    /**
     * Claims a key for one request, or finds its stored answer.
     *
     * @param scope       account id (or {@code operator})
     * @param key         the Idempotency-Key (validated)
     * @param fingerprint request fingerprint
     * @return the claim (do the work) or the replay (answer it)
     * @throws HubProblem 422 {@code IDEMPOTENCY_KEY_REUSED} when the key came with another request;
     *                    409 {@code IDEMPOTENCY_KEY_IN_PROGRESS} while another request holds it
     */
    public Claim claim(String scope, String key, String fingerprint) {
        Instant now = clock.instant();
        jdbc.update("delete from idempotency_record where created_at < ?", Timestamp.from(now.minus(TTL)));
        Lock lock = CLAIM_LOCKS.get(scope + '\u0000' + key);
        lock.lock();
        try {
            for (int attempt = 0; attempt < 5; attempt++) {
                String token = UUID.randomUUID().toString();
                var row = jdbc.query("select request_hash, state, status, location, response_body, created_at, claim_token from idempotency_record"
                    + " where account_id = ? and idem_key = ?", (rs, i) -> new Object[] {rs.getString(1).trim(), rs.getString(2), rs.getInt(3),
                    rs.getString(4), rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getString(7)}, scope, key).stream().findFirst();
                if (row.isEmpty()) {
                    try {
                        jdbc.update("insert into idempotency_record(account_id, idem_key, request_hash, status, location, response_body,"
                            + " created_at, state, claim_token) values (?, ?, ?, 0, null, '', ?, 'PENDING', ?)",
                            scope, key, fingerprint, Timestamp.from(now), token);
                        return new Claim(token, null);
                    } catch (DuplicateKeyException otherInstance) {
                        continue;                               // claimed by another hub instance (PostgreSQL) meanwhile
                    }
                }
                Object[] r = row.get();
                if (!r[0].equals(fingerprint)) {
                    throw new HubProblem(422, "IDEMPOTENCY_KEY_REUSED", null, "Idempotency-Key " + key + " was used with another request in the last 24 hours");
                }
                if ("DONE".equals(r[1])) {
                    return new Claim(null, new ApiResponse((Integer) r[2], (String) r[4], (String) r[3]));
                }
                Instant claimedAt = (Instant) r[5];
                if (claimedAt.isBefore(now.minus(props.getIdempotencyClaimTimeout()))) {
                    int taken = jdbc.update("update idempotency_record set claim_token = ?, created_at = ? where account_id = ? and idem_key = ?"
                        + " and state = 'PENDING' and claim_token = ?", token, Timestamp.from(now), scope, key, r[6]);
                    if (taken == 1) {
                        return new Claim(token, null);
                    }
                    continue;
                }
                throw new HubProblem(409, "IDEMPOTENCY_KEY_IN_PROGRESS", "Idempotency-Key", "a request with Idempotency-Key " + key
                    + " is still being processed; retry it in a moment to get its answer");
            }
        } finally {
            lock.unlock();
        }
        throw new HubProblem(409, "IDEMPOTENCY_KEY_IN_PROGRESS", "Idempotency-Key", "Idempotency-Key " + key + " is contended; retry it in a moment");
    }

    /**
     * Stores the answer of a claimed key (joins the caller's transaction when there is one).
     *
     * @param scope    account id
     * @param key      the Idempotency-Key
     * @param token    the claim token
     * @param response the answer
     * @return false when the claim is no longer this request's (taken over after the timeout)
     */
    public boolean finish(String scope, String key, String token, ApiResponse response) {
        return jdbc.update("update idempotency_record set state = 'DONE', status = ?, location = ?, response_body = ? where account_id = ?"
            + " and idem_key = ? and claim_token = ? and state = 'PENDING'", response.status(), response.location(), response.json(),
            scope, key, token) == 1;
    }

    /**
     * Drops a claim whose request failed (5xx), so a retry does the work.
     *
     * @param scope account id
     * @param key   the Idempotency-Key
     * @param token the claim token
     */
    public void release(String scope, String key, String token) {
        jdbc.update("delete from idempotency_record where account_id = ? and idem_key = ? and claim_token = ? and state = 'PENDING'",
            scope, key, token);
    }

    /**
     * @param method HTTP method
     * @param path   request path
     * @param body   body bytes
     * @return hex SHA-256 over the three
     */
    public static String fingerprint(String method, String path, byte[] body) {
        return com.google.common.hash.Hashing.sha256().newHasher()
            .putString(String.valueOf(method), StandardCharsets.UTF_8).putByte((byte) 0)
            .putString(String.valueOf(path), StandardCharsets.UTF_8).putByte((byte) 0)
            .putBytes(body).hash().toString();
    }
}
