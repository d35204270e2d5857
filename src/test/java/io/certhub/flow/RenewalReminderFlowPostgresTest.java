package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link RenewalReminderFlowTest} on a real PostgreSQL server (migration V21 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class RenewalReminderFlowPostgresTest extends RenewalReminderFlowTest {
}
