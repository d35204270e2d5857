package io.certhub.config;

import javax.sql.DataSource;
import org.springframework.boot.actuate.jdbc.DataSourceHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code db} component of {@code /actuator/health} (issue 16, item 4: after H2 ran out of
 * memory every API call answered 500 while health said UP).
 *
 * <p>Spring Boot's own {@code db} indicator only asks the driver whether a pooled connection is
 * valid ({@code Connection.isValid}); H2 answers that from the session without touching its
 * store, so a database whose store failed could stay UP. This one (it replaces Boot's, same
 * name {@code db}) runs {@value #QUERY} through a pooled connection, a read of a hub table that
 * returns one row on PostgreSQL and H2 alike: health is DOWN (HTTP 503) when no connection can be
 * had or the table cannot be read, with the error in {@code components.db.details}.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseHealthConfig {

    /** The probe: one indexed read of the account table, always one row (0 or 1). */
    public static final String QUERY = "select count(*) from account where id = 'health-probe'";

    /**
     * @param dataSource the hub database
     * @return the {@code db} health indicator
     */
    @Bean("dbHealthIndicator")
    public DataSourceHealthIndicator dbHealthIndicator(DataSource dataSource) {
        return new DataSourceHealthIndicator(dataSource, QUERY);
    }
}
