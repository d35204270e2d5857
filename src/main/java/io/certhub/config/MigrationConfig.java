package io.certhub.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.pattern.ValidatePattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Which Flyway migrations a hub applies (issue 12, section 1). The hub's own tables are in
 * {@code spring.flyway.locations} ({@code classpath:db/migration/common}); the sandbox vendor's
 * tables ({@code V3__sandbox_vendor.sql}, {@code V6__sandbox_order_lock_version.sql}) live in
 * {@value #SANDBOX_LOCATION} and are added only when {@code hub.sandbox.enabled=true}, so a
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

    private static final Pattern VERSION = Pattern.compile("^V([0-9._]+)__.*\\.sql$");

    /**
     * @param sandbox {@code hub.sandbox.enabled}
     * @return adds {@value #SANDBOX_LOCATION} (sandbox on) or ignores applied-but-missing migrations (off)
     */
    @Bean
    public FlywayConfigurationCustomizer sandboxMigrations(@Value("${hub.sandbox.enabled:false}") boolean sandbox) {
        return c -> {
            if (sandbox) {
                List<Location> locations = new ArrayList<>(Arrays.asList(c.getLocations()));
                locations.add(new Location(SANDBOX_LOCATION));
                c.locations(locations.toArray(Location[]::new));
            } else {
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
        Set<String> sandboxVersions = sandboxVersions();
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

    /** @return the versions of the migrations in {@value #SANDBOX_LOCATION}, e.g. {@code 3}, {@code 6} */
    static Set<String> sandboxVersions() {
        Set<String> versions = new TreeSet<>();
        try {
            for (Resource r : new PathMatchingResourcePatternResolver().getResources("classpath*:db/migration/sandbox/*.sql")) {
                Matcher m = VERSION.matcher(String.valueOf(r.getFilename()));
                if (m.matches()) {
                    versions.add(m.group(1).replace('_', '.'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return versions;
    }
}
