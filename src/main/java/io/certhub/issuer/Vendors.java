package io.certhub.issuer;

import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Picks the {@link VendorAdapter} named by {@code hub.vendor.name} among the adapters on the
 * classpath; start-up fails naming the known ones when none matches.
 */
@Component
public class Vendors {

    private final VendorAdapter active;

    /**
     * @param adapters every adapter bean
     * @param props    vendor configuration
     * @throws IllegalStateException when no adapter has the configured name
     */
    public Vendors(List<VendorAdapter> adapters, VendorProperties props) {
        this.active = adapters.stream().filter(a -> a.name().equals(props.getName())).findFirst()
            .orElseThrow(() -> new IllegalStateException("hub.vendor.name=" + props.getName() + " matches no vendor adapter; known: "
                + adapters.stream().map(VendorAdapter::name).toList()));
    }

    /** @return the configured vendor's adapter */
    public VendorAdapter active() {
        return active;
    }
}
