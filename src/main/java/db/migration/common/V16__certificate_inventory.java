package db.migration.common;

import io.certhub.pki.CertificateFacts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * V16, the certificate inventory (issue 13 §1): every stored certificate becomes a record of its
 * own with its facts, and an order may hold several certificates (issue 13 §2: reissues over a
 * multi-year term; §5: revocation).
 *
 * <p>Table {@code certificate} gains {@code id} (UUID string, the API's certificate id, the new
 * primary key; {@code order_id} stays, indexed, no longer unique), {@code account_id},
 * {@code serial_hex}, {@code issuer_dn}, {@code subject_dn}, {@code common_name}, {@code sans}
 * (dNSName/iPAddress SANs lower-cased, space separated with a space before and after, so
 * {@code sans like '% name %'} or a substring {@code like} finds them on H2 and PostgreSQL alike),
 * {@code key_type}, {@code key_size}, {@code not_before} and {@code state} (ACTIVE | SUPERSEDED |
 * REVOKED; EXPIRED is derived on read), {@code revoked_at}; a unique index on {@code leaf_sha256};
 * indexes for the per-account list (newest first) and the expiry scan.
 *
 * <p>Why a Java migration and not a start-up backfill: the facts of the rows stored before must
 * be read from {@code leaf_pem} with a certificate parser, which SQL cannot do; done here, in the
 * migration, they are filled before any hub code reads the table (no code path ever sees a row
 * without facts, so the columns can be NOT NULL), once per database (Flyway's history, shared by
 * every instance of a cluster, with Flyway's lock on PostgreSQL), and a failure stops start-up
 * with the migration marked failed instead of leaving half-filled rows behind. It runs the same
 * statements on H2 (MODE=PostgreSQL) and PostgreSQL; only the name of the old primary key
 * constraint differs, and it is looked up in {@code information_schema}. On PostgreSQL the whole
 * migration is one transaction; H2 commits each DDL statement.
 */
public class V16__certificate_inventory extends BaseJavaMigration {

    private static final Logger LOG = LoggerFactory.getLogger(V16__certificate_inventory.class);

    /**
     * Adds the columns, fills them for every stored certificate, then constrains and indexes them.
     *
     * @param context Flyway's migration context (its connection)
     * @throws SQLException when a statement fails (the migration is then marked failed)
     */
    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("alter table certificate add column id varchar(36)");
            s.execute("alter table certificate add column account_id varchar(64)");
            s.execute("alter table certificate add column serial_hex varchar(128)");
            s.execute("alter table certificate add column issuer_dn varchar(2000)");
            s.execute("alter table certificate add column subject_dn varchar(2000)");
            s.execute("alter table certificate add column common_name varchar(2000)");
            s.execute("alter table certificate add column sans varchar(64000)");
            s.execute("alter table certificate add column key_type varchar(16)");
            s.execute("alter table certificate add column key_size int");
            s.execute("alter table certificate add column not_before timestamp with time zone");
            s.execute("alter table certificate add column state varchar(16) default 'ACTIVE'");
            s.execute("alter table certificate add column revoked_at timestamp with time zone");
        }
        int filled = backfill(c);
        try (Statement s = c.createStatement()) {
            for (String col : List.of("id", "account_id", "serial_hex", "issuer_dn", "subject_dn", "sans", "key_type", "key_size",
                    "not_before", "state")) {
                s.execute("alter table certificate alter column " + col + " set not null");
            }
            // the old key on order_id goes; its foreign key to orders goes first and comes back named
            // (H2 lets that foreign key use the primary key's index, which then still counts as a primary key)
            for (String fk : constraintNames(c, "FOREIGN KEY")) {
                s.execute("alter table certificate drop constraint \"" + fk + "\"");
            }
            for (String pk : constraintNames(c, "PRIMARY KEY")) {
                s.execute("alter table certificate drop constraint \"" + pk + "\"");
            }
            s.execute("alter table certificate add constraint certificate_pk primary key (id)");
            s.execute("alter table certificate add constraint certificate_order_fk foreign key (order_id) references orders(id)");
            s.execute("alter table certificate add constraint certificate_account_fk foreign key (account_id) references account(id)");
            s.execute("create unique index certificate_leaf_sha256 on certificate(leaf_sha256)");
            s.execute("create index certificate_order on certificate(order_id, received_at)");
            s.execute("create index certificate_account_received on certificate(account_id, received_at)");
            s.execute("create index certificate_account_not_after on certificate(account_id, not_after)");
        }
        LOG.info("V16 certificate inventory: facts filled in for {} stored certificate(s)", filled);
    }

    /** Fills id, account and facts of every row, reading each leaf once. */
    private static int backfill(Connection c) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select c.order_id, c.leaf_pem, o.account_id from certificate c join orders o on o.id = c.order_id")) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        try (PreparedStatement u = c.prepareStatement("update certificate set id = ?, account_id = ?, serial_hex = ?, issuer_dn = ?, subject_dn = ?,"
            + " common_name = ?, sans = ?, key_type = ?, key_size = ?, not_before = ?, state = 'ACTIVE' where order_id = ?")) {
            for (String[] row : rows) {
                CertificateFacts f;
                try {
                    f = CertificateFacts.ofPem(row[1]);
                } catch (RuntimeException e) {
                    // every stored leaf passed the completion checks, so this is a damaged row: kept, marked, logged
                    LOG.warn("V16: the stored certificate of order {} cannot be parsed ({}); its facts are left unknown", row[0], e.toString());
                    f = null;
                }
                u.setString(1, UUID.randomUUID().toString());
                u.setString(2, row[2]);
                u.setString(3, f == null ? "" : f.serialHex());
                u.setString(4, f == null ? "" : f.issuerDn());
                u.setString(5, f == null ? "" : f.subjectDn());
                u.setString(6, f == null ? null : f.commonName());
                u.setString(7, f == null ? "" : f.sansColumn());
                u.setString(8, f == null ? "UNKNOWN" : f.keyType());
                u.setInt(9, f == null ? 0 : f.keySize());
                u.setTimestamp(10, f == null ? new Timestamp(0) : Timestamp.from(f.notBefore()));
                u.setString(11, row[0]);
                u.addBatch();
            }
            if (!rows.isEmpty()) {
                u.executeBatch();
            }
        }
        return rows.size();
    }

    /**
     * @param type {@code PRIMARY KEY} or {@code FOREIGN KEY}
     * @return the names of {@code certificate}'s constraints of that type (H2 generates them, e.g. {@code CONSTRAINT_7};
     *         PostgreSQL's are {@code certificate_pkey}, {@code certificate_order_id_fkey})
     */
    private static List<String> constraintNames(Connection c, String type) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("select constraint_name from information_schema.table_constraints"
            + " where lower(table_name) = 'certificate' and constraint_type = ? and table_schema = current_schema")) {
            p.setString(1, type);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }
}
