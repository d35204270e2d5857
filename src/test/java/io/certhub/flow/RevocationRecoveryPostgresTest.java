package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link RevocationRecoveryTest} on a real PostgreSQL server (migration V25 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class RevocationRecoveryPostgresTest extends RevocationRecoveryTest {
}
