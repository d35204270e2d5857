package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link AdminDeliverySweepTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}). */
@OnPostgres
class AdminDeliverySweepPostgresTest extends AdminDeliverySweepTest {
}
