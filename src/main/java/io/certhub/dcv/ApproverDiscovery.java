package io.certhub.dcv;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.util.concurrent.UncheckedExecutionException;
import io.certhub.names.DomainNames;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Approver discovery: who may approve an email-DCV order for a domain
 * ({@code GET /api/v1/approvers?domain=&productType=}, and the order-time rule
 * {@code APPROVER_NOT_ALLOWED}; shared/CONTRACT.md, issue 5).
 *
 * <p>{@link #discover(String, String)} merges, without duplicate addresses and in this order:
 * <ol>
 *   <li>the constructed addresses ({@link ConstructedApprovers}, BR 3.2.2.4.4): usable until
 *       2028-03-15 (ballot SC-090);</li>
 *   <li>the domain owner's contacts from public registration data, type
 *       {@value ApproverCandidate#RDAP} or {@value ApproverCandidate#WHOIS}: RDAP first
 *       ({@link RdapClient}), WHOIS as fallback ({@link WhoisClient}) when the TLD has no RDAP
 *       service or RDAP fails. Always {@code usable: false}: CAs may not rely on WHOIS/RDAP
 *       contacts since 2025-07-15 (BR 3.2.2.4.2, ballot SC-080); they are shown so the reseller
 *       sees who owns the domain. While {@code hub.dcv.lookups-enabled} is off (the sandbox) the
 *       owner comes from {@code hub.dcv.sandbox-owners} instead;</li>
 *   <li>the vendor's list ({@link VendorApproverSource} bean or
 *       {@link #setVendorSource(BiFunction)}), type {@value ApproverCandidate#VENDOR}. An owner
 *       contact that the vendor lists as usable becomes usable ("unless a vendor explicitly
 *       accepts it"); a constructed address keeps the hub's verdict.</li>
 * </ol>
 *
 * <p>Lookups never fail discovery: an outage, a throttled server or any other failure is logged
 * and the owner contacts are left out (the constructed list remains). Owner lookups are cached
 * per registered domain for {@code hub.dcv.cache-ttl} (a Guava cache whose clock is the injected
 * {@link Clock}); temporary failures and partial answers are not cached.
 *
 * <p>Thread-safe.
 */
@Component
public class ApproverDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(ApproverDiscovery.class);

    /** Note of an owner contact: why it is shown but refused. */
    static final String OWNER_RULE = "not usable as a DCV approver: CAs may not rely on WHOIS/RDAP domain contacts"
            + " since 2025-07-15 (BR 3.2.2.4.2, CA/B ballot SC-080)";

    private final DcvProperties properties;
    private final ConstructedApprovers constructed;
    private final RdapClient rdap;
    private final WhoisClient whois;
    private final ObjectProvider<VendorApproverSource> vendorBeans;
    private final Cache<String, OwnerLookup> owners;
    private volatile BiFunction<String, String, List<ApproverCandidate>> vendorSource;

    /**
     * Creates the discovery service (Spring constructor).
     *
     * @param properties  the configuration ({@code hub.dcv.*})
     * @param constructed the constructed-address builder
     * @param rdap        the RDAP client
     * @param whois       the WHOIS client
     * @param clock       the cache's time source
     * @param vendorBeans an optional {@link VendorApproverSource} bean, looked up at each call
     */
    @Autowired
    public ApproverDiscovery(DcvProperties properties, ConstructedApprovers constructed, RdapClient rdap,
                             WhoisClient whois, Clock clock, ObjectProvider<VendorApproverSource> vendorBeans) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.constructed = Objects.requireNonNull(constructed, "constructed");
        this.rdap = rdap;
        this.whois = whois;
        this.vendorBeans = vendorBeans;
        long ttlNanos = Math.max(0, properties.getCacheTtl().toNanos());
        this.owners = CacheBuilder.newBuilder()
                .expireAfterWrite(ttlNanos, TimeUnit.NANOSECONDS)
                .maximumSize(ttlNanos == 0 ? 0 : 10_000)
                .ticker(clockTicker(Objects.requireNonNull(clock, "clock")))
                .build();
    }

    /**
     * Creates the discovery service without a vendor bean (tests; a vendor list can still be set
     * with {@link #setVendorSource(BiFunction)}).
     *
     * @param properties  the configuration ({@code hub.dcv.*})
     * @param constructed the constructed-address builder
     * @param rdap        the RDAP client ({@code null} when lookups are disabled)
     * @param whois       the WHOIS client ({@code null} when lookups are disabled)
     * @param clock       the cache's time source
     */
    public ApproverDiscovery(DcvProperties properties, ConstructedApprovers constructed, RdapClient rdap,
                             WhoisClient whois, Clock clock) {
        this(properties, constructed, rdap, whois, clock, null);
    }

    /**
     * Sets the vendor's approver list, replacing any {@link VendorApproverSource} bean.
     *
     * @param source {@code (domain, productType) -> candidates}, see
     *               {@link VendorApproverSource#approvers(String, String)}; {@code null} goes back
     *               to the bean, if any
     */
    public void setVendorSource(BiFunction<String, String, List<ApproverCandidate>> source) {
        this.vendorSource = source;
    }

    /**
     * The approver candidates for one domain: constructed first, then the owner's contacts, then
     * the vendor's list; no address twice.
     *
     * @param domain      the domain as ordered or typed (any case, Unicode or ACE, {@code *.}
     *                    allowed)
     * @param productType the vendor product type, passed to the vendor's list; may be {@code null}
     * @return the candidates ({@code [{email, type, usable, note}]}); empty for a public suffix
     *         such as {@code co.uk} (unless the vendor lists something)
     * @throws IllegalArgumentException when {@code domain} is not a valid DNS name (never for a
     *                                  lookup failure: those fall back to the constructed list)
     */
    public List<ApproverCandidate> discover(String domain, String productType) {
        String name = DomainNames.normalise(domain);
        Map<String, ApproverCandidate> merged = new LinkedHashMap<>();
        Optional<OwnerLookup> owner = safeOwner(name);
        String unregistered = unregisteredWarning(owner);
        for (ApproverCandidate c : constructed.forDomain(name)) {
            merged.putIfAbsent(c.email(), unregistered == null ? c
                : new ApproverCandidate(c.email(), c.type(), c.usable(), c.note() + " " + unregistered));
        }
        for (ApproverCandidate c : ownerCandidates(owner)) {
            merged.putIfAbsent(c.email(), c);
        }
        for (ApproverCandidate c : vendorCandidates(name, productType)) {
            ApproverCandidate existing = merged.get(c.email());
            if (existing == null) {
                merged.put(c.email(), c);
            } else if (c.usable() && !existing.usable() && !ApproverCandidate.CONSTRUCTED.equals(existing.type())) {
                merged.put(c.email(), new ApproverCandidate(existing.email(), existing.type(), true,
                        "Domain owner's contact accepted as an approver by the vendor's own list; the hub alone"
                                + " would not offer it (BR 3.2.2.4.2, CA/B ballot SC-080)"));
            }
        }
        return List.copyOf(merged.values());
    }

    /**
     * The order-time rule: whether an email-DCV order's approver is a usable candidate for every
     * ordered domain.
     *
     * @param email       the order's {@code approverEmail} (any case; IDN domain allowed)
     * @param domains     every domain the order covers (common name and additional domains)
     * @param productType the vendor product type
     * @return {@code true} when {@code email} is a {@code usable} candidate of
     *         {@link #discover(String, String)} for each domain; {@code false} for a missing or
     *         malformed address or an empty domain list
     * @throws IllegalArgumentException when a domain is not a valid DNS name
     */
    public boolean isUsableApprover(String email, List<String> domains, String productType) {
        Optional<String> address = EmailAddresses.normalise(email);
        if (address.isEmpty() || domains == null || domains.isEmpty()) {
            return false;
        }
        return allowedApprovers(domains, productType).contains(address.get());
    }

    /**
     * The addresses an email-DCV order covering these domains may name as its approver: those
     * usable for every domain, in the order of the first domain's candidates. This is the list
     * named in a 422 {@code APPROVER_NOT_ALLOWED}.
     *
     * @param domains     every domain the order covers
     * @param productType the vendor product type
     * @return the allowed addresses (lower case, ACE domains); empty when none is usable for all
     *         domains, or when {@code domains} is empty
     * @throws IllegalArgumentException when a domain is not a valid DNS name
     */
    public List<String> allowedApprovers(List<String> domains, String productType) {
        if (domains == null || domains.isEmpty()) {
            return List.of();
        }
        Set<String> allowed = null;
        for (String domain : new LinkedHashSet<>(domains)) {
            Set<String> usable = new LinkedHashSet<>();
            for (ApproverCandidate c : discover(domain, productType)) {
                if (c.usable()) {
                    usable.add(c.email());
                }
            }
            if (allowed == null) {
                allowed = usable;
            } else {
                allowed.retainAll(usable);
            }
            if (allowed.isEmpty()) {
                break;
            }
        }
        return List.copyOf(allowed);
    }

    /**
     * The domain owner as found for a domain: from the cache, the lookups (RDAP, then WHOIS) or,
     * while lookups are disabled, {@code hub.dcv.sandbox-owners}.
     *
     * @param domain a domain (any form accepted by {@link DomainNames#normalise(String)})
     * @return the owner lookup of the domain's registered domain; empty when the name has no
     *         registered domain, or every lookup failed (logged)
     * @throws IllegalArgumentException when {@code domain} is not a valid DNS name
     */
    public Optional<OwnerLookup> owner(String domain) {
        String name = DomainNames.normalise(domain);
        String bare = DomainNames.isWildcard(name) ? name.substring(2) : name;
        if (!properties.isLookupsEnabled()) {
            return sandboxOwner(bare);
        }
        Optional<String> registered = RegistrableDomains.registeredDomain(bare);
        if (registered.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(owners.get(registered.get(), () -> lookUp(registered.get())));
        } catch (ExecutionException | UncheckedExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NotCached notCached) {
                return Optional.ofNullable(notCached.result);
            }
            LOG.warn("Approver discovery: owner lookup of {} failed, offering the constructed addresses only",
                    registered.get(), cause);
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.warn("Approver discovery: owner lookup of {} failed, offering the constructed addresses only",
                    registered.get(), e);
            return Optional.empty();
        }
    }

    /**
     * The domain owner as already known, without any lookup: the cached answer of an earlier
     * {@link #owner(String)} (or, while lookups are disabled, the sandbox configuration). Never
     * waits on the network, so the order path may call it.
     *
     * @param domain a domain (any form accepted by {@link DomainNames#normalise(String)})
     * @return the cached lookup of the name's registered domain; empty when nothing is cached yet
     *         (or the name has no registered domain)
     * @throws IllegalArgumentException when {@code domain} is not a valid DNS name
     */
    public Optional<OwnerLookup> cachedOwner(String domain) {
        String name = DomainNames.normalise(domain);
        String bare = DomainNames.isWildcard(name) ? name.substring(2) : name;
        if (!properties.isLookupsEnabled()) {
            return sandboxOwner(bare);
        }
        return RegistrableDomains.registeredDomain(bare).map(owners::getIfPresent);
    }

    /**
     * Whether a lookup says the domain is not registered, and in what words (issue 11 §5).
     *
     * @param lookup an owner lookup
     * @return e.g. {@code "WHOIS (whois.verisign-grs.com) says no-such.com is not registered"};
     *         empty unless its status is {@link OwnerLookup.Status#NOT_FOUND}
     */
    public static Optional<String> notRegistered(OwnerLookup lookup) {
        if (lookup == null || lookup.status() != OwnerLookup.Status.NOT_FOUND) {
            return Optional.empty();
        }
        return Optional.of((ApproverCandidate.RDAP.equals(lookup.source()) ? "RDAP" : "WHOIS")
            + (lookup.server() == null ? "" : " (" + lookup.server() + ")") + " says " + lookup.domain() + " is not registered");
    }

    /** Forgets every cached owner lookup. */
    public void clearCache() {
        owners.invalidateAll();
    }

    /**
     * @return a warning for the notes when the registry says the name's registered domain is not
     *         registered (WHOIS "No match", RDAP 404; issue 11 §5): mail to it cannot arrive, so the
     *         approval email would never be read; null otherwise (also when the lookup failed)
     */
    private static String unregisteredWarning(Optional<OwnerLookup> lookup) {
        return lookup.flatMap(ApproverDiscovery::notRegistered)
            .map(words -> "Warning: " + words + "; mail to it cannot be delivered until it is.")
            .orElse(null);
    }

    private Optional<OwnerLookup> safeOwner(String name) {
        try {
            return owner(name);
        } catch (RuntimeException e) {
            LOG.warn("Approver discovery: owner lookup for {} failed", name, e);
            return Optional.empty();
        }
    }

    private List<ApproverCandidate> ownerCandidates(Optional<OwnerLookup> lookup) {
        if (lookup.isEmpty()) {
            return List.of();
        }
        OwnerLookup o = lookup.get();
        String from = !properties.isLookupsEnabled()
                ? "the sandbox configuration (hub.dcv.sandbox-owners; lookups are disabled)"
                : (ApproverCandidate.RDAP.equals(o.source()) ? "RDAP" : "WHOIS")
                        + (o.server() == null ? "" : " (" + o.server() + ")");
        List<ApproverCandidate> out = new ArrayList<>();
        for (OwnerContact c : o.contacts()) {
            out.add(new ApproverCandidate(c.email(), c.source(), false,
                    "Domain owner's " + c.role() + " contact for " + o.domain() + " from " + from + "; " + OWNER_RULE));
        }
        return out;
    }

    private List<ApproverCandidate> vendorCandidates(String name, String productType) {
        BiFunction<String, String, List<ApproverCandidate>> source = vendorSource;
        if (source == null && vendorBeans != null) {
            VendorApproverSource bean = vendorBeans.getIfAvailable();
            if (bean != null) {
                source = bean::approvers;
            }
        }
        if (source == null) {
            return List.of();
        }
        List<ApproverCandidate> list;
        try {
            list = source.apply(name, productType);
        } catch (RuntimeException e) {
            LOG.warn("Approver discovery: the vendor's approver list for {} failed, leaving it out", name, e);
            return List.of();
        }
        List<ApproverCandidate> out = new ArrayList<>();
        for (ApproverCandidate c : list == null ? List.<ApproverCandidate>of() : list) {
            if (c == null) {
                continue;
            }
            Optional<String> email = EmailAddresses.normalise(c.email());
            if (email.isEmpty()) {
                LOG.debug("Approver discovery: ignoring the vendor's malformed address '{}'", c.email());
                continue;
            }
            String note = c.note() == null || c.note().isBlank() ? "From the vendor's approver list" : c.note();
            out.add(new ApproverCandidate(email.get(), c.type(), c.usable(), note));
        }
        return out;
    }

    /** RDAP first, WHOIS as fallback; throws {@link NotCached} for results that must not be cached. */
    private OwnerLookup lookUp(String registered) {
        DcvLookupException rdapFailure = null;
        if (rdap != null) {
            try {
                Optional<OwnerLookup> r = rdap.lookup(registered);
                if (r.isPresent()) {
                    if (r.get().partial()) {
                        throw new NotCached(r.get());
                    }
                    return r.get();
                }
            } catch (DcvLookupException e) {
                rdapFailure = e;
                LOG.info("Approver discovery: RDAP lookup of {} failed ({}), trying WHOIS: {}", registered,
                        e.isTemporary() ? "temporary" : "permanent", e.getMessage());
            }
        }
        if (whois == null) {
            throw new NotCached(null);
        }
        try {
            OwnerLookup w = whois.lookup(registered);
            if (w.partial()) {
                throw new NotCached(w);
            }
            return w;
        } catch (DcvLookupException e) {
            boolean temporary = e.isTemporary() || (rdapFailure != null && rdapFailure.isTemporary());
            LOG.warn("Approver discovery: WHOIS lookup of {} failed too ({}{}), offering the constructed addresses only: {}",
                    registered, temporary ? "temporary, not cached" : "permanent",
                    e.getRetryAfter().map(d -> ", retry after " + d.toSeconds() + " s").orElse(""), e.getMessage());
            if (temporary) {
                throw new NotCached(null);
            }
            return new OwnerLookup(registered, ApproverCandidate.WHOIS, OwnerLookup.Status.NO_SERVICE, List.of(), 0,
                    null, false);
        }
    }

    private Optional<OwnerLookup> sandboxOwner(String name) {
        Map<String, String> configured = properties.getSandboxOwners();
        if (configured == null || configured.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> byName = new LinkedHashMap<>();
        configured.forEach((k, v) -> {
            if (k != null && DomainNames.isValid(k)) {
                byName.putIfAbsent(DomainNames.normalise(k), v);
            }
        });
        String current = name;
        while (true) {
            String email = byName.get(current);
            if (email != null) {
                List<OwnerContact> contacts = Redaction.address(email)
                        .map(e -> List.of(new OwnerContact(e, OwnerContact.REGISTRANT, ApproverCandidate.WHOIS)))
                        .orElse(List.of());
                return Optional.of(new OwnerLookup(current, ApproverCandidate.WHOIS, OwnerLookup.Status.FOUND,
                        contacts, contacts.isEmpty() ? 1 : 0, null, false));
            }
            int dot = current.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            current = current.substring(dot + 1);
        }
    }

    private static Ticker clockTicker(Clock clock) {
        return new Ticker() {
            @Override
            public long read() {
                // instant(), not millis(): the hub's clock is Clock.tick(…, 1 µs), whose millis()
                // divides by the tick's whole milliseconds (0) and threw ArithmeticException on
                // every cached lookup, so no owner (and no "not registered") ever came back
                java.time.Instant now = clock.instant();
                return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
            }
        };
    }

    /** Carries a lookup result (or none) that must not be cached out of the cache loader. */
    private static final class NotCached extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient OwnerLookup result;

        NotCached(OwnerLookup result) {
            super(null, null, false, false);
            this.result = result;
        }
    }
}
