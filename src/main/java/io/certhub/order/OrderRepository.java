package io.certhub.order;

import io.certhub.ledger.Money;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * JDBC access to {@code orders} and {@code order_history}. State changes are guarded by the
 * expected current state ({@code where state = ?}) so two racing changes cannot both win.
 */
@Repository
public class OrderRepository {

    /**
     * Filters of the order list; null fields do not filter.
     *
     * @param state           exact state
     * @param domain          main domain or an additional one, exact (normalised)
     * @param clientReference exact reference
     * @param text            case-insensitive substring of the client reference, the main domain or
     *                        an additional one (the dashboard's search box, {@code q=}); null for none
     * @param textIn          where {@code text} is looked for: {@code domain}, {@code clientReference},
     *                        or null for both
     */
    public record Filter(OrderState state, String domain, String clientReference, String text, String textIn) {

        /**
         * The exact filters only.
         *
         * @param state           exact state
         * @param domain          main domain or an additional one, exact (normalised)
         * @param clientReference exact reference
         */
        public Filter(OrderState state, String domain, String clientReference) {
            this(state, domain, clientReference, null, null);
        }
    }

    private final JdbcTemplate jdbc;

    /** @param jdbc template on the hub database */
    public OrderRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts a new order.
     *
     * @param o          the order (PENDING, or IN_PROGRESS when created and submitted at once)
     * @param vendorStep the vendor step it starts at ({@code QUEUED} for a submitted order, due at
     *                   once), or null when it is not for the vendor yet
     * @throws org.springframework.dao.DuplicateKeyException when the account already has the client reference
     */
    public void insert(Order o, String vendorStep) {
        jdbc.update("""
            insert into orders(id, account_id, client_reference, content_hash, product_type, state, vendor_status, vendor_order_id,
              domain, additional_domains, period, server_type, approver_email, dcv_method, csr, csr_key_sha256, contacts,
              price_minor, currency, submissions, created_at, updated_at, vendor_step, vendor_attempts)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)""",
            o.id(), o.accountId(), o.clientReference(), o.contentHash(), o.productType(), o.state().name(), o.vendorStatus(),
            o.vendorOrderId(), o.domain(), String.join(" ", o.additionalDomains()), o.period(), o.serverType(), o.approverEmail(),
            o.dcvMethod(), o.csr(), o.csrKeySha256(), o.contactsJson(), o.price().minor(), o.price().currency(), o.submissions(),
            Timestamp.from(o.createdAt()), Timestamp.from(o.updatedAt()), vendorStep);
    }

    /**
     * Replaces the editable content of a PENDING order (PATCH).
     *
     * @param o   the order with its new content
     * @param now update time
     * @return whether the row was PENDING and is now updated
     */
    public boolean updateContent(Order o, Instant now) {
        return updateContent(o, OrderState.PENDING, now);
    }

    /**
     * Replaces the editable content of a PENDING or DECLINED order (PATCH). A DECLINED order's
     * vendor order id is cleared with it, so that its next submission places the edited content
     * as a new vendor order instead of submitting the refused one again.
     *
     * @param o     the order with its new content
     * @param state the state the row must still be in (PENDING or DECLINED)
     * @param now   update time
     * @return whether the row was in {@code state} and is now updated
     */
    public boolean updateContent(Order o, OrderState state, Instant now) {
        String clearVendor = state == OrderState.DECLINED ? ", vendor_order_id = null" : "";
        return jdbc.update("""
            update orders set content_hash = ?, domain = ?, additional_domains = ?, period = ?, server_type = ?, approver_email = ?,
              dcv_method = ?, csr = ?, csr_key_sha256 = ?, contacts = ?, price_minor = ?, currency = ?, updated_at = ?"""
            + clearVendor + " where id = ? and state = '" + state.name() + "'",
            o.contentHash(), o.domain(), String.join(" ", o.additionalDomains()), o.period(), o.serverType(), o.approverEmail(),
            o.dcvMethod(), o.csr(), o.csrKeySha256(), o.contactsJson(), o.price().minor(), o.price().currency(), Timestamp.from(now),
            o.id()) == 1;
    }

