package io.certhub.api;

import io.certhub.support.OnPostgres;

/** {@link OrderRestApiTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}). */
@OnPostgres
class OrderRestApiPostgresTest extends OrderRestApiTest {
}
