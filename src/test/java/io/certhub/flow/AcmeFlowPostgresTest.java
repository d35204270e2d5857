package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link AcmeFlowTest} on a real PostgreSQL server (migration V26 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class AcmeFlowPostgresTest extends AcmeFlowTest {
}
