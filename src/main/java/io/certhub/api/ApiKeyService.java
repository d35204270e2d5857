package io.certhub.api;

import io.certhub.problem.HubProblem;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * API keys, stored only as SHA-256 hashes (table {@code api_key}); keys are long random
 * secrets, so an unsalted fast hash suffices to keep a database leak from revealing them.
 */
@Service
public class ApiKeyService {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /**
     * @param jdbc  template on the hub database
     * @param clock time source
     */
    public ApiKeyService(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Registers a key unless its hash is already stored.
     *
     * @param key       the plain key
     * @param accountId its reseller account, or null for an operator key
     * @return true when added
     */
    public boolean addIfAbsent(String key, String accountId) {
        String hash = hash(key);
        Integer n = jdbc.queryForObject("select count(*) from api_key where key_hash = ?", Integer.class, hash);
        if (n != null && n > 0) {
            return false;
        }
        jdbc.update("insert into api_key(key_hash, account_id, role, created_at) values (?, ?, ?, ?)",
            hash, accountId, accountId == null ? "OPERATOR" : "RESELLER", Timestamp.from(clock.instant()));
        return true;
    }

    /**
     * @param key the {@code X-Api-Key} header value
     * @return the caller
     * @throws HubProblem 401 UNAUTHORIZED when the key is missing or unknown
     */
    public Caller authenticate(String key) {
        if (key == null || key.isBlank()) {
            throw new HubProblem(401, "UNAUTHORIZED", null, "the X-Api-Key header is missing");
        }
        List<Caller> found = jdbc.query("select account_id, role from api_key where key_hash = ?",
            (rs, i) -> new Caller(rs.getString(1), "OPERATOR".equals(rs.getString(2))), hash(key.trim()));
        if (found.isEmpty()) {
            throw new HubProblem(401, "UNAUTHORIZED", null, "the API key is not known");
        }
        return found.get(0);
    }

    /**
     * @param key the {@code X-Api-Key} header value
     * @return the caller, who must hold an operator key
     * @throws HubProblem 401 for no/unknown key, 403 FORBIDDEN for a reseller key
     */
    public Caller operator(String key) {
        Caller c = authenticate(key);
        if (!c.operator()) {
            throw new HubProblem(403, "FORBIDDEN", null, "this endpoint needs an operator key");
        }
        return c;
    }

    /**
     * @param key the {@code X-Api-Key} header value
     * @return the caller, who must hold a reseller key
     * @throws HubProblem 401 for no/unknown key, 403 FORBIDDEN for an operator key (it has no account)
     */
    public Caller reseller(String key) {
        Caller c = authenticate(key);
        if (c.operator()) {
            throw new HubProblem(403, "FORBIDDEN", null, "an operator key has no account; use a reseller key");
        }
        return c;
    }

    /**
     * Issues a new reseller key for an account: 32 random bytes ({@link java.security.SecureRandom})
     * in base64url without padding (43 characters). Only its SHA-256 is stored, so the plain key
     * exists only in the answer to the caller; keys already issued stay valid. Joins the caller's
     * transaction when there is one.
     *
     * @param accountId an existing account
     * @return the plain key, to hand to the reseller once
     */
    public String issue(String accountId) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String key = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        jdbc.update("insert into api_key(key_hash, account_id, role, created_at) values (?, ?, 'RESELLER', ?)",
            hash(key), accountId, Timestamp.from(clock.instant()));
        return key;
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    static String hash(String key) {
        return com.google.common.hash.Hashing.sha256().hashString(key, StandardCharsets.UTF_8).toString();
    }
}
