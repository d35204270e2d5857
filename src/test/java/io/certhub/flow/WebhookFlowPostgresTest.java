package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link WebhookFlowTest} on a real PostgreSQL server (migration V17 included; {@link io.certhub.support.TestPostgres}). */
@OnPostgres
class WebhookFlowPostgresTest extends WebhookFlowTest {
}
