/**
 * The certificate inventory (issue 13 §1): every issued certificate as a record of its own
 * (table {@code certificate}, Flyway V16) with its facts, listed and exported per account.
 */
package io.certhub.certificate;
