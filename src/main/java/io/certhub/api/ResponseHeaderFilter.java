package io.certhub.api;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.springframework.stereotype.Component;

/**
 * The header filter of the HTTP endpoints (camel-platform-http, set as the component's
 * {@code header-filter-strategy} in config/application.yml). Request headers reach the routes as
 * usual (Camel's {@link HttpHeaderFilterStrategy}); but of the exchange's headers only a fixed
 * list of response headers is ever written back to the client, so no endpoint echoes what the
 * client sent — {@code X-Api-Key} included, which Camel's generated OpenAPI route used to copy
 * into its answer, where proxies and logs keep it (issue 11 §5).
 */
@Component("responseHeaderFilter")
public class ResponseHeaderFilter implements HeaderFilterStrategy {

    /** Response headers the hub's routes set (lower case); every other exchange header stays inside. */
    static final Set<String> RESPONSE_HEADERS = Set.of("content-type", "location", "retry-after", "content-disposition",
        "cache-control", "etag", "last-modified", "content-language", "vary", "allow", "www-authenticate", "link",
        "replay-nonce");              // the ACME server's nonces (RFC 8555 §6.5.1)

    private final HttpHeaderFilterStrategy inbound = new HttpHeaderFilterStrategy();

    /**
     * Camel → HTTP response: true (left out) for every header not in {@link #RESPONSE_HEADERS}.
     */
    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return headerName == null || !RESPONSE_HEADERS.contains(headerName.toLowerCase(Locale.ROOT));
    }

    /** HTTP request → Camel: Camel's own HTTP filter (its internal headers cannot be injected). */
    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return inbound.applyFilterToExternalHeaders(headerName, headerValue, exchange);
    }
}
