package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link ReissueRevokeFlowTest} on a real PostgreSQL server (migrations V22 and V23 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class ReissueRevokeFlowPostgresTest extends ReissueRevokeFlowTest {
}
