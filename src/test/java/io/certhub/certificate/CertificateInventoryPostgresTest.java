package io.certhub.certificate;

import io.certhub.support.OnPostgres;

/** {@link CertificateInventoryTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}). */
@OnPostgres
class CertificateInventoryPostgresTest extends CertificateInventoryTest {
}
