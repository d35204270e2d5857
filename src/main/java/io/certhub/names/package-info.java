/**
 * DNS host names as they appear in certificate orders, CSRs and certificates: normalisation to
 * one canonical ASCII form and the wildcard matching rule of RFC 6125 §6.4.3.
 */
package io.certhub.names;
