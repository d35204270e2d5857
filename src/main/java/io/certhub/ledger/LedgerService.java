package io.certhub.ledger;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The reseller ledger (JDBC): accounts, fund holds and the append-only journal
 * (DEPOSIT, HOLD, CAPTURE, RELEASE).
 *
 * <p>Rules (shared/DESIGN.md, "Rules of the domain"): amounts are integer minor units;
 * available = balance − held, never negative (checked by one guarded UPDATE, so concurrent
 * holds on one account never overdraw it, plus a table CHECK constraint); one hold per order
 * submission; a hold is settled once (HELD → CAPTURED or RELEASED, guarded by its state).
 * Every method joins the caller's transaction, so an order's state change and its ledger
 * entry commit together.
 */
@Service
public class LedgerService {

    /** Hold states. */
    public enum HoldState { HELD, CAPTURED, RELEASED }

    /** Journal entry types. */
    public enum EntryType { DEPOSIT, HOLD, CAPTURE, RELEASE }

    /**
     * An account's figures, all in minor units of {@code currency}.
     *
     * @param id        account id
     * @param currency  ISO 4217 code
     * @param balance   deposits minus captures
     * @param held      sum of open holds
     */
    public record AccountView(String id, String currency, long balance, long held) {
        /** @return balance − held, never negative */
        public long available() { return balance - held; }
    }

    /**
     * A hold on an order's price.
     *
     * @param id         hold id
     * @param orderId    order id
     * @param submission the order's submission number (1 for the first submit)
     * @param amount     held amount
     * @param state      HELD, CAPTURED or RELEASED
     */
    public record Hold(long id, String orderId, int submission, Money amount, HoldState state) { }

    /**
     * One journal row; {@code amount} is positive for every type.
     *
     * @param id        journal id (ascending = chronological)
     * @param type      entry type
     * @param amount    the amount moved
     * @param orderId   order concerned, or null (deposits)
     * @param holdId    hold concerned, or null
     * @param reference free text (deposit reference), or null
     * @param at        when it was written
     */
    public record JournalEntry(long id, EntryType type, Money amount, String orderId, Long holdId, String reference, Instant at) { }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Map<String, String> currencies = new ConcurrentHashMap<>();

