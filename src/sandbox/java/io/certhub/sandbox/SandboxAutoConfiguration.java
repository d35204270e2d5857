package io.certhub.sandbox;

import io.certhub.cluster.ClusterConfig;
import io.certhub.cluster.JdbcLockClusterService;
import io.certhub.config.HubProperties;
import io.certhub.config.MigrationConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.flywaydb.core.api.Location;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The sandbox add-on (issue 14 §4; shared/CONTRACT.md "Sandbox"): the embedded default's
 * vendor, CA, mail server, movable clock and accounts. Its sources are {@code src/sandbox/}; the
 * production jar ({@code target/certhub-*.jar}) carries none of it, the sandbox jar
 * ({@code target/sandbox/certhub-*-sandbox.jar}), {@code mvn spring-boot:run} and the tests do.
 *
 * <p>Registered as a Spring Boot auto-configuration
 * ({@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports} of the
 * add-on) and made only when {@code hub.sandbox.enabled=true}: the one switch, instead of a
 * condition per class. The hub's component scan leaves {@code io.certhub.sandbox} out
 * ({@code io.certhub.CerthubApplication}); its beans are imported here, under the names their
 * {@code @Component} gives (the route calls {@code sandboxVendor}, {@code sandboxMailer}, …). It brings what the hub
 * needs only with the add-on:
 * <ul>
 *   <li>the {@link Clock} ({@link OffsetClock}, moved by {@code POST /sandbox/clock}; the hub's own
 *       system clock is made only with the sandbox off);</li>
 *   <li>its Flyway location {@value MigrationConfig#SANDBOX_LOCATION} (the sandbox vendor's
 *       tables);</li>
 *   <li>its route {@code routes/sandbox/*.yaml} (the hub's configuration excludes that folder
 *       from {@code camel.main.routes-include-pattern}; this loads it);</li>
 *   <li>the cluster leader policy of its clock route ({@code sandboxVendorClockLeader}).</li>
 * </ul>
 */
@AutoConfiguration
@ConditionalOnProperty(name = "hub.sandbox.enabled", havingValue = "true")
@Import({SandboxAccounts.class, SandboxClock.class, SandboxFaults.class, SandboxMailer.class, SandboxMailServer.class,
    SandboxOrders.class, SandboxVendor.class})
public class SandboxAutoConfiguration {

    /** Folder of the sandbox CA under {@code hub.data-dir}: {@value}. */
    public static final String CA_DIR = "sandbox-ca";

    /** The add-on's routes, loaded when it is on: {@value}. */
    public static final String ROUTES = "file:routes/sandbox/sandbox-vendor.camel.yaml";

    /**
     * The sandbox vendor's throw-away CA, kept under {@code <hub.data-dir>/sandbox-ca} so its
     * root survives restarts (its {@code root.crt} is the trust anchor of sandbox certificates).
     *
     * @param props hub configuration ({@code hub.data-dir})
     * @param clock the hub's clock (validity periods)
     * @return the CA, loaded or made on first use
     * @throws IllegalStateException if the CA folder holds broken files (see {@link SandboxCa#loadOrCreate})
     */
    @Bean
    public SandboxCa sandboxCa(HubProperties props, Clock clock) {
        return SandboxCa.loadOrCreate(caDir(props), clock);
    }

    /**
     * @param props hub configuration
     * @return {@code <hub.data-dir>/sandbox-ca}
     */
    public static Path caDir(HubProperties props) {
        return props.getDataDir().resolve(CA_DIR);
    }

    /**
     * The hub's clock in the sandbox (issue 13 §2): the UTC system clock in microsecond ticks plus
     * an offset that {@code POST /sandbox/clock} grows.
     *
     * @param start {@code hub.sandbox.clock-start}: where the clock starts (ISO 8601 instant), or empty for now
     * @return the movable sandbox clock
     * @throws java.time.format.DateTimeParseException when {@code start} is not an instant (start-up stops)
     */
    @Bean
    @ConditionalOnMissingBean(Clock.class)
    public Clock movableClock(@Value("${hub.sandbox.clock-start:}") String start) {
        Clock base = Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
        Duration offset = Duration.ZERO;
        if (start != null && !start.isBlank()) {
            offset = Duration.between(base.instant(), Instant.parse(start.trim()));
        }
        return new OffsetClock(base, offset);
    }

    /** @return adds {@value MigrationConfig#SANDBOX_LOCATION} to the hub's Flyway locations */
    @Bean
    public FlywayConfigurationCustomizer sandboxMigrationLocation() {
        return c -> {
            List<Location> locations = new ArrayList<>(Arrays.asList(c.getLocations()));
            locations.add(new Location(MigrationConfig.SANDBOX_LOCATION));
            c.locations(locations.toArray(Location[]::new));
        };
    }

    /**
     * @return loads {@value #ROUTES} into the Camel context before its routes start
     */
    @Bean
    public CamelContextConfiguration sandboxRoutes() {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                try {
                    PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveMandatoryResource(camel, ROUTES));
                } catch (Exception e) {
                    throw new IllegalStateException("the sandbox's routes " + ROUTES + " could not be loaded (run from the project root,"
                        + " where routes/ is): " + e.getMessage(), e);
                }
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
                // nothing to do once started
            }
        };
    }

    /**
     * @param clusterService the hub's JDBC cluster service
     * @param camel          the Camel context
     * @return the route policy of route {@code sandbox-vendor-clock} (namespace {@code sandbox-vendor-clock}): one instance ticks
     * @throws Exception when the policy cannot be made
     */
    @Bean
    public ClusteredRoutePolicy sandboxVendorClockLeader(JdbcLockClusterService clusterService, CamelContext camel) throws Exception {
        return ClusterConfig.leaderOnly(clusterService, camel, "sandbox-vendor-clock");
    }
}
