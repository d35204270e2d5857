package io.certhub.certificate;

import io.certhub.pki.CertificateFacts;
import io.certhub.pki.Certificates;
import io.certhub.pki.Chain;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The certificate inventory (issue 13 §1, table {@code certificate} of Flyway V16): stores an
 * issued certificate with its facts ({@link CertificateFacts}) and lists an account's
 * certificates. Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
 *
 * <p>States: {@code ACTIVE}, {@code SUPERSEDED} (a reissue replaced it, issue 13 §2),
 * {@code REVOKED} (§5) are stored; {@code EXPIRED} is derived on read: a stored ACTIVE whose
 * {@code notAfter} is not after now.
 */
@Repository
public class CertificateInventory {

    /** The states a certificate can be listed with. */
    public enum State { ACTIVE, EXPIRED, SUPERSEDED, REVOKED }

    /**
     * A stored certificate with the order's reference and domain.
     *
     * @param id              certificate id (UUID string)
     * @param orderId         the order it was issued for
     * @param accountId       the order's account
     * @param clientReference the order's client reference
     * @param domain          the order's domain
     * @param facts           the certificate's facts
     * @param state           ACTIVE, EXPIRED (derived), SUPERSEDED or REVOKED
     * @param source          {@code vendor-api} or {@code mailbox}
     * @param receivedAt      when the hub stored it
     * @param leafPem         the leaf as PEM
     * @param chainPem        the intermediates as PEM (issuer of the leaf first, no root)
     * @param revokedAt       when it was revoked (REVOKED), else null
     * @param revocationReason the RFC 5280 reason name it was revoked with (REVOKED), else null
     * @param revocationRequestedAt when a revocation was asked of the vendor whose outcome the hub has
     *                        not recorded yet (V25; {@link CertificateRevocation}), else null
     */
    public record Item(String id, String orderId, String accountId, String clientReference, String domain, CertificateFacts facts,
                       State state, String source, Instant receivedAt, String leafPem, String chainPem, Instant revokedAt,
                       String revocationReason, Instant revocationRequestedAt) { }

    /**
     * A revocation asked of the vendor whose outcome is not recorded (V25).
     *
     * @param certificateId the certificate
     * @param accountId     its account
     * @param orderId       its order
     * @param serialHex     its serial (lower-case hex)
     * @param reason        the RFC 5280 reason name asked for
     * @param actor         who asked, e.g. {@code account:demo}
     * @param requestedAt   when the hub was about to ask the vendor
     */
    public record PendingRevocation(String certificateId, String accountId, String orderId, String serialHex, String reason, String actor,
                                    Instant requestedAt) { }