    /**
     * Moves an order from {@code from} to {@code to}.
     *
     * @param id           order id
     * @param from         expected current state
     * @param to           new state
     * @param vendorStatus vendor status to record (null keeps none)
     * @param submissions  new submission count
     * @param errorCode    last error code (null clears it)
     * @param errorDetail  last error detail
     * @param now          update time
     * @return whether the order was in {@code from} and is now in {@code to}
     */
    public boolean transition(String id, OrderState from, OrderState to, String vendorStatus, int submissions,
                              String errorCode, String errorDetail, Instant now) {
        return jdbc.update("""
            update orders set state = ?, vendor_status = ?, submissions = ?, last_error_code = ?, last_error_detail = ?, updated_at = ?
            where id = ? and state = ?""",
            to.name(), vendorStatus, submissions, errorCode, errorDetail, Timestamp.from(now), id, from.name()) == 1;
    }

    /**
     * Puts an order in the vendor queue at {@code step} (QUEUED: not placed yet; SAVED: the vendor
     * has it saved, e.g. a declined order submitted again), due at once.
     *
     * @param id   order id
     * @param step QUEUED or SAVED
     */
    public void queueForVendor(String id, String step) {
        jdbc.update("update orders set vendor_step = ?, vendor_attempts = 0, vendor_next_at = null where id = ?", step, id);
    }

    /**
     * Sets the vendor status of an order that is in {@code state}.
     *
     * @param id           order id
     * @param state        expected state
     * @param vendorStatus new vendor status
     * @param now          update time
     * @return whether the order was in {@code state}
     */
    public boolean vendorStatus(String id, OrderState state, String vendorStatus, Instant now) {
        return jdbc.update("update orders set vendor_status = ?, updated_at = ? where id = ? and state = ?",
            vendorStatus, Timestamp.from(now), id, state.name()) == 1;
    }

    /**
     * Sets or clears the last error of an IN_PROGRESS order (state and vendor status unchanged).
     *
     * @param id     order id
     * @param code   error code, or null to clear
     * @param detail detail (cut to 1000 characters), or null
     * @param now    update time
     * @return whether the order was IN_PROGRESS
     */
    public boolean lastError(String id, String code, String detail, Instant now) {
        return jdbc.update("update orders set last_error_code = ?, last_error_detail = ?, updated_at = ? where id = ? and state = 'IN_PROGRESS'",
            code, detail == null || detail.length() <= 1000 ? detail : detail.substring(0, 1000), Timestamp.from(now), id) == 1;
    }

    /**
     * Sets the vendor status of an IN_PROGRESS order only while it is still queued for placement
     * ({@code vendor_step = 'QUEUED'}, no vendor order id): the guard that keeps a cancellation
     * request from landing on an order whose placement has just been recorded.
     *
     * @param id           order id
     * @param vendorStatus new vendor status
     * @param now          update time
     * @return whether the order was still queued
     */
    public boolean vendorStatusWhileQueued(String id, String vendorStatus, Instant now) {
        return jdbc.update("update orders set vendor_status = ?, updated_at = ? where id = ? and state = 'IN_PROGRESS'"
            + " and vendor_step = 'QUEUED' and vendor_order_id is null", vendorStatus, Timestamp.from(now), id) == 1;
    }

    /**
     * Changes the DCV method and approver of an order in {@code state}.
     *
     * @param id       order id
     * @param state    expected state
     * @param method   email, dns or http
     * @param approver approver address, or null
     * @param now      update time
     * @return whether the order was in {@code state}
     */
    public boolean updateDcv(String id, OrderState state, String method, String approver, Instant now) {
        return jdbc.update("update orders set dcv_method = ?, approver_email = ?, dcv_details = null, updated_at = ? where id = ? and state = ?",
            method, approver, Timestamp.from(now), id, state.name()) == 1;
    }

