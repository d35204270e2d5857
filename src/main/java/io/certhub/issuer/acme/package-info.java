/**
 * The ACME vendor adapter (issue 15 §1): orders certificates from an RFC 8555 CA with acme4j —
 * the hub's account with External Account Binding, dns-01 records shown to the customer and
 * checked in DNS before the CA validates, finalize with the order's CSR, the chain downloaded.
 * {@link io.certhub.issuer.acme.AcmeAdapter} is its entry point.
 */
package io.certhub.issuer.acme;
