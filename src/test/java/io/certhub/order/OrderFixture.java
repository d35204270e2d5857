package io.certhub.order;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.certhub.config.HubProperties;
import io.certhub.csr.CsrParser;
import io.certhub.ledger.LedgerService;
import io.certhub.ledger.Money;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The order core without Spring, for unit tests of the classes around it: a fresh in-memory H2
 * database (PostgreSQL mode, as the hub's) migrated by Flyway's common migrations, the real
 * ledger with accounts {@code demo} (25.00 USD) and {@code other} (100.00 USD), the real validator
 * with product {@code dv_single} (DV, 10.00 a year, 1 or 2 years; approvers always allowed) and
 * the real {@link OrderService}; the events it publishes are kept in {@link #events}.
 */
public final class OrderFixture {

    /** The database. */
    public final JdbcTemplate jdbc;
    /** Transactions on it. */
    public final TransactionTemplate tx;
    /** The ledger. */
    public final LedgerService ledger;
    /** Order storage. */
    public final OrderRepository repository;
    /** The catalog ({@code dv_single}). */
    public final ProductCatalog catalog;
    /** The order lifecycle. */
    public final OrderService orders;
    /** Events published by {@link #orders}, in order. */
    public final List<Object> events = new ArrayList<>();

    /** @param clock the clock of the ledger and the orders */
    public OrderFixture(Clock clock) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/common").load().migrate();
        jdbc = new JdbcTemplate(ds);
        tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        ledger = new LedgerService(jdbc, clock);
        ledger.createAccountIfAbsent("demo", "USD", Money.parse("25.00", "USD"));
        ledger.createAccountIfAbsent("other", "USD", Money.parse("100.00", "USD"));
        HubProperties props = new HubProperties();
        props.getCatalog().getProducts().put("dv_single", OrderValidatorTest.product("DV", false, 1, List.of(1, 2), "10.00"));
        ApproverRule approvers = mock(ApproverRule.class);
        when(approvers.allowed(any(), anyList(), any())).thenReturn(true);
        catalog = new ProductCatalog(props);
        OrderValidator validator = new OrderValidator(catalog, new CsrParser(), approvers);
        repository = new OrderRepository(jdbc);
        orders = new OrderService(repository, validator, ledger, tx, clock, JsonMapper.builder().findAndAddModules().build(), events::add);
    }

    /**
     * @param ref    client reference (its lower case + {@code .example.com} is the domain)
     * @param handle {@code process} (submitted) or {@code save}
     * @param period years
     * @param csr    the CSR's PEM, for that domain
     * @return an order document of product {@code dv_single}, DNS validation, admin {@code admin@example.com}
     */
    public static OrderDocument order(String ref, String handle, int period, String csr) {
        return OrderValidatorTest.doc(ref, "dv_single", handle, period, ref.toLowerCase() + ".example.com", null, csr, "dns", null,
            OrderValidatorTest.contacts("admin@example.com"));
    }

    /**
     * @param sql  a {@code select count(*)}
     * @param args its arguments
     * @return the count
     */
    public long count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Long.class, args);
    }
}
