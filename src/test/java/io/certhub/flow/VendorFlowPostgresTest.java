package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link VendorFlowTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}). */
@OnPostgres
class VendorFlowPostgresTest extends VendorFlowTest {
}