    /**
     * Appends a history entry.
     *
     * @param orderId order id
     * @param e       the entry
     */
    public void addHistory(String orderId, Order.HistoryEntry e) {
        jdbc.update("insert into order_history(order_id, at, from_state, to_state, vendor_status, actor, reason) values (?, ?, ?, ?, ?, ?, ?)",
            orderId, Timestamp.from(e.at()), e.from() == null ? null : e.from().name(), e.to().name(), e.vendorStatus(), e.actor(), e.reason());
    }

    /**
     * Appends history entries in one JDBC batch.
     *
     * @param orderId order id
     * @param entries the entries, oldest first
     */
    public void addHistory(String orderId, List<Order.HistoryEntry> entries) {
        jdbc.batchUpdate("insert into order_history(order_id, at, from_state, to_state, vendor_status, actor, reason) values (?, ?, ?, ?, ?, ?, ?)",
            entries.stream().map(e -> new Object[] {orderId, Timestamp.from(e.at()), e.from() == null ? null : e.from().name(),
                e.to().name(), e.vendorStatus(), e.actor(), e.reason()}).toList());
    }

    /**
     * @param orderId order id
     * @return the history, oldest first
     */
    public List<Order.HistoryEntry> history(String orderId) {
        return jdbc.query("select * from order_history where order_id = ? order by id", (rs, i) -> new Order.HistoryEntry(
            rs.getTimestamp("at").toInstant(), rs.getString("from_state") == null ? null : OrderState.valueOf(rs.getString("from_state")),
            OrderState.valueOf(rs.getString("to_state")), rs.getString("vendor_status"), rs.getString("actor"), rs.getString("reason")), orderId);
    }

    /**
     * @param orderId order id
     * @return the order's warnings, oldest first (issue 11 §5)
     */
    public List<Order.Warning> warnings(String orderId) {
        return jdbc.query("select code, field, detail, created_at from order_warning where order_id = ? order by id",
            (rs, i) -> new Order.Warning(rs.getString("code"), rs.getString("field"), rs.getString("detail"),
                rs.getTimestamp("created_at").toInstant()), orderId);
    }

    /**
     * Adds a warning to an order.
     *
     * @param orderId order id
     * @param w       the warning
     * @throws org.springframework.dao.DuplicateKeyException when the order has a warning with this
     *         code and field already (constraint {@code order_warning_once})
     */
    public void addWarning(String orderId, Order.Warning w) {
        jdbc.update("insert into order_warning(order_id, code, field, detail, created_at) values (?, ?, ?, ?, ?)",
            orderId, w.code(), w.field(), w.detail(), Timestamp.from(w.at()));
    }

    /**
     * Removes one warning of an order.
     *
     * @param orderId order id
     * @param code    its code
     * @param field   its field
     * @return whether a warning was removed
     */
    public boolean removeWarning(String orderId, String code, String field) {
        return jdbc.update("delete from order_warning where order_id = ? and code = ? and field = ?", orderId, code, field) > 0;
    }

    /**
     * Records that an order renews another (V20 {@code orders.renewal_of}); in the caller's transaction.
     *
     * @param orderId   the renewal order
     * @param renewalOf the order it renews
     */
    public void markRenewal(String orderId, String renewalOf) {
        jdbc.update("update orders set renewal_of = ? where id = ?", renewalOf, orderId);
    }

    /**
     * @param orderId an order
     * @return the order it renews, empty for a new order (or an unknown id)
     */
    public Optional<String> renewalOf(String orderId) {
        return jdbc.queryForList("select renewal_of from orders where id = ?", String.class, orderId).stream()
            .filter(java.util.Objects::nonNull).findFirst();
    }

    /**
     * @param orderId an order
     * @return ids of the orders that renew it, oldest first
     */
    public List<String> renewals(String orderId) {
        return jdbc.queryForList("select id from orders where renewal_of = ? order by created_at, id", String.class, orderId);
    }

