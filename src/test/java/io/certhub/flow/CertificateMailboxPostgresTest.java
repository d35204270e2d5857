package io.certhub.flow;

import io.certhub.support.OnPostgres;

/** {@link CertificateMailboxTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}). */
@OnPostgres
class CertificateMailboxPostgresTest extends CertificateMailboxTest {
}
