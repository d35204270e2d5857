package io.certhub.dcv;

import io.certhub.names.DomainNames;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Looks up a domain's owner contacts over WHOIS (RFC 3912, TCP port 43), with Apache Commons Net's
 * {@link org.apache.commons.net.whois.WhoisClient}.
 *
 * <p>Every lookup starts at {@code hub.dcv.whois-server} ({@code whois.iana.org}; BR 3.2.2.4.2
 * requires starting at IANA and following referrals since 2025-01-15, never a hard-coded server
 * table) and follows the referral each answer names ({@code refer:}, {@code whois:},
 * {@code Registrar WHOIS Server:}, {@code Whois Server:}): IANA → the TLD registry → the
 * registrar. At most {@code hub.dcv.max-referrals} referrals are followed; a server named a second
 * time ends the chain (loop detection). The first server's own answer (IANA's TLD record, with the
 * TLD manager's contacts) never contributes contacts. Answers are read by {@link WhoisAnswer}.
 *
 * <p>Queries are the registered domain in ACE form; two registries get their documented
 * variants: {@code whois.jprs.jp} gets {@code <name>/e} (English answer), {@code whois.denic.de}
 * gets {@code -T dn,ace <name>}; {@code whois.verisign-grs.com} gets {@code domain <name>} (only
 * domain records, no name-server records).
 *
 * <p>Failures: no reply, a blank reply, a throttling notice ("limit exceeded", "quota exceeded",
 * "try again later", "too many requests"), a time-out or a refused connection are temporary
 * {@link DcvLookupException}s, never "no such domain"; an answer that is neither a record nor a
 * "no match" is a permanent one. When the registry has answered and only the registrar's server
 * fails, the registry's answer is returned marked {@link OwnerLookup#partial() partial}.
 *
 * <p>Thread-safe: every lookup uses its own connections.
 */
@Component
public class WhoisClient {

    /** Servers that asked to be left alone, and for how long (per hub instance). */
    private final HostPause pauses = new HostPause();

    private static final Logger LOG = LoggerFactory.getLogger(WhoisClient.class);
    private static final int MAX_ANSWER = 1024 * 1024;

    private final DcvProperties properties;
    private final Function<String, InetSocketAddress> resolver;

    /**
     * Creates the client: each server name is reached on {@code hub.dcv.whois-port}.
     *
     * @param properties the configuration (start server, port, referral limit, time-out)
     */
    @Autowired
    public WhoisClient(DcvProperties properties) {
        this(properties, host -> InetSocketAddress.createUnresolved(host, properties.getWhoisPort()));
    }

