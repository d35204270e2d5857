package io.certhub.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.sandbox.SandboxAutoConfiguration;
import io.certhub.support.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The sandbox's migrations in their own location (issue 12, section 1), through Flyway as the
 * hub configures it ({@link MigrationConfig}), on H2 and on PostgreSQL: a production start
 * (sandbox off) makes none of the sandbox's tables; a production start on a database an old
 * sandbox start made validates and migrates (the sandbox's V3, V6 applied but missing are
 * ignored); a missing migration that is not the sandbox's is still refused.
 */
class MigrationConfigTest {

    @TempDir
    Path dir;

    /** Flyway as Spring Boot builds it from config/application.yml, then the hub's customizer and (sandbox on) the add-on's. */
    static Flyway hubFlyway(String[] ds, boolean sandbox, String... locations) {
        FluentConfiguration c = Flyway.configure().dataSource(ds[0], ds[1], ds[2])
            .locations(locations.length == 0 ? new String[] {"classpath:db/migration/common"} : locations);
        new MigrationConfig().sandboxMigrations(sandbox).customize(c);
        if (sandbox && locations.length == 0) {
            new SandboxAutoConfiguration().sandboxMigrationLocation().customize(c);
        }
        return c.load();
    }

    static void migrateAsTheHub(Flyway flyway, boolean sandbox) {
        new MigrationConfig().checkedMigration(sandbox).migrate(flyway);
    }

    String[] h2() {
        return new String[] {"jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", ""};
    }

    static String[] postgres() {
        return new String[] {TestPostgres.newDatabase("migration"), TestPostgres.USER, ""};
    }

    static List<String> tables(String[] ds, String like) {
        return new JdbcTemplate(new DriverManagerDataSource(ds[0], ds[1], ds[2]))
            .queryForList("select table_name from information_schema.tables where table_name like ? order by table_name", String.class, like);
    }

    @Test
    void h2SandboxOffMakesNoSandboxTableAndSandboxOnDoes() {
        sandboxOffMakesNoSandboxTableAndSandboxOnDoes(h2(), new String[] {"jdbc:h2:file:" + dir.resolve("db2") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", ""});
    }

    @Test
    void postgresSandboxOffMakesNoSandboxTableAndSandboxOnDoes() {
        sandboxOffMakesNoSandboxTableAndSandboxOnDoes(postgres(), postgres());
    }

    void sandboxOffMakesNoSandboxTableAndSandboxOnDoes(String[] production, String[] sandbox) {
        migrateAsTheHub(hubFlyway(production, false), false);
        assertThat(tables(production, "sandbox%")).isEmpty();
        assertThat(tables(production, "orders")).containsExactly("orders");
        migrateAsTheHub(hubFlyway(sandbox, true), true);
        assertThat(tables(sandbox, "sandbox%")).containsExactly("sandbox_certificate", "sandbox_mail_outbox", "sandbox_order");
    }

    @Test
    void h2ProductionStartsOnADatabaseMadeByAnOldSandboxStart() {
        productionStartsOnADatabaseMadeByAnOldSandboxStart(h2());
    }

    @Test
    void postgresProductionStartsOnADatabaseMadeByAnOldSandboxStart() {
        productionStartsOnADatabaseMadeByAnOldSandboxStart(postgres());
    }

    void productionStartsOnADatabaseMadeByAnOldSandboxStart(String[] ds) {
        // the previous release: V1..V6 from one location, sandbox tables included
        Flyway.configure().dataSource(ds[0], ds[1], ds[2])
            .locations("classpath:db/migration/common", "classpath:db/migration/sandbox").target("6").load().migrate();
        // without the customizer Flyway refuses it: V3 and V6 are applied but not resolved
        Flyway plain = Flyway.configure().dataSource(ds[0], ds[1], ds[2]).locations("classpath:db/migration/common").load();
        assertThatThrownBy(plain::validate).isInstanceOf(FlywayValidateException.class).hasMessageContaining("not resolved locally");
        // the hub with the sandbox off validates and migrates it
        Flyway production = hubFlyway(ds, false);
        migrateAsTheHub(production, false);
        assertThat(production.info().pending()).isEmpty();
        assertThat(tables(ds, "sandbox_order")).containsExactly("sandbox_order");   // left as it was, unused
    }

    @Test
    void h2AMissingMigrationThatIsNotTheSandboxsIsRefused() {
        aMissingMigrationThatIsNotTheSandboxsIsRefused(h2());
    }

    @Test
    void postgresAMissingMigrationThatIsNotTheSandboxsIsRefused() {
        aMissingMigrationThatIsNotTheSandboxsIsRefused(postgres());
    }

    void aMissingMigrationThatIsNotTheSandboxsIsRefused(String[] ds) {
        migrateAsTheHub(hubFlyway(ds, true), true);
        // a hub that resolves none of the common migrations (files removed, a jar older than the database):
        // they are named, the sandbox's (resolved or not) are not
        Flyway withoutCommon = hubFlyway(ds, false, "classpath:db/migration/sandbox");
        assertThatThrownBy(() -> migrateAsTheHub(withoutCommon, false)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("1 (foundation)").hasMessageContaining("4 (mailbox and delivery)").hasMessageNotContaining("sandbox vendor");
    }

    /** The hub's list of the add-on's versions is the add-on's files (src/sandbox/resources/db/migration/sandbox). */
    @Test
    void theSandboxVersionsTheHubKnowsAreTheAddOnsFiles() throws Exception {
        Set<String> files = new TreeSet<>();
        for (Resource r : new PathMatchingResourcePatternResolver().getResources(MigrationConfig.SANDBOX_LOCATION + "/*.sql")) {
            Matcher m = Pattern.compile("^V([0-9._]+)__.*\\.sql$").matcher(String.valueOf(r.getFilename()));
            assertThat(m.matches()).as(r.getFilename()).isTrue();
            files.add(m.group(1).replace('_', '.'));
        }
        assertThat(files).containsExactlyInAnyOrder("3", "6", "19", "23");
        assertThat(MigrationConfig.SANDBOX_VERSIONS).isEqualTo(files);
    }
}
