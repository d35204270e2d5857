/**
 * Outbound connections to addresses that customers or resellers name: the one server-side request
 * forgery rule ({@link io.certhub.net.PublicAddresses}) of webhook deliveries and the ACME http-01
 * check.
 */
package io.certhub.net;
