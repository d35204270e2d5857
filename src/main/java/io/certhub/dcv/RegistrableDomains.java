package io.certhub.dcv;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InternetDomainName;
import io.certhub.names.DomainNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a DNS name stops being "the customer's": the registrable domain, from the Public Suffix
 * List (PSL) as bundled with Guava's {@link InternetDomainName} (never a hand-made list).
 *
 * <p>Two cuts are used, for two purposes:
 * <ul>
 *   <li>{@link #baseDomain(String)}: the name directly under a <em>public</em> suffix (PSL ICANN
 *       and private sections; the BR's "Base Domain Name"). Constructed approvers are built down
 *       to this name and never past it: never {@code admin@co.uk}, never {@code admin@com},
 *       never {@code admin@github.io}.</li>
 *   <li>{@link #registeredDomain(String)}: the name directly under a <em>registry</em> suffix (PSL
 *       ICANN section only): what a registry holds a registration for, so what WHOIS and RDAP are
 *       asked about ({@code foo.blogspot.com} → {@code blogspot.com}).</li>
 * </ul>
 *
 * <p>A TLD the PSL does not list (e.g. the reserved {@code .example}) follows the PSL's default
 * rule {@code *}: the TLD itself is the public suffix, so {@code xn--bcher-kva.example} is a
 * registrable domain.
 *
 * <p>All methods are static and thread-safe; they take names already normalised by
 * {@link DomainNames#normalise(String)} (lower-case ACE) and without a wildcard label.
 */
public final class RegistrableDomains {

    private RegistrableDomains() {
    }

    /**
     * The base domain of a name: the name directly under its public suffix.
     *
     * <p>{@code sub.shop.example.co.uk} → {@code example.co.uk}; {@code www.example.com} →
     * {@code example.com}; {@code xn--bcher-kva.example} → itself (PSL default rule).
     *
     * @param name a normalised, non-wildcard name
     * @return the base domain, or empty when the name is itself a public suffix ({@code co.uk},
     *         {@code com}) or has no registrable part
     * @throws IllegalArgumentException when the name is not a valid domain name for Guava
     */
    public static Optional<String> baseDomain(String name) {
        InternetDomainName idn = InternetDomainName.from(name);
        if (idn.isPublicSuffix()) {
            return Optional.empty();
        }
        if (idn.isUnderPublicSuffix()) {
            return Optional.of(idn.topPrivateDomain().toString());
        }
        return idn.hasPublicSuffix() ? Optional.empty() : defaultRule(idn);
    }

    /**
     * The registered domain of a name: the name directly under its registry suffix (PSL ICANN
     * section), the object a registry's WHOIS or RDAP service knows.
     *
     * <p>{@code www.example.co.uk} → {@code example.co.uk}; {@code foo.blogspot.com} →
     * {@code blogspot.com}.
     *
     * @param name a normalised, non-wildcard name
     * @return the registered domain, or empty when the name is itself a registry suffix
     * @throws IllegalArgumentException when the name is not a valid domain name for Guava
     */
    public static Optional<String> registeredDomain(String name) {
        InternetDomainName idn = InternetDomainName.from(name);
        if (idn.isRegistrySuffix()) {
            return Optional.empty();
        }
        if (idn.isUnderRegistrySuffix()) {
            return Optional.of(idn.topDomainUnderRegistrySuffix().toString());
        }
        return idn.hasRegistrySuffix() ? Optional.empty() : defaultRule(idn);
    }

    /**
     * The authorisation domain names of a name (BR 3.2.2.4: "pruned" towards the base domain):
     * the name itself and each parent, most specific first, down to and including the base
     * domain. A wildcard's {@code *.} is removed first.
     *
     * <p>{@code sub.shop.example.co.uk} → {@code [sub.shop.example.co.uk, shop.example.co.uk,
     * example.co.uk]}; {@code *.shop.example.com} → {@code [shop.example.com, example.com]};
     * {@code co.uk} → {@code []}.
     *
     * @param normalisedName a name from {@link DomainNames#normalise(String)}, wildcard allowed
     * @return the names, most specific first; empty when there is no base domain
     */
    public static List<String> authorizationDomains(String normalisedName) {
        String name = DomainNames.isWildcard(normalisedName) ? normalisedName.substring(2) : normalisedName;
        Optional<String> base = baseDomain(name);
        if (base.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String current = name;
        while (true) {
            out.add(current);
            if (current.equals(base.get())) {
                return List.copyOf(out);
            }
            current = current.substring(current.indexOf('.') + 1);
        }
    }

    private static Optional<String> defaultRule(InternetDomainName idn) {
        ImmutableList<String> parts = idn.parts();
        if (parts.size() < 2) {
            return Optional.empty();
        }
        return Optional.of(parts.get(parts.size() - 2) + "." + parts.get(parts.size() - 1));
    }
}
