package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link CertificateInventoryUpgradeTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}). */
@OnPostgres
class CertificateInventoryUpgradePostgresTest extends CertificateInventoryUpgradeTest {
}
