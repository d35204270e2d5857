package io.certhub.issuer;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The record of vendor calls that may have left an order at the vendor the hub does not know of
 * (table {@code vendor_possible_orphan}, issue 11 §4): a {@code sw_register handle=save} whose
 * reply was lost. The OpenSRS Trust Service API has no lookup by the caller's own reference
 * (shared/reference/opensrs-trust-api.md, "Placing an order without ever placing it twice"), so
 * such a saved order can only be found in the vendor's portal; the hub lists every attempt for an
 * operator, who marks it reconciled. A saved order is never processed (charged) by the vendor
 * unless {@code process_pending} names it, so an orphan costs nothing, but it clutters the
 * reseller's vendor account.
 */
@Component
public class PossibleOrphans {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /**
     * @param jdbc  template on the hub database
     * @param clock time source
     */
    public PossibleOrphans(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Records one lost reply.
     *
     * @param orderId the hub order being placed
     * @param action  the vendor action, e.g. {@code sw_register}
     * @param e       the ambiguous failure (its code and message are kept, cut to the column sizes)
     */
    public void record(String orderId, String action, VendorException e) {
        String detail = e.getMessage() == null ? "" : e.getMessage();
        jdbc.update("insert into vendor_possible_orphan(order_id, action, error_code, error_detail, at) values (?, ?, ?, ?, ?)",
            orderId, action, cut(e.code(), 64), cut(detail, 1000), Timestamp.from(clock.instant()));
    }

    /**
     * @param includeReconciled also those an operator marked reconciled
     * @return newest first, at most 500: {@code [{id, orderId, accountId, clientReference, domain,
     *         vendorOrderId, action, errorCode, errorDetail, at, reconciledAt, reconciledBy, note}]}
     *         (instants as ISO 8601 UTC strings; vendorOrderId is the id the hub placed the order
     *         under in the end, so the orphan is the other saved order for the same domain)
     */
    public List<Map<String, Object>> list(boolean includeReconciled) {
        return jdbc.query("select p.*, o.account_id, o.client_reference, o.domain, o.vendor_order_id from vendor_possible_orphan p"
            + " join orders o on o.id = p.order_id" + (includeReconciled ? "" : " where p.reconciled_at is null")
            + " order by p.at desc, p.id desc limit 500", (rs, i) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", rs.getLong("id"));
                m.put("orderId", rs.getString("order_id"));
                m.put("accountId", rs.getString("account_id"));
                m.put("clientReference", rs.getString("client_reference"));
                m.put("domain", rs.getString("domain"));
                m.put("vendorOrderId", rs.getString("vendor_order_id"));
                m.put("action", rs.getString("action"));
                m.put("errorCode", rs.getString("error_code"));
                m.put("errorDetail", rs.getString("error_detail"));
                m.put("at", instant(rs.getTimestamp("at")));
                m.put("reconciledAt", instant(rs.getTimestamp("reconciled_at")));
                m.put("reconciledBy", rs.getString("reconciled_by"));
                m.put("note", rs.getString("note"));
                return m;
            });
    }

    /**
     * Marks one record reconciled (the operator found and cancelled the saved order, or found none).
     *
     * @param id    record id
     * @param actor who reconciled it
     * @param note  what was found, at most 1000 characters kept
     * @return false when there is no such open record
     */
    public boolean reconcile(long id, String actor, String note) {
        return jdbc.update("update vendor_possible_orphan set reconciled_at = ?, reconciled_by = ?, note = ? where id = ? and reconciled_at is null",
            Timestamp.from(clock.instant()), cut(actor, 64), note == null ? null : cut(note, 1000), id) == 1;
    }

    private static String instant(Timestamp t) {
        return t == null ? null : t.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
