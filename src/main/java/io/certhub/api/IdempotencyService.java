package io.certhub.api;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Durable {@code Idempotency-Key} records (table {@code idempotency_record}), per account, kept
 * 24 hours (shared/CONTRACT.md, "Idempotency"). The request fingerprint is the SHA-256 of
 * method, path and body bytes.
 */
@Service
public class IdempotencyService {

    /** How long a key is remembered. */
    public static final Duration TTL = Duration.ofHours(24);

    /**
     * A stored answer.
     *
     * @param requestHash fingerprint of the first request
     * @param response    its answer
     */
    public record Stored(String requestHash, ApiResponse response) { }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /**
     * @param jdbc  template on the hub database
     * @param clock time source
     */
    public IdempotencyService(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * @param scope account id (or {@code operator})
     * @param key   the Idempotency-Key
     * @return the answer stored for it within the last 24 hours
     */
    public Optional<Stored> find(String scope, String key) {
        Timestamp since = Timestamp.from(clock.instant().minus(TTL));
        jdbc.update("delete from idempotency_record where created_at < ?", since);
        return jdbc.query("select request_hash, status, location, response_body from idempotency_record where account_id = ? and idem_key = ?",
            (rs, i) -> new Stored(rs.getString(1).trim(), new ApiResponse(rs.getInt(2), rs.getString(4), rs.getString(3))), scope, key)
            .stream().findFirst();
    }

    /**
     * Stores the first answer for a key; when a concurrent request stored one first, that one
     * is returned instead.
     *
     * @param scope       account id
     * @param key         the Idempotency-Key
     * @param fingerprint request fingerprint
     * @param response    the answer to store
     * @return the answer that now stands for the key
     */
    public ApiResponse storeOrReplay(String scope, String key, String fingerprint, ApiResponse response) {
        try {
            jdbc.update("insert into idempotency_record(account_id, idem_key, request_hash, status, location, response_body, created_at) values (?, ?, ?, ?, ?, ?, ?)",
                scope, key, fingerprint, response.status(), response.location(), response.json(), Timestamp.from(clock.instant()));
            return response;
        } catch (DuplicateKeyException e) {
            return find(scope, key).map(Stored::response).orElse(response);
        }
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
