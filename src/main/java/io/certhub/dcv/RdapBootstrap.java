package io.certhub.dcv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.core.io.Resource;

/**
 * The RDAP bootstrap registry for the DNS space (RFC 9224): which RDAP service answers for which
 * TLD.
 *
 * <p>File format (IANA publishes it at {@code https://data.iana.org/rdap/dns.json}):
 * <pre>
 * {"version": "1.0", "publication": "…", "description": "…",
 *  "services": [ [["com"], ["https://rdap.verisign.com/com/v1/"]],
 *                [["uk"],  ["https://rdap.nominet.uk/uk/"]], … ]}
 * </pre>
 * Each service is a pair: the DNS labels it serves (lower-case A-labels; a TLD or, per RFC 9224
 * §4, a longer suffix) and its base URLs. The hub ships a hand-written subset in
 * {@code classpath:dcv/rdap-dns.json} (it cannot be downloaded at build time); replace it in
 * production with IANA's file through {@code hub.dcv.rdap-bootstrap}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RdapBootstrap {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, List<URI>> services;
    private final String origin;

    private RdapBootstrap(Map<String, List<URI>> services, String origin) {
        this.services = Map.copyOf(services);
        this.origin = origin;
    }

    /**
     * Reads a bootstrap file.
     *
     * @param resource the file, e.g. {@code classpath:dcv/rdap-dns.json}
     * @return the registry
     * @throws IllegalStateException when the file cannot be read or is not in the RFC 9224 format
     *                               (the message names the file)
     */
    public static RdapBootstrap load(Resource resource) {
        Objects.requireNonNull(resource, "resource");
        try (InputStream in = resource.getInputStream()) {
            return parse(in, resource.getDescription());
        } catch (IOException e) {
            throw new IllegalStateException("RDAP bootstrap file " + resource.getDescription()
                    + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Parses a bootstrap document.
     *
     * @param in     the JSON document (UTF-8)
     * @param origin where it comes from, for messages
     * @return the registry
     * @throws IllegalStateException when the document is not in the RFC 9224 format
     */
    public static RdapBootstrap parse(InputStream in, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("RDAP bootstrap file " + origin + " is not valid JSON: "
                    + e.getMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("services");
        if (list == null || !list.isArray()) {
            throw new IllegalStateException("RDAP bootstrap file " + origin
                    + " has no \"services\" array (RFC 9224 §3)");
        }
        Map<String, List<URI>> services = new HashMap<>();
        for (JsonNode service : list) {
            if (!service.isArray() || service.size() < 2 || !service.get(0).isArray() || !service.get(1).isArray()) {
                throw new IllegalStateException("RDAP bootstrap file " + origin
                        + ": a service is not a pair [[labels…], [URLs…]]: " + service);
            }
            List<URI> urls = new ArrayList<>();
            for (JsonNode u : service.get(1)) {
                String s = u.asText();
                try {
                    URI uri = URI.create(s.endsWith("/") ? s : s + "/");
                    if ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) {
                        urls.add(uri);
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("RDAP bootstrap file " + origin + ": bad URL '" + s + "'", e);
                }
            }
            // RFC 9224 §3: prefer https when a service lists several base URLs
            urls.sort((a, b) -> Boolean.compare(!"https".equalsIgnoreCase(a.getScheme()),
                    !"https".equalsIgnoreCase(b.getScheme())));
            for (JsonNode label : service.get(0)) {
                services.put(label.asText().toLowerCase(Locale.ROOT), List.copyOf(urls));
            }
        }
        return new RdapBootstrap(services, origin);
    }

    /**
     * The base URL of the RDAP service for a domain: the entry with the longest matching label
     * suffix (RFC 9224 §4), its first https URL when it has one.
     *
     * @param domain a normalised domain name ({@code example.co.uk})
     * @return the base URL, ending in {@code /}; empty when no service covers the domain
     */
    public Optional<URI> baseUrlFor(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        while (true) {
            List<URI> urls = services.get(d);
            if (urls != null && !urls.isEmpty()) {
                return Optional.of(urls.get(0));
            }
            int dot = d.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            d = d.substring(dot + 1);
        }
    }

    /** @return how many label entries the file has (each TLD counts once) */
    public int size() {
        return services.size();
    }

    /** @return where the file came from */
    public String origin() {
        return origin;
    }
}
