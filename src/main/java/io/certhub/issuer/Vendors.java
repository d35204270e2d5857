package io.certhub.issuer;

import io.certhub.order.Order;
import io.certhub.order.Product;
import io.certhub.order.ProductCatalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The {@link VendorAdapter}s and which one serves an order (issue 15: one hub sells OpenSRS and
 * ACME products side by side). The default is the adapter named by {@code hub.vendor.name}; a
 * product names another with {@code hub.catalog.products.<code>.issuer}. Start-up fails naming the
 * known adapters when the default or a product's issuer matches none.
 */
@Component
public class Vendors {

    private final VendorAdapter active;
    private final Map<String, VendorAdapter> byName = new LinkedHashMap<>();
    private final ProductCatalog catalog;

    /**
     * @param adapters every adapter bean
     * @param props    vendor configuration ({@code hub.vendor.name})
     * @param catalog  the products (their {@code issuer})
     * @throws IllegalStateException when the default or a product's issuer names no adapter
     */
    public Vendors(List<VendorAdapter> adapters, VendorProperties props, ProductCatalog catalog) {
        adapters.forEach(a -> byName.put(a.name(), a));
        this.catalog = catalog;
        this.active = named(props.getName(), "hub.vendor.name");
        for (Product p : catalog.all()) {
            if (p.issuer() != null) {
                named(p.issuer(), "hub.catalog.products." + p.productType() + ".issuer");
            }
        }
    }

    private VendorAdapter named(String name, String property) {
        VendorAdapter a = byName.get(name);
        if (a == null) {
            throw new IllegalStateException(property + "=" + name + " matches no vendor adapter; known: " + byName.keySet());
        }
        return a;
    }

    /** @return the default vendor's adapter ({@code hub.vendor.name}) */
    public VendorAdapter active() {
        return active;
    }

    /**
     * @param productType an order's product
     * @return the adapter serving it: its {@code issuer}, else the default
     */
    public VendorAdapter forProduct(String productType) {
        return catalog.find(productType).map(Product::issuer).map(byName::get).orElse(active);
    }

    /**
     * @param order an order
     * @return the adapter serving its product
     */
    public VendorAdapter forOrder(Order order) {
        return forProduct(order.productType());
    }
}
