/**
 * The ACME front door (issue 15 §2): the hub as an ACME server (RFC 8555) for the reseller's
 * customers' own ACME clients. So far its External Account Binding keys ({@link io.certhub.acme.EabKeys},
 * {@code /api/v1/acme/eab-keys}) and the server's directory, nonces and accounts
 * ({@link io.certhub.acme.AcmeServer}); orders and challenges follow. Not to be
 * confused with {@code io.certhub.issuer.acme}, the hub as an ACME client of an upstream CA.
 */
package io.certhub.acme;
