package io.certhub.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class's hubs on the real PostgreSQL of {@link TestPostgres} instead of the embedded
 * H2: every {@link RunningHub} made while the class runs gets a fresh database of its own (a
 * restart keeps it). Used by the {@code *PostgresTest} subclasses of the flow tests, which run the
 * same test methods on PostgreSQL. When PostgreSQL cannot be had the class is skipped (JUnit
 * assumption naming {@link TestPostgres#INSTALL}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(OnPostgres.Switch.class)
public @interface OnPostgres {

    /** Turns {@link RunningHub}'s PostgreSQL mode on before the class's {@code @BeforeAll} and off after it. */
    final class Switch implements BeforeAllCallback, AfterAllCallback {

        @Override
        public void beforeAll(ExtensionContext context) {
            TestPostgres.assumeAvailable();           // skips the class here when PostgreSQL is missing
            RunningHub.usePostgres(context.getRequiredTestClass().getSimpleName());
        }

        @Override
        public void afterAll(ExtensionContext context) {
            RunningHub.usePostgres(null);
        }
    }
}
