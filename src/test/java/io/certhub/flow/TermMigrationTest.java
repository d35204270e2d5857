package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.pki.TestPki;
import io.certhub.support.TestPostgres;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Flyway V18 (common, the delivery of one certificate) and V19 (sandbox, the vendor's term) on a
 * database made up to V16 with data in it, on H2 (MODE=PostgreSQL) and PostgreSQL (skipped, with
 * the install command, when PostgreSQL is not available): every delivery gets its order's newest
 * certificate, the order's first delivery is that certificate's issuance delivery, a second
 * issuance delivery of one certificate is refused (unique), resends (null) are not; the sandbox's
 * completed orders count one certificate and get no renewal point (no reissue of an order issued
 * under the old rule).
 */
class TermMigrationTest {

    @TempDir
    Path dir;

    @Test
    void h2DeliveriesGetTheirCertificateAndACertificateIsAnnouncedOnce() {
        upgrade(new String[] {"jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", ""});
    }

    @Test
    void postgresDeliveriesGetTheirCertificateAndACertificateIsAnnouncedOnce() {
        upgrade(new String[] {TestPostgres.newDatabase("term"), TestPostgres.USER, ""});
    }

    void upgrade(String[] ds) {
        Flyway.configure().dataSource(ds[0], ds[1], ds[2])
            .locations("classpath:db/migration/common", "classpath:db/migration/sandbox").target("16").load().migrate();
        JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(ds[0], ds[1], ds[2]));
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-20T10:00:00Z"));
        db.update("insert into account(id, currency, balance_minor, held_minor, created_at) values ('legacy', 'USD', 50000, 0, ?)", t0);
        String order = CertificateInventoryUpgradeTest.completedOrder(db, "5b7f4c1e-6a51-4c3e-9d0e-5f1a2b3c4d5e", "LEGACY-TERM", "term.legacy.example.com");
        String bare = CertificateInventoryUpgradeTest.completedOrder(db, "6b7f4c1e-6a51-4c3e-9d0e-5f1a2b3c4d5e", "LEGACY-BARE", "bare.legacy.example.com");
        TestPki.Pki pki = TestPki.create("term.legacy.example.com");
        CertificateInventoryUpgradeTest.insertV16(db, "c1000000-0000-4000-8000-000000000001", order, pki.leaf());
        db.update("update certificate set received_at = ? where id = 'c1000000-0000-4000-8000-000000000001'", t0);
        CertificateInventoryUpgradeTest.insertV16(db, "c2000000-0000-4000-8000-000000000002", order,
            pki.issueLeaf(pki.leafKey(), TestPki.LEAF_FROM, Instant.parse("2027-06-01T00:00:00Z"), "term.legacy.example.com"));
        for (String o : List.of(order, order, bare)) {       // first delivery and a resend of one order; one of an order without certificate row
            db.update("insert into delivery(order_id, recipient, state, attempts, next_at, created_at) values (?, 'a@example.com', 'SENT', 1, ?, ?)", o, t0, t0);
        }
        db.update("insert into sandbox_order(order_id, state, reg_type, product_type, validation, instant, domain, csr, period, dv_auth_method,"
            + " cert_pem, created_at, updated_at) values ('7730001', 'completed', 'new', 'quickssl_premium', 'DV', false, 'x.example.com', 'csr', 2,"
            + " 'email', 'pem', ?, ?)", t0, t0);
        db.update("insert into sandbox_order(order_id, state, reg_type, product_type, validation, instant, domain, csr, period, dv_auth_method,"
            + " created_at, updated_at) values ('7730002', 'pending', 'new', 'quickssl_premium', 'DV', false, 'y.example.com', 'csr', 1, 'email', ?, ?)", t0, t0);

        Flyway.configure().dataSource(ds[0], ds[1], ds[2])
            .locations("classpath:db/migration/common", "classpath:db/migration/sandbox").load().migrate();

        assertThat(db.queryForList("select version from flyway_schema_history where success = true and version in ('18', '19') order by version",
            String.class)).containsExactly("18", "19");
        List<Map<String, Object>> rows = db.queryForList("select order_id, certificate_id, issued_certificate_id from delivery order by id");
        assertThat(rows.get(0)).containsEntry("certificate_id", "c2000000-0000-4000-8000-000000000002")       // the newest received
            .containsEntry("issued_certificate_id", "c2000000-0000-4000-8000-000000000002");
        assertThat(rows.get(1)).containsEntry("certificate_id", "c2000000-0000-4000-8000-000000000002").containsEntry("issued_certificate_id", null);
        assertThat(rows.get(2)).containsEntry("certificate_id", null).containsEntry("issued_certificate_id", null);
        // one issuance delivery per certificate; resends (null) as many as wanted
        assertThatThrownBy(() -> db.update("insert into delivery(order_id, recipient, state, attempts, next_at, created_at, certificate_id,"
            + " issued_certificate_id) values (?, 'a@example.com', 'PENDING', 0, ?, ?, ?, ?)", order, t0, t0,
            "c2000000-0000-4000-8000-000000000002", "c2000000-0000-4000-8000-000000000002")).isInstanceOf(DataIntegrityViolationException.class);
        db.update("insert into delivery(order_id, recipient, state, attempts, next_at, created_at, certificate_id) values (?, 'a@example.com', 'PENDING', 0, ?, ?, ?)",
            order, t0, t0, "c2000000-0000-4000-8000-000000000002");
        db.update("insert into delivery(order_id, recipient, state, attempts, next_at, created_at, certificate_id, issued_certificate_id)"
            + " values (?, 'a@example.com', 'PENDING', 0, ?, ?, ?, ?)", order, t0, t0, "c1000000-0000-4000-8000-000000000001", "c1000000-0000-4000-8000-000000000001");
        assertThat(db.queryForObject("select count(*) from delivery where order_id = ?", Long.class, order)).isEqualTo(4);

        assertThat(db.queryForList("select certificates_issued from sandbox_order order by order_id", Integer.class)).containsExactly(1, 0);
        assertThat(db.queryForList("select renew_at from sandbox_order where renew_at is not null or term_ends_at is not null")).isEmpty();
        assertThat(db.queryForList("select column_name from information_schema.columns where lower(table_name) = 'sandbox_mail_outbox'"
            + " and lower(column_name) in ('cert_pem', 'ca_pem') order by column_name", String.class)).containsExactly("ca_pem", "cert_pem");
    }
}
