package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link AcmeOrderFlowTest} on a real PostgreSQL server (migration V31 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class AcmeOrderFlowPostgresTest extends AcmeOrderFlowTest {
}