    /**
     * @param id order id
     * @return the order, whatever its account
     */
    public Optional<Order> find(String id) {
        return jdbc.query("select * from orders where id = ?", ORDER, id).stream().findFirst();
    }

    /**
     * Reads an order and locks its row until the caller's transaction ends ({@code select ... for
     * update}, PostgreSQL and H2), so two requests acting on one order run one after the other and
     * the second sees the first's outcome.
     *
     * @param id order id
     * @return the order, if it exists
     */
    public Optional<Order> findForUpdate(String id) {
        return jdbc.query("select * from orders where id = ? for update", ORDER, id).stream().findFirst();
    }

    /**
     * @param accountId       account
     * @param clientReference reseller reference
     * @return the account's order with that reference
     */
    public Optional<Order> findByClientReference(String accountId, String clientReference) {
        return jdbc.query("select * from orders where account_id = ? and client_reference = ?", ORDER, accountId, clientReference).stream().findFirst();
    }

    /**
     * A page of an account's orders, newest first.
     *
     * @param accountId account
     * @param f         filters
     * @param page      0-based page
     * @param size      page size
     * @return the orders of the page
     */
    public List<Order> list(String accountId, Filter f, int page, int size) {
        List<Object> args = new ArrayList<>();
        String where = where(accountId, f, args);
        args.add(size);
        args.add((long) page * size);
        return jdbc.query("select * from orders " + where + " order by created_at desc, id limit ? offset ?", ORDER, args.toArray());
    }

    /**
     * @param accountId account
     * @param f         filters
     * @return how many orders match
     */
    public long count(String accountId, Filter f) {
        List<Object> args = new ArrayList<>();
        String where = where(accountId, f, args);
        return jdbc.queryForObject("select count(*) from orders " + where, Long.class, args.toArray());
    }

    private static String where(String accountId, Filter f, List<Object> args) {
        StringBuilder sb = new StringBuilder("where account_id = ?");
        args.add(accountId);
        if (f.state() != null) {
            sb.append(" and state = ?");
            args.add(f.state().name());
        }
        if (f.domain() != null) {
            sb.append(" and (domain = ? or ' ' || additional_domains || ' ' like ?)");
            args.add(f.domain());
            args.add("% " + f.domain() + " %");
        }
        if (f.clientReference() != null) {
            sb.append(" and client_reference = ?");
            args.add(f.clientReference());
        }
        if (f.text() != null) {
            String like = "%" + f.text().toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            List<String> parts = new java.util.ArrayList<>();
            if (!"domain".equals(f.textIn())) {
                parts.add("lower(client_reference) like ? escape '\\'");
            }
            if (!"clientReference".equals(f.textIn())) {
                parts.add("domain like ? escape '\\'");
                parts.add("additional_domains like ? escape '\\'");
            }
            sb.append(" and (").append(String.join(" or ", parts)).append(')');
            parts.forEach(p -> args.add(like));
        }
        return sb.toString();
    }

    static final RowMapper<Order> ORDER = OrderRepository::map;

    private static Order map(ResultSet rs, int i) throws SQLException {
        String extra = rs.getString("additional_domains");
        return new Order(rs.getString("id"), rs.getString("account_id"), rs.getString("client_reference"), rs.getString("content_hash").trim(),
            rs.getString("product_type"), OrderState.valueOf(rs.getString("state")), rs.getString("vendor_status"),
            rs.getString("vendor_order_id"), rs.getString("domain"),
            extra == null || extra.isBlank() ? List.of() : Arrays.asList(extra.trim().split(" ")), rs.getInt("period"),
            rs.getString("server_type"), rs.getString("approver_email"), rs.getString("dcv_method"), rs.getString("csr"),
            rs.getString("csr_key_sha256").trim(), rs.getString("contacts"),
            new Money(rs.getLong("price_minor"), rs.getString("currency").trim()), rs.getInt("submissions"),
            rs.getString("last_error_code"), rs.getString("last_error_detail"),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
