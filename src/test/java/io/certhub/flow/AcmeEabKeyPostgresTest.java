package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link AcmeEabKeyTest} on a real PostgreSQL server (migration V29 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class AcmeEabKeyPostgresTest extends AcmeEabKeyTest {
}
