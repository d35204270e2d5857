package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link DomainRegistrationWarningTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}): table {@code order_warning} (V15). */
@OnPostgres
class DomainRegistrationWarningPostgresTest extends DomainRegistrationWarningTest {
}
