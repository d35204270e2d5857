package io.certhub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Certhub: the SSL/TLS certificate order hub for resellers.
 *
 * <p>Start it from the project root: routes are loaded from {@code routes/**}/*.yaml} and the
 * embedded default configuration from {@code config/application.yml}.
 */
@SpringBootApplication
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
