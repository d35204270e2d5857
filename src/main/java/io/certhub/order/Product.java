package io.certhub.order;

import io.certhub.ledger.Money;
import java.util.List;

/**
 * A catalog product, keyed by its OpenSRS {@code product_type} (reference/opensrs-trust-api.md).
 *
 * @param productType  OpenSRS product code, e.g. {@code quickssl_premium}
 * @param name         display name
 * @param validation   DV, OV or EV
 * @param wildcard     whether {@code *.} names are allowed
 * @param instant      issued at once by the vendor (SSL Lite)
 * @param maxDomains   most names per certificate, the main domain included
 * @param periods      allowed periods in years
 * @param pricePerYear price of one year
 * @param issuer       the vendor adapter that serves it ({@code hub.catalog.products.<code>.issuer}; by default
 *                     {@code hub.vendor.name}), e.g. {@code opensrs} or {@code acme} (issue 15)
 * @param dcvMethods   the DCV methods its vendor takes ({@code hub.catalog.products.<code>.dcv-methods}; default
 *                     email, dns, http; an ACME CA has no approver email)
 * @param acmeProfile  the ACME profile its certificates are ordered with ({@code hub.catalog.products.<code>.acme-profile},
 *                     draft-aaron-acme-profiles); null: the CA's default
 */
public record Product(String productType, String name, String validation, boolean wildcard, boolean instant,
                      int maxDomains, List<Integer> periods, Money pricePerYear, String issuer, List<String> dcvMethods,
                      String acmeProfile) {

    /** @return whether organization vetting (and so an organization contact) is needed: OV or EV */
    public boolean organizationValidated() {
        return !"DV".equals(validation);
    }

    /**
     * @param years period in years
     * @return price per year × years
     */
    public Money price(int years) {
        return pricePerYear.times(years);
    }
}
