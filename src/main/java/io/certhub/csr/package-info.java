/**
 * Certificate signing requests (PKCS#10, RFC 2986) as resellers send them: tolerant PEM
 * reading (RFC 7468), verification of the self-signature and of the key strength
 * (CA/Browser Forum Baseline Requirements 6.1.5 and 6.1.6), extraction of the names
 * (subject CN and SAN dNSName entries, RFC 5280 §4.2.1.6) and a canonical PEM form to store and
 * to send to vendors.
 *
 * <p>Entry point: {@link io.certhub.csr.CsrParser}.
 */
package io.certhub.csr;
