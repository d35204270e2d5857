package io.certhub.dcv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.names.DomainNames;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Looks up a domain's owner contacts with RDAP, the Registration Data Access Protocol.
 *
 * <p>The service is found in the bootstrap file (RFC 9224, {@link RdapBootstrap},
 * {@code hub.dcv.rdap-bootstrap}); the query is {@code GET <base>domain/<name>} (RFC 9082 §3.1.3)
 * with {@code Accept: application/rdap+json}; the answer is a domain object (RFC 9083 §5.3).
 * Owner contacts are the entities with the role {@code registrant}, {@code administrative} or
 * {@code technical} (RFC 9083 §10.2.4), at any nesting depth, and their addresses are the
 * {@code email} properties of their jCard {@code vcardArray} (RFC 7095). Redacted values, web-form
 * URLs and privacy-proxy addresses are dropped ({@link Redaction}; RFC 9537 redaction).
 *
 * <p>A thin gTLD registry (Verisign for .com/.net) has no contacts: when the registry's answer
 * has none but a {@code links} entry with {@code rel: "related"} and
 * {@code type: "application/rdap+json"} points at the registrar's RDAP record of the domain, that
 * link is followed (at most {@code hub.dcv.max-referrals} times, never the same URL twice). A
 * failure there keeps the registry's answer, marked {@link OwnerLookup#partial() partial}.
 *
 * <p>Errors: HTTP 404 → {@link OwnerLookup.Status#NOT_FOUND}; HTTP 429 and 5xx, a time-out or a
 * connection failure → a temporary {@link DcvLookupException} carrying the {@code Retry-After}
 * duration when given (seconds or HTTP-date, RFC 9110 §10.2.3); other statuses and unparseable
 * answers → a permanent {@link DcvLookupException}.
 *
 * <p>Thread-safe.
 */
@Component
public class RdapClient {

    /** RDAP servers that asked to be left alone (HTTP 429, Retry-After), per host. */
    private final HostPause pauses = new HostPause();

    private static final Logger LOG = LoggerFactory.getLogger(RdapClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4 * 1024 * 1024;
    private static final Set<String> OWNER_ROLES =
            Set.of(OwnerContact.REGISTRANT, OwnerContact.ADMINISTRATIVE, OwnerContact.TECHNICAL);

    private final DcvProperties properties;
    private final RdapBootstrap bootstrap;
    private final Clock clock;
    private final HttpClient http;

    /**
     * Creates the client, reading the bootstrap file from {@code hub.dcv.rdap-bootstrap}.
     *
     * @param properties the configuration (bootstrap file, time-out, referral limit)
     * @param clock      the time source, for {@code Retry-After} dates
     * @throws IllegalStateException when the bootstrap file cannot be read or parsed
     */
    @Autowired
    public RdapClient(DcvProperties properties, Clock clock) {
        this(properties, RdapBootstrap.load(properties.getRdapBootstrap()), clock);
    }

    /**
     * Creates the client with a given bootstrap registry (tests point it at a loopback server).
     *
     * @param properties the configuration (time-out, referral limit)
     * @param bootstrap  the bootstrap registry
     * @param clock      the time source, for {@code Retry-After} dates
     */
    public RdapClient(DcvProperties properties, RdapBootstrap bootstrap, Clock clock) {
        this.properties = properties;
        this.bootstrap = bootstrap;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.getTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * Whether the bootstrap file names an RDAP service for the domain's TLD.
     *
     * @param domain a normalised domain name
     * @return {@code true} when {@link #lookup(String)} has a server to ask
     */
    public boolean serves(String domain) {
        return bootstrap.baseUrlFor(domain).isPresent();
    }

    /**
     * Looks up the owner contacts of a registered domain.
     *
     * @param domain a registered domain ({@code example.co.uk}), any case, Unicode or ACE
     * @return empty when the bootstrap file has no RDAP service for the TLD (ask WHOIS instead);
     *         otherwise the answer, {@link OwnerLookup.Status#NOT_FOUND} on HTTP 404
     * @throws DcvLookupException temporary on 429, 5xx, time-out or connection failure (with the
     *                            {@code Retry-After} when given); permanent on any other status or
     *                            an unparseable answer
     * @throws IllegalArgumentException when {@code domain} is not a valid domain name
     */
    public Optional<OwnerLookup> lookup(String domain) {
        String name = DomainNames.normalise(domain);
        Optional<URI> base = bootstrap.baseUrlFor(name);
        if (base.isEmpty()) {
            return Optional.empty();
        }
        URI url = base.get().resolve("domain/" + name);
        JsonNode answer = fetch(url, name);
        if (answer == null) {
            return Optional.of(new OwnerLookup(name, ApproverCandidate.RDAP, OwnerLookup.Status.NOT_FOUND,
                    List.of(), 0, url.toString(), false));
        }
        Map<String, OwnerContact> contacts = new LinkedHashMap<>();
        int redacted = readContacts(answer, contacts);
        String server = url.toString();
        boolean partial = false;
        Set<String> seen = new HashSet<>();
        seen.add(server);
        int referrals = 0;
        while (contacts.isEmpty() && referrals < properties.getMaxReferrals()) {
            Optional<URI> related = relatedLink(answer, seen);
            if (related.isEmpty()) {
                break;
            }
            referrals++;
            seen.add(related.get().toString());
            try {
                JsonNode next = fetch(related.get(), name);
                if (next == null) {
                    LOG.info("RDAP: {} answered 404 for {}, keeping the registry's answer", related.get(), name);
                    partial = true;
                    break;
                }
                answer = next;
                server = related.get().toString();
                redacted += readContacts(answer, contacts);
            } catch (DcvLookupException e) {
                LOG.info("RDAP: related link {} for {} failed, keeping the registry's answer: {}",
                        related.get(), name, e.getMessage());
                partial = true;
                break;
            }
        }
        return Optional.of(new OwnerLookup(name, ApproverCandidate.RDAP, OwnerLookup.Status.FOUND,
                List.copyOf(contacts.values()), redacted, server, partial));
    }

    /** GETs one RDAP URL; {@code null} on 404. */
    private JsonNode fetch(URI url, String name) {
        String host = String.valueOf(url.getHost());
        java.util.Optional<Duration> paused = pauses.remaining(host);
        if (paused.isPresent()) {
            throw DcvLookupException.temporary("RDAP server " + host + " asked to be left alone for " + paused.get().toSeconds()
                    + " s more: not queried", paused.get(), null);
        }
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(properties.getTimeout())
                .header("Accept", "application/rdap+json, application/json;q=0.9")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
        } catch (IOException e) {
            throw DcvLookupException.temporary("RDAP query " + url + " failed: " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DcvLookupException.temporary("RDAP query " + url + " was interrupted", null, e);
        }
        int status = response.statusCode();
        if (status == 404) {
            return null;
        }
        if (status == 429 || status >= 500) {
            Duration retryAfter = retryAfter(response.headers().firstValue("Retry-After").orElse(null));
            if (status == 429 || retryAfter != null) {
                pauses.pause(host, retryAfter);          // per host: no query to it before then (issue 11 §3)
            }
            throw DcvLookupException.temporary("RDAP server " + url + " answered HTTP " + status
                    + (status == 429 ? " (too many requests)" : "")
                    + (retryAfter == null ? "" : ", retry after " + retryAfter.toSeconds() + " s"), retryAfter, null);
        }
        if (status != 200) {
            throw DcvLookupException.permanent("RDAP server " + url + " answered HTTP " + status + " for " + name, null);
        }
        if (body.length > MAX_BODY) {
            throw DcvLookupException.permanent("RDAP answer from " + url + " is larger than " + MAX_BODY + " bytes", null);
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw DcvLookupException.permanent("RDAP answer from " + url + " is not a JSON object", null);
            }
            return root;
        } catch (IOException e) {
            throw DcvLookupException.permanent("RDAP answer from " + url + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the owner contacts of an RDAP domain object into {@code out} (keyed by address, first
     * role wins) and counts the owner contacts that offered no usable address.
     */
    static int readContacts(JsonNode domainObject, Map<String, OwnerContact> out) {
        int[] redacted = {0};
        walk(domainObject.get("entities"), out, redacted, 0);
        return redacted[0];
    }

    private static void walk(JsonNode entities, Map<String, OwnerContact> out, int[] redacted, int depth) {
        if (entities == null || !entities.isArray() || depth > 8) {
            return;
        }
        for (JsonNode entity : entities) {
            List<String> roles = new ArrayList<>();
            for (JsonNode r : entity.path("roles")) {
                String role = r.asText().toLowerCase(Locale.ROOT);
                if (OWNER_ROLES.contains(role)) {
                    roles.add(role);
                }
            }
            if (!roles.isEmpty()) {
                roles.sort((a, b) -> Integer.compare(rank(a), rank(b)));
                boolean any = false;
                for (String value : emails(entity.get("vcardArray"))) {
                    Optional<String> address = Redaction.address(value);
                    if (address.isPresent()) {
                        any = true;
                        out.putIfAbsent(address.get(), new OwnerContact(address.get(), roles.get(0), ApproverCandidate.RDAP));
                    }
                }
                if (!any) {
                    redacted[0]++;
                }
            }
            walk(entity.get("entities"), out, redacted, depth + 1);
        }
    }

    private static int rank(String role) {
        return switch (role) {
            case OwnerContact.REGISTRANT -> 0;
            case OwnerContact.ADMINISTRATIVE -> 1;
            default -> 2;
        };
    }

    /** The values of the {@code email} properties of a jCard ({@code ["vcard", [[name, params, type, value…], …]]}). */
    private static List<String> emails(JsonNode vcardArray) {
        List<String> out = new ArrayList<>();
        if (vcardArray == null || !vcardArray.isArray() || vcardArray.size() < 2) {
            return out;
        }
        for (JsonNode property : vcardArray.get(1)) {
            if (!property.isArray() || property.size() < 4
                    || !"email".equalsIgnoreCase(property.get(0).asText())) {
                continue;
            }
            for (int i = 3; i < property.size(); i++) {
                JsonNode v = property.get(i);
                if (v.isTextual()) {
                    out.add(v.asText());
                } else if (v.isArray()) {
                    v.forEach(x -> out.add(x.asText()));
                }
            }
        }
        return out;
    }

    /** The first not yet visited {@code rel: related} RDAP link to a domain record. */
    private static Optional<URI> relatedLink(JsonNode answer, Set<String> seen) {
        for (JsonNode link : answer.path("links")) {
            String rel = link.path("rel").asText("");
            String type = link.path("type").asText("");
            String href = link.path("href").asText("");
            if (!"related".equalsIgnoreCase(rel) || !type.toLowerCase(Locale.ROOT).startsWith("application/rdap+json")
                    || !href.contains("/domain/") || seen.contains(href)) {
                continue;
            }
            try {
                URI uri = URI.create(href);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null) {
                    return Optional.of(uri);
                }
            } catch (IllegalArgumentException e) {
                LOG.debug("RDAP: ignoring malformed related link {}", href);
            }
        }
        return Optional.empty();
    }

    /** Parses a Retry-After value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
    Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
