package io.certhub.intake;

import io.certhub.support.OnPostgres;

/** {@link FileIntakeTest} on a real PostgreSQL server ({@link io.certhub.support.TestPostgres}). */
@OnPostgres
class FileIntakePostgresTest extends FileIntakeTest {
}
