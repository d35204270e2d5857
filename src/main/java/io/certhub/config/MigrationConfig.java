package io.certhub.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.pattern.ValidatePattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Which Flyway migrations a hub applies (issue 12, section 1). The hub's own tables are in
 * {@code spring.flyway.locations} ({@code classpath:db/migration/common}); the sandbox vendor's
 * tables ({@link #SANDBOX_VERSIONS}) live in {@value #SANDBOX_LOCATION} of the sandbox add-on
 * ({@code src/sandbox/resources}), which adds that location when {@code hub.sandbox.enabled=true}, so a
 * production database never gets them. Sandbox and common migrations share one version sequence
 * (the files kept their numbers and bytes, so databases made before the split still validate).
 *
 * <p>With the sandbox off, a database once started with the sandbox on (an old release, or a
 * sandbox trial on the production database) holds applied sandbox migrations that the hub no
 * longer resolves, which Flyway's validation refuses ("applied migration not resolved locally").
 * The hub then sets {@code ignoreMigrationPatterns = *:missing} and, before migrating, checks that
 * every such missing migration is one of the sandbox's own versions: a missing <em>common</em>
 * migration (a deleted or renamed file, a jar older than the database) still stops start-up with
 * an {@link IllegalStateException} naming the versions. The sandbox's tables stay in such a
 * database, unused.
 */
@Configuration(proxyBeanMethods = false)
public class MigrationConfig {

    /** Flyway location of the sandbox vendor's tables. */
    public static final String SANDBOX_LOCATION = "classpath:db/migration/sandbox";


    /**
     * The versions of the sandbox add-on's migrations ({@value #SANDBOX_LOCATION} in {@code src/sandbox/resources}):
     * the hub knows them without the add-on (the production jar carries none of its files), so a database
     * that once ran the sandbox still starts. {@code MigrationConfigTest} checks this list against the files.
     */
    public static final Set<String> SANDBOX_VERSIONS = Set.of("3", "6", "19", "23");

    /**
     * @param sandbox {@code hub.sandbox.enabled}
     * @return with the sandbox off, ignores applied-but-missing migrations (checked by {@link #checkedMigration});
     *         with it on nothing (the add-on adds its location, {@code SandboxAutoConfiguration})
     */
    @Bean
    public FlywayConfigurationCustomizer sandboxMigrations(@Value("${hub.sandbox.enabled:false}") boolean sandbox) {
        return c -> {
            if (!sandbox) {
                List<ValidatePattern> patterns = new ArrayList<>(Arrays.asList(c.getIgnoreMigrationPatterns()));
                patterns.add(ValidatePattern.fromPattern("*:missing"));
                c.ignoreMigrationPatterns(patterns.toArray(ValidatePattern[]::new));
            }
        };
    }

    /**
     * @param sandbox {@code hub.sandbox.enabled}
     * @return migrate, after refusing (sandbox off) applied-but-missing migrations other than the sandbox's
     */
    @Bean
    public FlywayMigrationStrategy checkedMigration(@Value("${hub.sandbox.enabled:false}") boolean sandbox) {
        return flyway -> {
            if (!sandbox) {
                refuseMissingCommonMigrations(flyway);
            }
            flyway.migrate();
        };
    }

    static void refuseMissingCommonMigrations(Flyway flyway) {
        Set<String> sandboxVersions = SANDBOX_VERSIONS;
        Set<String> missing = new TreeSet<>();
        for (MigrationInfo m : flyway.info().all()) {
            boolean isMissing = m.getState() == MigrationState.MISSING_SUCCESS || m.getState() == MigrationState.MISSING_FAILED;
            if (isMissing && m.getVersion() != null && !sandboxVersions.contains(m.getVersion().getVersion())) {
                missing.add(m.getVersion().getVersion() + " (" + m.getDescription() + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the database has migrations applied that this hub does not have: " + missing
                + "; it was made by a newer release, or a migration file was removed from db/migration/common");
        }
    }
}
