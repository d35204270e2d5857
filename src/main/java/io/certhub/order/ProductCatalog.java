package io.certhub.order;

import io.certhub.config.HubProperties;
import io.certhub.ledger.Money;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The product catalog from {@code hub.catalog.*} (config/application.yml), keyed by OpenSRS
 * {@code product_type}. Prices are checked at start-up: a bad price stops the hub.
 */
@Component
public class ProductCatalog {

    private final Map<String, Product> products = new LinkedHashMap<>();

    /**
     * @param props hub configuration
     * @throws IllegalStateException when a product lacks a valid price, validation level or period
     */
    public ProductCatalog(HubProperties props) {
        String currency = props.getCatalog().getCurrency();
        props.getCatalog().getProducts().forEach((code, p) -> {
            if (p.getPricePerYear() == null) {
                throw new IllegalStateException("hub.catalog.products." + code + ".price-per-year is missing");
            }
            if (!List.of("DV", "OV", "EV").contains(p.getValidation())) {
                throw new IllegalStateException("hub.catalog.products." + code + ".validation must be DV, OV or EV");
            }
            if (p.getDcvMethods().isEmpty() || !OrderValidator.DCV_METHODS.containsAll(p.getDcvMethods())) {
                throw new IllegalStateException("hub.catalog.products." + code + ".dcv-methods must be some of email, dns, http");
            }
            if (p.getPeriods().isEmpty() || p.getMaxDomains() < 1) {
                throw new IllegalStateException("hub.catalog.products." + code + " needs periods and max-domains ≥ 1");
            }
            products.put(code, new Product(code, p.getName() == null ? code : p.getName(), p.getValidation(), p.isWildcard(),
                p.isInstant(), p.getMaxDomains(), List.copyOf(p.getPeriods()), Money.parse(p.getPricePerYear(), currency), p.getIssuer() == null || p.getIssuer().isBlank() ? null : p.getIssuer().trim(), List.copyOf(p.getDcvMethods()),
                p.getAcmeProfile() == null || p.getAcmeProfile().isBlank() ? null : p.getAcmeProfile().trim()));
        });
    }

    /**
     * @param productType OpenSRS product code
     * @return the product, or empty when unknown
     */
    public Optional<Product> find(String productType) {
        return Optional.ofNullable(productType == null ? null : products.get(productType));
    }

    /** @return every product in catalog order */
    public Collection<Product> all() {
        return new ArrayList<>(products.values());
    }
}