    /**
     * Creates the client with a resolver from server names to socket addresses; tests map the
     * names in canned answers ({@code whois.verisign-grs.com}) to loopback ports.
     *
     * @param properties the configuration (start server, referral limit, time-out)
     * @param resolver   gives the address to connect to for a server name (lower case); an
     *                   unresolved address is resolved when connecting
     */
    public WhoisClient(DcvProperties properties, Function<String, InetSocketAddress> resolver) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * Looks up the owner contacts of a registered domain, following referrals from IANA.
     *
     * @param domain a registered domain ({@code example.com}), any case, Unicode or ACE
     * @return the answer: {@link OwnerLookup.Status#FOUND} with the usable contacts (possibly none,
     *         as redacted data has none), {@link OwnerLookup.Status#NOT_FOUND} when the registry
     *         (or IANA, for an unknown TLD) says so, {@link OwnerLookup.Status#NO_SERVICE} when the
     *         first server names no WHOIS server for the TLD
     * @throws DcvLookupException temporary when the first server or the registry is throttling,
     *                            silent, unreachable or too slow; permanent when the registry's
     *                            answer cannot be read
     * @throws IllegalArgumentException when {@code domain} is not a valid domain name
     */
    public OwnerLookup lookup(String domain) {
        String name = DomainNames.normalise(domain);
        String server = properties.getWhoisServer().strip().toLowerCase(Locale.ROOT);
        Set<String> seen = new HashSet<>();
        seen.add(server);
        Map<String, OwnerContact> contacts = new LinkedHashMap<>();
        int redacted = 0;
        int hop = 0;
        boolean recordSeen = false;
        boolean partial = false;
        String lastServer = server;
        while (true) {
            WhoisAnswer answer;
            try {
                answer = ask(server, name);
            } catch (DcvLookupException e) {
                if (!recordSeen) {
                    throw e;
                }
                LOG.info("WHOIS: referral {} for {} failed, keeping the registry's answer: {}", server, name, e.getMessage());
                partial = true;
                break;
            }
            if (answer.notFound()) {
                if (recordSeen) {
                    LOG.info("WHOIS: {} does not know {}, keeping the registry's answer", server, name);
                    partial = true;
                    break;
                }
                return new OwnerLookup(name, ApproverCandidate.WHOIS, OwnerLookup.Status.NOT_FOUND, List.of(), 0,
                        server, false);
            }
            if (hop > 0) {
                answer.contacts().forEach(c -> contacts.putIfAbsent(c.email(), c));
                redacted += answer.redactedContacts();
                if (answer.domainRecord() || !answer.contacts().isEmpty()) {
                    recordSeen = true;
                    lastServer = server;
                }
            }
            String current = server;
            String next = answer.referral().filter(r -> !r.equals(current)).orElse(null);
            if (next == null) {
                break;
            }
            if (seen.contains(next)) {
                LOG.warn("WHOIS: referral loop for {}: {} refers back to {}, stopping", name, server, next);
                break;
            }
            if (hop >= properties.getMaxReferrals()) {
                LOG.info("WHOIS: referral limit {} reached for {} at {}", properties.getMaxReferrals(), name, server);
                break;
            }
            seen.add(next);
            server = next;
            hop++;
        }
        if (hop == 0) {
            return new OwnerLookup(name, ApproverCandidate.WHOIS, OwnerLookup.Status.NO_SERVICE, List.of(), 0,
                    server, false);
        }
        if (!recordSeen) {
            throw DcvLookupException.permanent("WHOIS: no domain record for " + name + " in the answers of "
                    + seen + "; the format is not understood", null);
        }
        return new OwnerLookup(name, ApproverCandidate.WHOIS, OwnerLookup.Status.FOUND,
                List.copyOf(contacts.values()), redacted, lastServer, partial);
    }

    /** One query to one server, read and classified; throttled and empty answers throw. */
    private WhoisAnswer ask(String server, String name) {
        java.util.Optional<java.time.Duration> paused = pauses.remaining(server);
        if (paused.isPresent()) {
            throw DcvLookupException.temporary("WHOIS server " + server + " asked to be left alone for "
                    + paused.get().toSeconds() + " s more: not queried", paused.get(), null);
        }
        String text = exchange(server, queryFor(server, name));
        WhoisAnswer answer = WhoisAnswer.parse(text);
        if (answer.empty()) {
            pauses.pause(server, null);
            throw DcvLookupException.temporary("WHOIS server " + server + " sent an empty reply for " + name
                    + " (often a silent rate limit): retry later", HostPause.DEFAULT, null);
        }
        if (answer.throttled()) {
            java.time.Duration wait = HostPause.named(text);
            pauses.pause(server, wait);
            throw DcvLookupException.temporary("WHOIS server " + server + " is throttling queries: "
                    + firstLine(text), wait == null ? HostPause.DEFAULT : wait, null);
        }
        return answer;
    }

    /**
     * The query string a server expects for a domain (RFC 3912 leaves it to each server).
     *
     * @param server the server's host name, lower case
     * @param name   the domain in ACE form
     * @return the query line, without the CR LF
     */
    static String queryFor(String server, String name) {
        return switch (server) {
            case "whois.jprs.jp" -> name + "/e";
            case "whois.denic.de" -> "-T dn,ace " + name;
            case "whois.verisign-grs.com" -> "domain " + name;
            default -> name;
        };
    }

    /**
     * Sends one query line and reads the reply until the server closes the connection (RFC 3912
     * §2). The reply is decoded as UTF-8, or as ISO-8859-1 when it is not valid UTF-8.
     */
    String exchange(String server, String query) {
        InetSocketAddress address = resolver.apply(server);
        org.apache.commons.net.whois.WhoisClient whois = new org.apache.commons.net.whois.WhoisClient();
        int timeout = (int) Math.min(Integer.MAX_VALUE, properties.getTimeout().toMillis());
        whois.setConnectTimeout(timeout);
        whois.setDefaultTimeout(timeout);
        byte[] bytes;
        try {
            if (address.isUnresolved()) {
                whois.connect(address.getHostString(), address.getPort());
            } else {
                whois.connect(address.getAddress(), address.getPort());
            }
            whois.setSoTimeout(timeout);
            try (InputStream in = whois.getInputStream(query)) {
                bytes = in.readNBytes(MAX_ANSWER);
            }
        } catch (IOException e) {
            throw DcvLookupException.temporary("WHOIS query '" + query + "' to " + server + " (" + address
                    + ") failed: " + e, null, e);
        } finally {
            try {
                whois.disconnect();
            } catch (IOException e) {
                LOG.debug("WHOIS: closing the connection to {} failed", server, e);
            }
        }
        return decode(bytes);
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static String firstLine(String text) {
        for (String line : text.split("\r\n|\r|\n")) {
            if (!line.isBlank()) {
                String l = line.strip();
                return l.length() > 200 ? l.substring(0, 200) + "…" : l;
            }
        }
        return "";
    }
}
