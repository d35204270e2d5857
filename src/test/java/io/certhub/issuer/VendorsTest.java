package io.certhub.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.certhub.config.HubProperties;
import io.certhub.order.ProductCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Vendors} (issue 15): which adapter serves a product — its {@code issuer}, else
 * {@code hub.vendor.name} — and a start-up that names the known adapters when a product's issuer
 * or the default matches none.
 */
class VendorsTest {

    static HubProperties.ProductProperties product(String issuer) {
        HubProperties.ProductProperties p = new HubProperties.ProductProperties();
        p.setPricePerYear("10.00");
        p.setIssuer(issuer);
        return p;
    }

    static VendorAdapter adapter(String name) {
        VendorAdapter a = mock(VendorAdapter.class);
        when(a.name()).thenReturn(name);
        return a;
    }

    @Test
    void aProductIsServedByItsIssuerElseByTheDefault() {
        HubProperties props = new HubProperties();
        props.getCatalog().getProducts().put("opensrs_dv", product(null));
        props.getCatalog().getProducts().put("acme_dv", product("acme"));
        VendorAdapter opensrs = adapter("opensrs");
        VendorAdapter acme = adapter("acme");
        Vendors vendors = new Vendors(List.of(opensrs, acme), new VendorProperties(), new ProductCatalog(props));

        assertThat(vendors.active()).isSameAs(opensrs);
        assertThat(vendors.forProduct("opensrs_dv")).isSameAs(opensrs);
        assertThat(vendors.forProduct("acme_dv")).isSameAs(acme);
        assertThat(vendors.forProduct("no_such_product")).isSameAs(opensrs);
    }

    @Test
    void aProductNamingNoAdapterStopsTheStart() {
        HubProperties props = new HubProperties();
        props.getCatalog().getProducts().put("x_dv", product("digicert"));
        assertThatThrownBy(() -> new Vendors(List.of(adapter("opensrs"), adapter("acme")), new VendorProperties(), new ProductCatalog(props)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("hub.catalog.products.x_dv.issuer=digicert matches no vendor adapter; known: [opensrs, acme]");
    }
}
