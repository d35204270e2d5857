package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link AcmeServerTest} on a real PostgreSQL server (migration V30 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class AcmeServerPostgresTest extends AcmeServerTest {
}
