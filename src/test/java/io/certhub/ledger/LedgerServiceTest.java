package io.certhub.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The ledger on its own: a fresh H2 database migrated by Flyway, no Spring context. */
class LedgerServiceTest {

    JdbcTemplate jdbc;
    TransactionTemplate tx;
    LedgerService ledger;
    final Clock clock = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void setUp() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/common").load().migrate();
        jdbc = new JdbcTemplate(ds);
        tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        ledger = new LedgerService(jdbc, clock);
        ledger.createAccountIfAbsent("acme", "USD", Money.parse("100.00", "USD"));
        jdbc.update("insert into orders(id, account_id, client_reference, content_hash, product_type, state, domain, period, server_type,"
            + " dcv_method, csr, csr_key_sha256, contacts, price_minor, currency, created_at, updated_at) values"
            + " ('o1', 'acme', 'r1', 'h', 'comodo_ssl', 'IN_PROGRESS', 'a.example.com', 1, 'nginx', 'email', 'csr', 'k', '{}', 2900, 'USD', now(), now())");
    }

    @Test
    void holdCaptureAndReleaseMoveTheRightFiguresOnce() {
        tx.executeWithoutResult(s -> ledger.hold("acme", "o1", 1, Money.parse("29.00", "USD")));
        assertThat(ledger.account("acme")).isEqualTo(new LedgerService.AccountView("acme", "USD", 10000, 2900));
        assertThat(ledger.account("acme").available()).isEqualTo(7100);

        java.util.Optional<LedgerService.Hold> captured = tx.execute(s -> ledger.capture("o1"));
        assertThat(captured.orElseThrow().state()).isEqualTo(LedgerService.HoldState.CAPTURED);
        assertThat(ledger.account("acme")).isEqualTo(new LedgerService.AccountView("acme", "USD", 7100, 0));
        java.util.Optional<LedgerService.Hold> again = tx.execute(s -> ledger.capture("o1"));
        java.util.Optional<LedgerService.Hold> released = tx.execute(s -> ledger.release("o1"));
        assertThat(again).isEmpty();   // settled once
        assertThat(released).isEmpty();
        assertThat(ledger.account("acme").balance()).isEqualTo(7100);
        assertThat(ledger.journal("acme", 0, 10)).extracting(LedgerService.JournalEntry::type)
            .containsExactly(LedgerService.EntryType.CAPTURE, LedgerService.EntryType.HOLD, LedgerService.EntryType.DEPOSIT);
    }

    @Test
    void releaseRestoresAvailable() {
        tx.executeWithoutResult(s -> ledger.hold("acme", "o1", 1, Money.parse("29.00", "USD")));
        tx.executeWithoutResult(s -> ledger.release("o1"));
        assertThat(ledger.account("acme")).isEqualTo(new LedgerService.AccountView("acme", "USD", 10000, 0));
        assertThat(ledger.latestHold("o1")).get().extracting(LedgerService.Hold::state).isEqualTo(LedgerService.HoldState.RELEASED);
    }

    @Test
    void aHoldBeyondAvailableFundsWritesNothing() {
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> ledger.hold("acme", "o1", 1, Money.parse("100.01", "USD"))))
            .isInstanceOf(InsufficientFundsException.class)
            .hasMessageContaining("100.00 USD available").hasMessageContaining("100.01");
        assertThat(jdbc.queryForObject("select count(*) from hold", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from journal where entry_type = 'HOLD'", Integer.class)).isZero();
        assertThat(ledger.account("acme").held()).isZero();
    }

    @Test
    void theHoldReturnedIsTheRowWrittenAndItsJournalRowPointsAtIt() {
        LedgerService.Hold first = tx.execute(s -> ledger.hold("acme", "o1", 1, Money.parse("29.00", "USD")));
        tx.executeWithoutResult(s -> ledger.release("o1"));
        LedgerService.Hold second = tx.execute(s -> ledger.hold("acme", "o1", 2, Money.parse("29.00", "USD")));
        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(jdbc.queryForObject("select id from hold where order_id = 'o1' and submission = 2", Long.class)).isEqualTo(second.id());
        assertThat(jdbc.queryForList("select hold_id from journal where entry_type = 'HOLD' order by id", Long.class))
            .containsExactly(first.id(), second.id());
        assertThat(second).isEqualTo(new LedgerService.Hold(second.id(), "o1", 2, Money.parse("29.00", "USD"), LedgerService.HoldState.HELD));
    }

    @Test
    void theCurrencyOfAnUnknownAccountIsAnError() {
        assertThat(ledger.currency("acme")).isEqualTo("USD");
        assertThatThrownBy(() -> ledger.currency("nobody")).isInstanceOf(org.springframework.dao.EmptyResultDataAccessException.class);
    }

    @Test
    void aHoldNeedsTheAccountCurrency() {
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> ledger.hold("acme", "o1", 1, Money.parse("1.00", "EUR"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("USD");
    }

    @Test
    void depositsAddToTheBalanceAndAccountsAreCreatedOnce() {
        ledger.deposit("acme", Money.parse("5.50", "USD"), "top-up");
        assertThat(ledger.account("acme").balance()).isEqualTo(10550);
        assertThat(ledger.createAccountIfAbsent("acme", "USD", Money.parse("100.00", "USD"))).isFalse();
        assertThat(ledger.account("acme").balance()).isEqualTo(10550);
        assertThat(ledger.journal("acme", 0, 1).get(0).reference()).isEqualTo("top-up");
        assertThat(ledger.journalCount("acme")).isEqualTo(2);
    }
}
