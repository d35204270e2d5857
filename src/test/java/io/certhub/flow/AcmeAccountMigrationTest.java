package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.support.TestPostgres;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Flyway V27 (one ACME account per reseller account) on a database made up to V26 with the hub's
 * one ACME account and an order it placed, on H2 (MODE=PostgreSQL) and PostgreSQL: the account is
 * kept as account {@code ''} (the hub's, read for the orders it made), the order is bound to it,
 * and each reseller account can then have one account per directory (a second is refused).
 */
class AcmeAccountMigrationTest {

    @TempDir
    Path dir;

    @Test
    void h2KeepsTheHubsAccountForItsOrders() {
        upgrade(new String[] {"jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", ""});
    }

    @Test
    void postgresKeepsTheHubsAccountForItsOrders() {
        upgrade(new String[] {TestPostgres.newDatabase("acme27"), TestPostgres.USER, ""});
    }

    void upgrade(String[] ds) {
        Flyway.configure().dataSource(ds[0], ds[1], ds[2]).locations("classpath:db/migration/common").target("26").load().migrate();
        JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(ds[0], ds[1], ds[2]));
        Timestamp t0 = Timestamp.from(Instant.parse("2026-12-01T10:00:00Z"));
        String dirUrl = "https://acme.example-ca.com/directory";
        db.update("insert into acme_account(directory_url, key_pem, location, created_at) values (?, 'KEY', 'https://acme.example-ca.com/acct/1', ?)",
            dirUrl, t0);
        db.update("insert into acme_order(id, order_id, location, created_at) values ('A00000000000000000001', 'order-1',"
            + " 'https://acme.example-ca.com/order/1', ?)", t0);

        Flyway.configure().dataSource(ds[0], ds[1], ds[2]).locations("classpath:db/migration/common").load().migrate();

        Map<String, Object> account = db.queryForMap("select directory_url, account_id, key_pem, location from acme_account");
        assertThat(account).containsEntry("directory_url", dirUrl).containsEntry("account_id", "").containsEntry("key_pem", "KEY")
            .containsEntry("location", "https://acme.example-ca.com/acct/1");
        assertThat(db.queryForObject("select account_id from acme_order where id = 'A00000000000000000001'", String.class)).isEmpty();

        db.update("insert into acme_account(directory_url, account_id, key_pem, location, created_at) values (?, 'demo', 'K2', 'https://acme.example-ca.com/acct/2', ?)",
            dirUrl, t0);
        db.update("insert into acme_account(directory_url, account_id, key_pem, location, created_at) values (?, 'other', 'K3', 'https://acme.example-ca.com/acct/3', ?)",
            dirUrl, t0);
        assertThatThrownBy(() -> db.update("insert into acme_account(directory_url, account_id, key_pem, location, created_at)"
            + " values (?, 'demo', 'K4', 'https://acme.example-ca.com/acct/4', ?)", dirUrl, t0)).isInstanceOf(DuplicateKeyException.class);
        assertThat(db.queryForObject("select count(*) from acme_account", Integer.class)).isEqualTo(3);
    }
}