    /**
     * @param jdbc  template on the hub database
     * @param clock time source of journal rows
     */
    public LedgerService(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Creates an account with an opening deposit unless it exists.
     *
     * @param id       account id
     * @param currency ISO 4217 code
     * @param opening  opening balance (a DEPOSIT entry when positive)
     * @return true when created, false when it already existed
     */
    @Transactional
    public boolean createAccountIfAbsent(String id, String currency, Money opening) {
        Integer n = jdbc.queryForObject("select count(*) from account where id = ?", Integer.class, id);
        if (n != null && n > 0) {
            return false;
        }
        jdbc.update("insert into account(id, currency, balance_minor, held_minor, created_at) values (?, ?, 0, 0, ?)",
            id, currency, now());
        if (opening.minor() > 0) {
            deposit(id, opening, "opening balance");
        }
        return true;
    }

    /**
     * Credits an account.
     *
     * @param accountId account id
     * @param amount    positive amount in the account currency
     * @param reference free text kept on the journal row
     * @return the account after the deposit
     * @throws IllegalArgumentException when the amount is not positive, the currency differs, or the
     *                                  balance would pass {@link Money#MAX_MINOR} (nothing written)
     * @throws EmptyResultDataAccessException when the account does not exist
     */
    @Transactional
    public AccountView deposit(String accountId, Money amount, String reference) {
        AccountView account = account(accountId);
        requireSameCurrency(account, amount);
        if (amount.minor() <= 0) {
            throw new IllegalArgumentException("a deposit must be positive");
        }
        // guarded: the balance never passes Money.MAX_MINOR (a bigint overflow would fail the statement)
        if (jdbc.update("update account set balance_minor = balance_minor + ? where id = ? and balance_minor <= ?",
                amount.minor(), accountId, Money.MAX_MINOR - amount.minor()) == 0) {
            throw new IllegalArgumentException("the deposit would take the balance of account " + accountId + " past "
                + Money.decimal(Money.MAX_MINOR, amount.currency()) + " " + amount.currency());
        }
        journal(accountId, EntryType.DEPOSIT, amount, null, null, reference);
        return account(accountId);
    }

    /**
     * Puts {@code amount} on hold for one submission of an order. Joins the caller's
     * transaction (mandatory): the caller changes the order state in the same one.
     *
     * @param accountId  account to hold on
     * @param orderId    order id
     * @param submission the order's submission number
     * @param amount     positive amount in the account currency
     * @return the new hold
     * @throws InsufficientFundsException when available funds are below {@code amount}; nothing is written
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Hold hold(String accountId, String orderId, int submission, Money amount) {
        AccountView before = account(accountId);
        requireSameCurrency(before, amount);
        if (before.available() < amount.minor()) {
            // refused on a plain read, before any row lock: H2 (2.3.232 and 2.4.240) was seen
            // spinning for ever when many transactions locked the account row and rolled back
            throw new InsufficientFundsException(accountId, amount, new Money(before.available(), before.currency()));
        }
        int updated = jdbc.update(
            "update account set held_minor = held_minor + ? where id = ? and balance_minor - held_minor >= ?",
            amount.minor(), accountId, amount.minor());
        if (updated == 0) {
            AccountView now = account(accountId);
            throw new InsufficientFundsException(accountId, amount, new Money(now.available(), now.currency()));
        }
        Timestamp at = now();
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(
                "insert into hold(order_id, submission, account_id, amount_minor, currency, state, created_at) values (?, ?, ?, ?, ?, 'HELD', ?)",
                new String[] {"id"});
            ps.setString(1, orderId);
            ps.setInt(2, submission);
            ps.setString(3, accountId);
            ps.setLong(4, amount.minor());
            ps.setString(5, amount.currency());
            ps.setTimestamp(6, at);
            return ps;
        }, key);
        long holdId = key.getKeyAs(Long.class);
        journal(accountId, EntryType.HOLD, amount, orderId, holdId, null);
        return new Hold(holdId, orderId, submission, amount, HoldState.HELD);
    }

    /**
     * Captures the order's open hold: the amount leaves the balance for good.
     *
     * @param orderId order id
     * @return the captured hold, or empty when the order has no open hold (already settled)
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Hold> capture(String orderId) {
        return settle(orderId, HoldState.CAPTURED);
    }

    /**
     * Releases the order's open hold: the amount becomes available again.
     *
     * @param orderId order id
     * @return the released hold, or empty when the order has no open hold
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Hold> release(String orderId) {
        return settle(orderId, HoldState.RELEASED);
    }

    private Optional<Hold> settle(String orderId, HoldState to) {
        List<Map.Entry<Hold, String>> open = jdbc.query("select * from hold where order_id = ? and state = 'HELD'",
            (rs, i) -> Map.entry(HOLD.mapRow(rs, i), rs.getString("account_id")), orderId);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        Hold hold = open.get(0).getKey();
        String accountId = open.get(0).getValue();
        int n = jdbc.update("update hold set state = ?, settled_at = ? where id = ? and state = 'HELD'", to.name(), now(), hold.id());
        if (n == 0) {
            return Optional.empty();
        }
        if (to == HoldState.CAPTURED) {
            jdbc.update("update account set balance_minor = balance_minor - ?, held_minor = held_minor - ? where id = ?",
                hold.amount().minor(), hold.amount().minor(), accountId);
            journal(accountId, EntryType.CAPTURE, hold.amount(), orderId, hold.id(), null);
        } else {
            jdbc.update("update account set held_minor = held_minor - ? where id = ?", hold.amount().minor(), accountId);
            journal(accountId, EntryType.RELEASE, hold.amount(), orderId, hold.id(), null);
        }
        return Optional.of(new Hold(hold.id(), orderId, hold.submission(), hold.amount(), to));
    }

    /**
     * @param accountId account id
     * @return the account's figures
     * @throws EmptyResultDataAccessException when it does not exist
     */
    public AccountView account(String accountId) {
        return jdbc.queryForObject("select id, currency, balance_minor, held_minor from account where id = ?",
            (rs, i) -> new AccountView(rs.getString(1), rs.getString(2).trim(), rs.getLong(3), rs.getLong(4)), accountId);
    }

    /**
     * The account's currency, read once and then kept (an account's currency never changes, and
     * accounts are never deleted): spares the order path a read of the account row per order.
     *
     * @param accountId account id
     * @return ISO 4217 code
     * @throws EmptyResultDataAccessException when the account does not exist
     */
    public String currency(String accountId) {
        String known = currencies.get(accountId);
        if (known != null) {
            return known;
        }
        String read = jdbc.queryForObject("select currency from account where id = ?", String.class, accountId).trim();
        currencies.putIfAbsent(accountId, read);
        return read;
    }

    /**
     * @param accountId account id
     * @return whether the account exists
     */
    public boolean exists(String accountId) {
        Integer n = jdbc.queryForObject("select count(*) from account where id = ?", Integer.class, accountId);
        return n != null && n > 0;
    }

    /**
     * @param orderId order id
     * @return the order's latest hold (highest submission), if it was ever submitted
     */
    public Optional<Hold> latestHold(String orderId) {
        return jdbc.query("select * from hold where order_id = ? order by submission desc", HOLD, orderId).stream().findFirst();
    }

    /**
     * A page of the account's journal, newest first.
     *
     * @param accountId account id
     * @param page      0-based page
     * @param size      rows per page (1..500)
     * @return the rows
     */
    public List<JournalEntry> journal(String accountId, int page, int size) {
        return jdbc.query("select * from journal where account_id = ? order by id desc limit ? offset ?",
            (rs, i) -> new JournalEntry(rs.getLong("id"), EntryType.valueOf(rs.getString("entry_type")),
                new Money(rs.getLong("amount_minor"), rs.getString("currency").trim()), rs.getString("order_id"),
                (Long) rs.getObject("hold_id", Long.class), rs.getString("reference"), rs.getTimestamp("at").toInstant()),
            accountId, size, (long) page * size);
    }

    /**
     * @param accountId account id
     * @return number of journal rows of the account
     */
    public long journalCount(String accountId) {
        return jdbc.queryForObject("select count(*) from journal where account_id = ?", Long.class, accountId);
    }

    private void journal(String accountId, EntryType type, Money amount, String orderId, Long holdId, String reference) {
        jdbc.update("insert into journal(account_id, entry_type, amount_minor, currency, order_id, hold_id, reference, at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            accountId, type.name(), amount.minor(), amount.currency(), orderId, holdId, reference, now());
    }

    private static void requireSameCurrency(AccountView account, Money amount) {
        if (!account.currency().equals(amount.currency())) {
            throw new IllegalArgumentException("account " + account.id() + " is in " + account.currency() + ", not " + amount.currency());
        }
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static final RowMapper<Hold> HOLD = (rs, i) -> new Hold(rs.getLong("id"), rs.getString("order_id"), rs.getInt("submission"),
        new Money(rs.getLong("amount_minor"), rs.getString("currency").trim()), HoldState.valueOf(rs.getString("state")));
}
