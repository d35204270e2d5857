package io.certhub.order;

import io.certhub.csr.ParsedCsr;
import io.certhub.ledger.Money;
import java.util.List;

/**
 * An order document that passed every rule of {@link OrderValidator}, in normalised form
 * (names lower-case ACE without trailing dot, canonical CSR PEM).
 *
 * @param clientReference   reseller reference
 * @param product           catalog product
 * @param submit            true for {@code handle: process}, false for {@code save}
 * @param period            years
 * @param domain            main name
 * @param additionalDomains SANs besides the main name, de-duplicated, in the given order
 * @param csr               the parsed and verified CSR (canonical PEM inside)
 * @param serverType        apache, nginx, iis, tomcat or other
 * @param approverEmail     lower-cased approver address, or null
 * @param dcvMethod         email, dns or http
 * @param contactsJson      the contacts as compact JSON
 * @param price             price per year × period
 * @param contentHash       hex SHA-256 of the normalised document without {@code handle}: "the same content"
 */
public record ValidatedOrder(String clientReference, Product product, boolean submit, int period, String domain,
                             List<String> additionalDomains, ParsedCsr csr, String serverType, String approverEmail,
                             String dcvMethod, String contactsJson, Money price, String contentHash) {
}
