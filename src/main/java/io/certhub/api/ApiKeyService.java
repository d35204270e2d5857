package io.certhub.api;

import io.certhub.problem.HubProblem;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * API keys, stored only as SHA-256 hashes (table {@code api_key}); keys are long random
 * secrets, so an unsalted fast hash suffices to keep a database leak from revealing them.
 *
 * <p>Each key has a public id ({@code k_} + the first 16 hex digits of its SHA-256), the first
 * {@value #PREFIX_LENGTH} characters of the plain key (to tell keys apart in a listing; null for
 * keys stored before V8) and an optional revocation time. A revoked key answers 401 at once (the
 * check reads the database on every request; nothing is cached). Issue 16 item 2.
 */
@Service
public class ApiKeyService {

    /** Characters of the plain key kept (and listed) as its prefix. */
    public static final int PREFIX_LENGTH = 4;

    /** The plain keys the sandbox ships with (shared/CONTRACT.md, "Sandbox"): never valid outside the sandbox. */
    public static final List<String> SANDBOX_DEFAULT_KEYS = List.of("operator-key", "demo-key", "other-key");

    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyService.class);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final TransactionTemplate tx;

    /**
     * @param jdbc  template on the hub database
     * @param clock time source
     * @param tx    transaction template (operator key replacement commits whole)
     */
    public ApiKeyService(JdbcTemplate jdbc, Clock clock, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.tx = tx;
    }

    /**
     * Registers a key unless its hash is already stored (then only its prefix is filled in when
     * missing; a revoked key stays revoked).
     *
     * @param key       the plain key
     * @param accountId its reseller account, or null for an operator key
     * @return true when added
     */
    public boolean addIfAbsent(String key, String accountId) {
        String hash = hash(key);
        Integer n = jdbc.queryForObject("select count(*) from api_key where key_hash = ?", Integer.class, hash);
        if (n != null && n > 0) {
            jdbc.update("update api_key set key_prefix = ? where key_hash = ? and key_prefix is null", prefix(key), hash);
            return false;
        }
        insert(key, accountId);
        return true;
    }

    /**
     * Makes {@code key} the one valid operator key, in one transaction: it is stored (or, when it
     * was revoked, made valid again: the configuration is the truth) and every other operator key
     * not yet revoked is revoked now. Run at start-up with {@code hub.operator-key}, so changing
     * {@code HUB_OPERATOR_KEY} and restarting retires the old key, and a key stored by an earlier
     * sandbox start does not outlive it. Every instance on one database must carry the same key:
     * the last one to start wins.
     *
     * @param key the configured operator key (not blank)
     * @return how many earlier operator keys were revoked
     */
    public int replaceOperatorKey(String key) {
        try {
            return replaceOperatorKeyOnce(key);
        } catch (org.springframework.dao.DuplicateKeyException raced) {
            return replaceOperatorKeyOnce(key);        // another instance stored the same key at the same moment
        }
    }

    private int replaceOperatorKeyOnce(String key) {
        String hash = hash(key);
        Integer revoked = tx.execute(s -> {
            Integer n = jdbc.queryForObject("select count(*) from api_key where key_hash = ?", Integer.class, hash);
            if (n != null && n > 0) {
                jdbc.update("update api_key set revoked_at = null, key_prefix = coalesce(key_prefix, ?) where key_hash = ? and role = 'OPERATOR'",
                    prefix(key), hash);
            } else {
                insert(key, null);
            }
            return jdbc.update("update api_key set revoked_at = ? where role = 'OPERATOR' and key_hash <> ? and revoked_at is null",
                now(), hash);
        });
        if (revoked != null && revoked > 0) {
            LOG.info("the configured operator key replaced {} earlier operator key(s); they are revoked", revoked);
        }
        return revoked == null ? 0 : revoked;
    }

    /**
     * Revokes the sandbox's default keys ({@link #SANDBOX_DEFAULT_KEYS}) wherever they are stored:
     * run at start-up when the sandbox is off, so keys left by an earlier sandbox start on the same
     * database stop working. The production profile refuses to start with a default as a
     * configured secret ({@link io.certhub.config.ProductionConfigCheck}); elsewhere the
     * configured operator key is kept even when it is a default.
     *
     * @param keep the configured operator key (never revoked here), or null
     * @return how many keys were revoked
     */
    public int revokeSandboxDefaults(String keep) {
        int n = 0;
        for (String k : SANDBOX_DEFAULT_KEYS) {
            if (k.equals(keep)) {
                continue;
            }
            n += jdbc.update("update api_key set revoked_at = ? where key_hash = ? and revoked_at is null", now(), hash(k));
        }
        if (n > 0) {
            LOG.warn("revoked {} sandbox default key(s) (demo-key, other-key, operator-key) found in the database; the sandbox is off", n);
        }
        return n;
    }

    /**
     * @param key the {@code X-Api-Key} header value
     * @return the caller
     * @throws HubProblem 401 UNAUTHORIZED when the key is missing, unknown or revoked
     */
    public Caller authenticate(String key) {
        if (key == null || key.isBlank()) {
            throw new HubProblem(401, "UNAUTHORIZED", null, "the X-Api-Key header is missing");
        }
        List<Caller> found = jdbc.query("select account_id, role from api_key where key_hash = ? and revoked_at is null",
            (rs, i) -> new Caller(rs.getString(1), "OPERATOR".equals(rs.getString(2))), hash(key.trim()));
        if (found.isEmpty()) {
            throw new HubProblem(401, "UNAUTHORIZED", null, "the API key is not known or was revoked");
        }
        return found.get(0);
    }

    /**
     * @param key the {@code X-Api-Key} header value
     * @return the caller, who must hold an operator key
     * @throws HubProblem 401 for no/unknown key, 403 FORBIDDEN for a reseller key
     */
    public Caller operator(String key) {
        return requireOperator(authenticate(key));
    }

    /**
     * @param c an authenticated caller
     * @return {@code c}, an operator
     * @throws HubProblem 403 FORBIDDEN for a reseller key
     */
    public static Caller requireOperator(Caller c) {
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
        return requireReseller(authenticate(key));
    }

    /**
     * @param c an authenticated caller
     * @return {@code c}, a reseller
     * @throws HubProblem 403 FORBIDDEN for an operator key (it has no account)
     */
    public static Caller requireReseller(Caller c) {
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
        insert(key, accountId);
        return key;
    }

    /**
     * The keys of an account (or the operator keys), oldest first, never the key itself:
     * {@code [{id, prefix, role, created, revokedAt}]} (times ISO 8601 UTC, {@code revokedAt} null
     * while valid; {@code prefix} null for keys stored before V8).
     *
     * @param accountId the account, or null for the operator keys
     * @return the listing
     */
    public List<Map<String, Object>> list(String accountId) {
        String where = accountId == null ? "role = 'OPERATOR'" : "account_id = ? and role = 'RESELLER'";
        Object[] args = accountId == null ? new Object[0] : new Object[] {accountId};
        return jdbc.query("select id, key_prefix, role, created_at, revoked_at from api_key where " + where + " order by created_at, id",
            (rs, i) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", rs.getString(1));
                m.put("prefix", rs.getString(2));
                m.put("role", rs.getString(3));
                m.put("created", rs.getTimestamp(4).toInstant().toString());
                Timestamp revoked = rs.getTimestamp(5);
                m.put("revokedAt", revoked == null ? null : revoked.toInstant().toString());
                return m;
            }, args);
    }

    /**
     * Revokes one key of an account (or one operator key). Revoking a revoked key again changes
     * nothing (its first revocation time stays).
     *
     * @param accountId the account, or null for an operator key
     * @param keyId     the key's public id
     * @return true when a key of that owner with that id exists (revoked now or before)
     */
    public boolean revoke(String accountId, String keyId) {
        String owner = accountId == null ? "role = 'OPERATOR'" : "account_id = ? and role = 'RESELLER'";
        Object[] args = accountId == null ? new Object[] {keyId} : new Object[] {keyId, accountId};
        Integer n = jdbc.queryForObject("select count(*) from api_key where id = ? and " + owner, Integer.class, args);
        if (n == null || n == 0) {
            return false;
        }
        Object[] upd = accountId == null ? new Object[] {now(), keyId} : new Object[] {now(), keyId, accountId};
        jdbc.update("update api_key set revoked_at = ? where id = ? and revoked_at is null and " + owner, upd);
        return true;
    }

    private void insert(String key, String accountId) {
        String hash = hash(key);
        jdbc.update("insert into api_key(key_hash, id, key_prefix, account_id, role, created_at) values (?, ?, ?, ?, ?, ?)",
            hash, id(hash), prefix(key), accountId, accountId == null ? "OPERATOR" : "RESELLER", now());
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static String prefix(String key) {
        return key.length() <= PREFIX_LENGTH * 2 ? key.substring(0, Math.min(PREFIX_LENGTH, key.length() / 2)) : key.substring(0, PREFIX_LENGTH);
    }

    /** @param hash hex SHA-256 of a key @return its public id, as V8 filled it in for older keys */
    static String id(String hash) {
        return "k_" + hash.substring(0, 16);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    static String hash(String key) {
        return com.google.common.hash.Hashing.sha256().hashString(key, StandardCharsets.UTF_8).toString();
    }
}
