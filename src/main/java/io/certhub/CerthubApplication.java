package io.certhub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * Certhub: the SSL/TLS certificate order hub for resellers.
 *
 * <p>Start it from the project root: routes are loaded from {@code routes/**}/*.yaml} and the
 * embedded default configuration from {@code config/application.yml}.
 *
 * <p>{@code @SpringBootApplication}'s three parts, with the component scan leaving out
 * {@code io.certhub.sandbox}: the sandbox is an add-on (issue 14 §4, {@code src/sandbox/}) that
 * registers itself as an auto-configuration ({@code io.certhub.sandbox.SandboxAutoConfiguration})
 * where it is on the classpath, and is absent from the production jar.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(excludeFilters = {
    @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
    @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
    @ComponentScan.Filter(type = FilterType.REGEX, pattern = "io\\.certhub\\.sandbox\\..*")})
@ConfigurationPropertiesScan
public class CerthubApplication {

    /**
     * Starts the hub.
     *
     * @param args Spring Boot command-line arguments ({@code --server.port=…}, {@code --hub.data-dir=…})
     */
    public static void main(String[] args) {
        SpringApplication.run(CerthubApplication.class, args);
    }
}
