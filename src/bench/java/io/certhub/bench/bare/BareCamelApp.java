package io.certhub.bench.bare;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The start-up baseline of the benchmark: a Spring Boot application with no code of its own and
 * no routes, started from the hub's jar (so with exactly the hub's starters and libraries: Camel
 * core, YAML DSL, platform-http, REST, OpenAPI, Jackson, file, HTTP, mail, JDBC, SQL, Quartz,
 * FreeMarker, Micrometer; Spring web, JDBC, actuator, validation; Flyway, H2). Its component scan
 * covers only this package, so none of the hub's beans, routes or sandbox services are made.
 */
@SpringBootApplication
public class BareCamelApp {

    /** @param args Spring Boot arguments */
    public static void main(String[] args) {
        SpringApplication.run(BareCamelApp.class, args);
    }
}
