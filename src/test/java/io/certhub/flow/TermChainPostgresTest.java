package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link TermChainTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}; skipped without it). */
@OnPostgres
class TermChainPostgresTest extends TermChainTest {
}
