package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link RenewFlowTest} on a real PostgreSQL server (migration V20 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class RenewFlowPostgresTest extends RenewFlowTest {
}