    /**
     * Filters of the list; null fields do not filter.
     *
     * @param expiresBefore only certificates whose notAfter is before this instant
     * @param domain        lower-case text found in a SAN or the subject CN (substring)
     * @param state         only this (derived) state
     * @param orderId       only the certificates of this order
     */
    public record Filter(Instant expiresBefore, String domain, State state, String orderId) { }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /**
     * @param jdbc  template on the hub database
     * @param clock time source (EXPIRED is derived against it)
     */
    public CertificateInventory(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Stores an accepted certificate as ACTIVE with its facts. Joins the caller's transaction
     * (the completing one of {@code OrderCompletion}).
     *
     * @param orderId   the order
     * @param accountId the order's account
     * @param chain     the checked chain (leaf and intermediates)
     * @param source    {@code vendor-api} or {@code mailbox}
     * @param at        when it was received
     * @return the new certificate's id
     */
    public String store(String orderId, String accountId, Chain chain, String source, Instant at) {
        CertificateFacts f = CertificateFacts.of(chain.leaf());
        String id = UUID.randomUUID().toString();
        jdbc.update("insert into certificate(id, order_id, account_id, leaf_pem, chain_pem, leaf_sha256, serial_hex, issuer_dn, subject_dn,"
                + " common_name, sans, key_type, key_size, not_before, not_after, state, source, received_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)",
            id, orderId, accountId, Certificates.toPem(List.of(chain.leaf())), Certificates.toPem(chain.intermediates()), f.sha256(),
            f.serialHex(), f.issuerDn(), f.subjectDn(), f.commonName(), f.sansColumn(), f.keyType(), f.keySize(),
            Timestamp.from(f.notBefore()), Timestamp.from(f.notAfter()), source, Timestamp.from(at));
        return id;
    }

    /**
     * @param sha256 lower-case hex SHA-256 of a leaf's DER
     * @return the order that certificate is stored for, if any
     */
    public Optional<String> orderOf(String sha256) {
        return jdbc.queryForList("select order_id from certificate where leaf_sha256 = ?", String.class, sha256).stream().findFirst();
    }

    /**
     * Marks a certificate REVOKED with its time and RFC 5280 reason (issue 13 §5; joins the caller's
     * transaction).
     *
     * @param id     certificate id
     * @param reason the reason's RFC 5280 name
     * @param at     when
     * @return false when it was REVOKED already (nothing changed)
     */
    public boolean revoke(String id, String reason, Instant at) {
        return jdbc.update("update certificate set state = 'REVOKED', revoked_at = ?, revocation_reason = ?, revocation_requested_at = null,"
            + " revocation_requested_reason = null, revocation_requested_by = null where id = ? and state <> 'REVOKED'",
            Timestamp.from(at), reason, id) == 1;
    }

    /**
     * Records that a revocation is about to be asked of the vendor (V25), before the call, so an
     * answer lost or a hub stopped in between leaves a trace that {@link CertificateRevocation#confirmPending}
     * follows up. At most one request is pending per certificate: while one is, a second is not
     * written (it would overwrite the first one's trace, and its own failure would clear it).
     *
     * @param id     certificate id
     * @param reason the reason's RFC 5280 name
     * @param actor  who asks
     * @param at     when; stored to the microsecond (the precision of H2 and PostgreSQL timestamps), the
     *               value {@link #clearRevocationRequest} is then given
     * @return false when the certificate is REVOKED already or a request is pending (nothing written)
     */
    public boolean requestRevocation(String id, String reason, String actor, Instant at) {
        return jdbc.update("update certificate set revocation_requested_at = ?, revocation_requested_reason = ?, revocation_requested_by = ?"
            + " where id = ? and state <> 'REVOKED' and revocation_requested_at is null", Timestamp.from(at), reason, actor, id) == 1;
    }

    /**
     * Forgets a revocation request the vendor definitely did not carry out (it refused, or could not be
     * reached before it acted), only if it is still the request made at {@code requestedAt}: a later one
     * stays.
     *
     * @param id          certificate id
     * @param requestedAt when the request being forgotten was made (as stored: microseconds)
     * @return whether it was forgotten
     */
    public boolean clearRevocationRequest(String id, Instant requestedAt) {
        return jdbc.update("update certificate set revocation_requested_at = null, revocation_requested_reason = null,"
            + " revocation_requested_by = null where id = ? and revocation_requested_at = ?", id, Timestamp.from(requestedAt)) == 1;
    }

    /**
     * @param requestedBefore only requests older than this (younger ones may still be waiting for the vendor)
     * @param limit           at most this many, oldest first
     * @return revocations asked of the vendor whose outcome is not recorded
     */
    public List<PendingRevocation> pendingRevocations(Instant requestedBefore, int limit) {
        return jdbc.query("select id, account_id, order_id, serial_hex, revocation_requested_reason, revocation_requested_by,"
                + " revocation_requested_at from certificate where revocation_requested_at < ? and state <> 'REVOKED'"
                + " order by revocation_requested_at, id fetch first " + limit + " rows only",
            (rs, i) -> new PendingRevocation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getTimestamp(7).toInstant()), Timestamp.from(requestedBefore));
    }

    /**
     * @param accountId account
     * @param id        certificate id
     * @return the certificate when it exists and belongs to the account
     */
    public Optional<Item> find(String accountId, String id) {
        return jdbc.query(SELECT + " where c.account_id = ? and c.id = ?", mapper(clock.instant()), accountId, id).stream().findFirst();
    }

    /**
     * A page of an account's certificates, newest first ({@code received_at} descending, then id).
     *
     * @param accountId account
     * @param f         filters
     * @param page      0-based page
     * @param size      page size
     * @return the items of the page
     */
    public List<Item> list(String accountId, Filter f, int page, int size) {
        Instant now = clock.instant();
        List<Object> args = new ArrayList<>();
        String where = where(accountId, f, now, args);
        args.add(size);
        args.add((long) page * size);
        return jdbc.query(SELECT + where + " order by c.received_at desc, c.id desc limit ? offset ?", mapper(now), args.toArray());
    }

