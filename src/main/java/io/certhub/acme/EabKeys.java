package io.certhub.acme;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * The External Account Binding keys of the ACME front door (issue 15 §2; RFC 8555 §7.3.4), table
 * {@code acme_eab_key} (Flyway V29): a reseller makes one per customer ({@code POST
 * /api/v1/acme/eab-keys}), hands the customer the key id and HMAC key with the hub's ACME directory
 * URL, and the customer's ACME client binds one ACME account to it. This class makes, lists, finds
 * and revokes them; the binding itself is the ACME server's (a later step of §2).
 *
 * <p>A key id is {@code kid_} + 22 base64url characters (16 random bytes); an HMAC key is 32 random
 * bytes, base64url without padding (43 characters), for HS256 (RFC 7518 §3.2 wants a key at least
 * as long as the hash). Both come from {@link SecureRandom}. The HMAC key is stored as it is (the
 * server must check MACs with it) and shown once, in the answer to its creation.
 */
@Component
public class EabKeys {

    /** Prefix of every key id. */
    public static final String KID_PREFIX = "kid_";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    /**
     * A key as the reseller sees it (never its HMAC key).
     *
     * @param kid          the key id
     * @param accountId    the reseller account that made it
     * @param customer     the reseller's name for the customer it is for
     * @param products     the product codes the customer may order through it
     * @param contacts     the contacts of the orders made through it (JSON, an order's {@code contacts} shape), or null
     * @param expiresAt    after which it binds no account
     * @param createdAt    when it was made
     * @param revokedAt    when the reseller revoked it, else null
     * @param boundAt      when an ACME account bound itself to it, else null
     * @param boundAccount that ACME account's URL, else null
     */
    public record EabKey(String kid, String accountId, String customer, List<String> products, String contacts, Instant expiresAt, Instant createdAt,
                         Instant revokedAt, Instant boundAt, String boundAccount) {

        /**
         * @param now now
         * @return {@code ACTIVE} (can still bind an account), {@code BOUND}, {@code EXPIRED} or {@code REVOKED}
         */
        public String state(Instant now) {
            if (revokedAt != null) {
                return "REVOKED";
            }
            if (boundAt != null) {
                return "BOUND";
            }
            return now.isBefore(expiresAt) ? "ACTIVE" : "EXPIRED";
        }
    }

    /**
     * A key just made, with its HMAC key (the only time it is given out).
     *
     * @param key     the key
     * @param hmacKey its HMAC key, base64url without padding
     */
    public record Created(EabKey key, String hmacKey) { }

    private static final RowMapper<EabKey> ROW = (rs, i) -> new EabKey(rs.getString("kid"), rs.getString("account_id"),
        rs.getString("customer"), Arrays.asList(rs.getString("products").split(",")), rs.getString("contacts"),
        rs.getTimestamp("expires_at").toInstant(),
        rs.getTimestamp("created_at").toInstant(), instant(rs.getTimestamp("revoked_at")), instant(rs.getTimestamp("bound_at")),
        rs.getString("bound_account"));

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /**
     * @param jdbc  the hub database ({@code acme_eab_key})
     * @param clock the hub's clock
     */
    public EabKeys(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Makes a key (the caller has checked the fields).
     *
     * @param accountId the reseller account
     * @param customer  the customer's name, 1..128 characters, one line
     * @param products  known product codes, at least one, distinct
     * @param expiresAt in the future
     * @param contacts  the orders' contacts as JSON (checked by the caller), or null
     * @param actor     who asked ({@code account:<id>})
     * @return the key and its HMAC key
     */
    public Created create(String accountId, String customer, List<String> products, Instant expiresAt, String contacts, String actor) {
        byte[] id = new byte[16];
        byte[] mac = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(mac);
        String kid = KID_PREFIX + B64URL.encodeToString(id);
        String hmacKey = B64URL.encodeToString(mac);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = expiresAt.truncatedTo(ChronoUnit.MICROS);
        jdbc.update("insert into acme_eab_key(kid, account_id, customer, products, contacts, hmac_key, expires_at, created_at, created_by)"
            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?)", kid, accountId, customer, String.join(",", products), contacts, hmacKey, Timestamp.from(expires),
            Timestamp.from(now), actor);
        return new Created(new EabKey(kid, accountId, customer, List.copyOf(products), contacts, expires, now, null, null, null), hmacKey);
    }

    /** @param accountId a reseller account @return its keys, oldest first */
    public List<EabKey> list(String accountId) {
        return jdbc.query("select * from acme_eab_key where account_id = ? order by created_at, kid", ROW, accountId);
    }

    /** @param accountId a reseller account @param kid a key id @return the key when that account made it */
    public Optional<EabKey> find(String accountId, String kid) {
        return jdbc.query("select * from acme_eab_key where account_id = ? and kid = ?", ROW, accountId, kid).stream().findFirst();
    }

    /**
     * Revokes a key: it binds no account from now on (an account bound to it before is not touched
     * here). Revoking a revoked key changes nothing.
     *
     * @param accountId the reseller account
     * @param kid       the key id
     * @return whether that account has such a key
     */
    public boolean revoke(String accountId, String kid) {
        jdbc.update("update acme_eab_key set revoked_at = ? where account_id = ? and kid = ? and revoked_at is null",
            Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MICROS)), accountId, kid);
        return find(accountId, kid).isPresent();
    }

    /** Most ACME orders {@link #orders} lists. */
    public static final int ORDERS_LISTED = 200;

    /**
     * @param accountId a reseller account
     * @return the rows of {@code acme_client_account} bound to its keys, oldest first
     */
    public List<java.util.Map<String, Object>> accounts(String accountId) {
        return jdbc.queryForList("select id, eab_kid, customer, contact, status, created_at from acme_client_account where account_id = ?"
            + " order by created_at, id", accountId);
    }

    /**
     * @param accountId a reseller account
     * @return its customers' newest {@value #ORDERS_LISTED} rows of {@code acme_server_order} with the
     *         account's {@code customer}, newest first
     */
    public List<java.util.Map<String, Object>> orders(String accountId) {
        return jdbc.queryForList("select o.id, o.client_account_id, a.customer, o.identifiers, o.product_type, o.status, o.order_id,"
            + " o.error_detail, o.created_at from acme_server_order o join acme_client_account a on a.id = o.client_account_id"
            + " where o.account_id = ? order by o.created_at desc, o.id fetch first " + ORDERS_LISTED + " rows only", accountId);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * @param t a timestamp column's value as JDBC answers it (PostgreSQL {@link Timestamp}, H2
     *          {@link java.time.OffsetDateTime}), or null
     * @return the instant, or null
     */
    public static Instant instant(Object t) {
        return t instanceof Timestamp ts ? ts.toInstant() : t instanceof java.time.OffsetDateTime odt ? odt.toInstant() : null;
    }
}
