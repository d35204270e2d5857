package io.certhub.config;

import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * TLS trust of the vendor calls (camel-http, route {@code vendor-opensrs-call}): with
 * {@code hub.vendor.opensrs.trusted-roots} ({@code HUB_VENDOR_OPENSRS_TRUSTED_ROOTS}: PEM files,
 * comma-separated) the vendor's HTTPS certificate must chain to one of those roots (a vendor
 * endpoint, a test vendor or a TLS-intercepting proxy with a private CA); without it the JVM's
 * default trust store applies. camel-http's default host name verifier (RFC 2818/6125) stays on;
 * nothing here ever trusts all certificates. The roots go on every camel-http component: the
 * vendor call is the hub's only camel-http use (RDAP lookups use {@code java.net.http} with the
 * JVM's trust store, {@code io.certhub.dcv.RdapClient}).
 */
@Configuration(proxyBeanMethods = false)
public class VendorTlsConfig {

    /**
     * @param roots PEM file paths, comma-separated, or empty
     * @return a customizer putting the roots on camel-http's {@code http} and {@code https}
     *         components (disabled while {@code roots} is empty)
     * @throws IllegalStateException naming {@code hub.vendor.opensrs.trusted-roots} when a file cannot be read
     */
    @Bean
    public ComponentCustomizer vendorTrust(@Value("${hub.vendor.opensrs.trusted-roots:}") String roots) {
        SSLContextParameters tls = TlsTrust.fromPemFiles("hub.vendor.opensrs.trusted-roots (HUB_VENDOR_OPENSRS_TRUSTED_ROOTS)", roots);
        return TlsTrust.customizer(HttpComponent.class, tls, c -> c.setSslContextParameters(tls));
    }
}
