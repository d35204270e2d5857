package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link SchemaUpgradeTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}). */
@OnPostgres
class SchemaUpgradePostgresTest extends SchemaUpgradeTest {
}