    /**
     * @param accountId account
     * @param f         filters
     * @return how many certificates match
     */
    public long count(String accountId, Filter f) {
        List<Object> args = new ArrayList<>();
        String where = where(accountId, f, clock.instant(), args);
        return jdbc.queryForObject("select count(*) from certificate c" + where, Long.class, args.toArray());
    }

    /**
     * The batch after a position of the newest-first order, for exports that walk every match
     * without OFFSET (keyset paging on {@code (received_at, id)}).
     *
     * @param accountId account
     * @param f         filters
     * @param after     the last item of the previous batch, or null for the first batch
     * @param limit     batch size
     * @return up to {@code limit} items after {@code after}
     */
    public List<Item> batchAfter(String accountId, Filter f, Item after, int limit) {
        Instant now = clock.instant();
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(where(accountId, f, now, args));
        if (after != null) {
            Timestamp at = Timestamp.from(after.receivedAt());
            where.append(" and (c.received_at < ? or (c.received_at = ? and c.id < ?))");
            args.add(at);
            args.add(at);
            args.add(after.id());
        }
        args.add(limit);
        return jdbc.query(SELECT + where + " order by c.received_at desc, c.id desc limit ?", mapper(now), args.toArray());
    }

    private static final String SELECT = "select c.*, o.client_reference, o.domain from certificate c join orders o on o.id = c.order_id";

    private static String where(String accountId, Filter f, Instant now, List<Object> args) {
        StringBuilder sb = new StringBuilder(" where c.account_id = ?");
        args.add(accountId);
        if (f.orderId() != null) {
            sb.append(" and c.order_id = ?");
            args.add(f.orderId());
        }
        if (f.expiresBefore() != null) {
            sb.append(" and c.not_after < ?");
            args.add(Timestamp.from(f.expiresBefore()));
        }
        if (f.domain() != null) {
            String like = "%" + f.domain().toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            sb.append(" and (c.sans like ? escape '\\' or lower(c.common_name) like ? escape '\\')");
            args.add(like);
            args.add(like);
        }
        if (f.state() != null) {
            switch (f.state()) {
                case ACTIVE -> {
                    sb.append(" and c.state = 'ACTIVE' and c.not_after > ?");
                    args.add(Timestamp.from(now));
                }
                case EXPIRED -> {
                    sb.append(" and c.state = 'ACTIVE' and c.not_after <= ?");
                    args.add(Timestamp.from(now));
                }
                default -> {
                    sb.append(" and c.state = ?");
                    args.add(f.state().name());
                }
            }
        }
        return sb.toString();
    }

    private static RowMapper<Item> mapper(Instant now) {
        return (ResultSet rs, int i) -> map(rs, now);
    }

    private static Item map(ResultSet rs, Instant now) throws SQLException {
        Instant notAfter = rs.getTimestamp("not_after").toInstant();
        CertificateFacts facts = new CertificateFacts(rs.getString("serial_hex"), rs.getString("issuer_dn"), rs.getString("subject_dn"),
            rs.getString("common_name"), CertificateFacts.sansFromColumn(rs.getString("sans")), rs.getString("key_type"), rs.getInt("key_size"),
            rs.getTimestamp("not_before").toInstant(), notAfter, rs.getString("leaf_sha256").trim());
        State state = State.valueOf(rs.getString("state"));
        if (state == State.ACTIVE && !notAfter.isAfter(now)) {
            state = State.EXPIRED;
        }
        return new Item(rs.getString("id"), rs.getString("order_id"), rs.getString("account_id"), rs.getString("client_reference"),
            rs.getString("domain"), facts, state, rs.getString("source"), rs.getTimestamp("received_at").toInstant(),
            rs.getString("leaf_pem"), rs.getString("chain_pem"), rs.getTimestamp("revoked_at") == null ? null
            : rs.getTimestamp("revoked_at").toInstant(), rs.getString("revocation_reason"),
            rs.getTimestamp("revocation_requested_at") == null ? null : rs.getTimestamp("revocation_requested_at").toInstant());
    }
}
