package io.certhub.dcv;

import io.certhub.names.DomainNames;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.stereotype.Component;

/**
 * The constructed approver addresses of CA/B Forum Baseline Requirements 3.2.2.4.4 ("Constructed
 * Email to Domain Contact").
 *
 * <p>For a name, the local parts {@code admin}, {@code administrator}, {@code webmaster},
 * {@code hostmaster} and {@code postmaster} at the name and at each parent down to and including
 * its base (registrable) domain ({@link RegistrableDomains#authorizationDomains(String)}); never at
 * a public suffix ({@code admin@co.uk}, {@code admin@com} are never offered). A wildcard
 * {@code *.shop.example.com} is validated through {@code shop.example.com}. Names are in ACE
 * ({@code xn--}) form.
 *
 * <p>They are {@code usable} while today (from the injected {@link Clock}, as a UTC date) is before
 * {@link DcvProperties#getConstructedSunset()} (2028-03-15: BR 3.2.2.4.4 MUST NOT be used from
 * then on, SHOULD NOT from 2026-03-15; ballot SC-090); after that they are still listed, with
 * {@code usable: false}, so the reseller sees why they are refused.
 */
@Component
public class ConstructedApprovers {

    /** The local parts allowed by BR 3.2.2.4.4, in the order they are offered. */
    public static final List<String> LOCAL_PARTS =
            List.of("admin", "administrator", "webmaster", "hostmaster", "postmaster");

    /** From this date BR 3.2.2.4.4 SHOULD NOT be used (ballot SC-090); only named in notes. */
    static final LocalDate DISCOURAGED_FROM = LocalDate.of(2026, 3, 15);

    private final DcvProperties properties;
    private final Clock clock;

    /**
     * Creates the builder.
     *
     * @param properties the configuration (the sunset date)
     * @param clock      today's source (tests pass a fixed clock)
     */
    public ConstructedApprovers(DcvProperties properties, Clock clock) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The constructed candidates for a domain, most specific name first, the five local parts per
     * name in {@link #LOCAL_PARTS} order.
     *
     * @param domain a domain as typed (any case, Unicode or ACE, {@code *.} allowed)
     * @return the candidates, all of type {@value ApproverCandidate#CONSTRUCTED}; empty when the
     *         name is itself a public suffix or has no registrable domain
     * @throws IllegalArgumentException when {@code domain} is not a valid DNS name
     *                                  ({@link DomainNames#normalise(String)})
     */
    public List<ApproverCandidate> forDomain(String domain) {
        String name = DomainNames.normalise(domain);
        List<String> names = RegistrableDomains.authorizationDomains(name);
        boolean usable = isUsable();
        String note = note(usable);
        List<ApproverCandidate> out = new ArrayList<>(names.size() * LOCAL_PARTS.size());
        for (String n : names) {
            for (String local : LOCAL_PARTS) {
                out.add(new ApproverCandidate(local + "@" + n, ApproverCandidate.CONSTRUCTED, usable, note));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Whether constructed addresses may be used today.
     *
     * @return {@code true} while today (UTC date of the clock) is before the sunset date
     */
    public boolean isUsable() {
        return LocalDate.now(clock).isBefore(properties.getConstructedSunset());
    }

    private String note(boolean usable) {
        LocalDate sunset = properties.getConstructedSunset();
        if (!usable) {
            return "Constructed address (BR 3.2.2.4.4): not usable since " + sunset
                    + " (CA/B ballot SC-090); validate by DNS or HTTP instead";
        }
        String discouraged = LocalDate.now(clock).isBefore(DISCOURAGED_FROM) ? ""
                : "; discouraged (SHOULD NOT) since " + DISCOURAGED_FROM;
        return "Constructed address (BR 3.2.2.4.4): usable until " + sunset.minusDays(1)
                + ", MUST NOT be used from " + sunset + " (CA/B ballot SC-090)" + discouraged;
    }
}
