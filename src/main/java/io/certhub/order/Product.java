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
 */
public record Product(String productType, String name, String validation, boolean wildcard, boolean instant,
                      int maxDomains, List<Integer> periods, Money pricePerYear) {

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
