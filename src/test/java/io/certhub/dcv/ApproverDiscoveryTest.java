package io.certhub.dcv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery end to end against loopback RDAP and WHOIS servers. */
class ApproverDiscoveryTest {

    private static final String IANA = "whois.iana.org";

    private FakeRdapServer rdapServer;
    private FakeWhoisServers whoisServers;
    private MutableClock clock;
    private DcvProperties props;
    private ApproverDiscovery discovery;

    @BeforeEach
    void setUp() {
        rdapServer = new FakeRdapServer();
        whoisServers = new FakeWhoisServers();
        clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
        props = new DcvProperties();
        props.setLookupsEnabled(true);
        props.setTimeout(Duration.ofSeconds(2));
        props.setCacheTtl(Duration.ofHours(1));
        discovery = newDiscovery();
    }

    private ApproverDiscovery newDiscovery() {
        return new ApproverDiscovery(props, new ConstructedApprovers(props, clock),
                new RdapClient(props, rdapServer.bootstrap("com", "org", "de"), clock),
                new WhoisClient(props, whoisServers.resolver()), clock);
    }

    @AfterEach
    void tearDown() {
        rdapServer.close();
        whoisServers.close();
    }

    private void exampleComOverRdap() {
        rdapServer.answer("/com/domain/example.com", "verisign-example-com.json")
                .answer("/registrar/domain/EXAMPLE.COM", "registrar-example-com.json");
    }

    @Test
    void constructedFirstThenTheOwnerFromRdapNeverUsable() {
        exampleComOverRdap();

        List<ApproverCandidate> list = discovery.discover("www.example.com", "quickssl_premium");

        assertThat(list).hasSize(11);
        assertThat(list.subList(0, 10)).allSatisfy(c -> {
            assertThat(c.type()).isEqualTo("constructed");
            assertThat(c.usable()).isTrue();
        });
        assertThat(list.get(10)).satisfies(c -> {
            assertThat(c.email()).isEqualTo("owner@example.com");
            assertThat(c.type()).isEqualTo("rdap");
            assertThat(c.usable()).isFalse();
            assertThat(c.note()).contains("registrant", "RDAP", "BR 3.2.2.4.2", "SC-080", "2025-07-15");
        });
        // hostmaster@example.com is both constructed and the RDAP administrative contact: listed once,
        // as constructed
        assertThat(list).extracting(ApproverCandidate::email).doesNotHaveDuplicates()
                .contains("hostmaster@example.com").doesNotContain("abuse@registrar.example");
        assertThat(list).filteredOn(c -> c.email().equals("hostmaster@example.com"))
                .singleElement().satisfies(c -> assertThat(c.type()).isEqualTo("constructed"));
    }

    @Test
    void rdapThrottledFallsBackToWhois() {
        rdapServer.answer("/org/domain/example.org", 429, "error-rate-limited.json", Map.of("Retry-After", "60"));
        whoisServers.answer(IANA, "example.org", "iana-org.txt")
                .answer("whois.publicinterestregistry.org", "example.org", "pir-example-org-host-referral.txt")
                .answer("whois.registrar.example", "example.org", "registrar-example-org.txt");

        List<ApproverCandidate> list = discovery.discover("example.org", null);

        assertThat(list).hasSize(6);
        assertThat(list.get(5)).satisfies(c -> {
            assertThat(c.email()).isEqualTo("webteam@example.org");
            assertThat(c.type()).isEqualTo("whois");
            assertThat(c.usable()).isFalse();
            assertThat(c.note()).contains("WHOIS", "SC-080");
        });
    }

    @Test
    void aTldWithoutRdapGoesToWhois() {
        whoisServers.answer(IANA, "example.jp", "iana-jp.txt")
                .answer("whois.jprs.jp", "example.jp/e", "jprs-example-jp.txt");

        List<ApproverCandidate> list = discovery.discover("example.jp", null);

        // hostmaster@example.jp is constructed already: merged, not repeated
        assertThat(list).hasSize(5).allMatch(c -> c.type().equals("constructed"));
        assertThat(discovery.owner("example.jp")).hasValueSatisfying(o -> {
            assertThat(o.source()).isEqualTo("whois");
            assertThat(o.contacts()).extracting(OwnerContact::email).containsExactly("hostmaster@example.jp");
        });
    }

    @Test
    void aPermanentRdapFailureFallsBackToWhoisWhoseAnswerIsCached() {
        rdapServer.answer("/org/domain/example.org", 403, null, Map.of());
        whoisServers.answer(IANA, "example.org", "iana-org.txt")
                .answer("whois.publicinterestregistry.org", "example.org", "pir-example-org-host-referral.txt")
                .answer("whois.registrar.example", "example.org", "registrar-example-org.txt");

        List<ApproverCandidate> first = discovery.discover("example.org", null);
        List<ApproverCandidate> second = discovery.discover("www.example.org", null);

        assertThat(first).extracting(ApproverCandidate::email).contains("webteam@example.org");
        assertThat(second).extracting(ApproverCandidate::email).contains("webteam@example.org");
        assertThat(rdapServer.log()).hasSize(1);
        assertThat(whoisServers.log()).hasSize(3);
    }

    @Test
    void anOutageNeverFailsDiscoveryAndIsNotCached() {
        rdapServer.answer("/org/domain/example.org", 503, null, Map.of());
        whoisServers.answer(IANA, "example.org", "iana-org.txt")
                .answer("whois.publicinterestregistry.org", "example.org", "pir-throttled.txt");

        List<ApproverCandidate> first = discovery.discover("example.org", null);
        List<ApproverCandidate> second = discovery.discover("example.org", null);

        assertThat(first).hasSize(5).allMatch(c -> c.type().equals("constructed"));
        assertThat(second).isEqualTo(first);
        // both calls went out again: temporary failures are not cached
        assertThat(rdapServer.log()).containsExactly("/org/domain/example.org", "/org/domain/example.org");
        assertThat(whoisServers.log()).filteredOn(l -> l.startsWith(IANA)).hasSize(2);
    }

    @Test
    void everythingDownStillGivesTheConstructedList() {
        rdapServer.close();
        whoisServers.close();

        assertThat(discovery.discover("shop.example.com", null)).hasSize(10);
    }

    @Test
    void foundOwnersAreCachedForTheTtl() {
        exampleComOverRdap();

        discovery.discover("example.com", null);
        discovery.discover("www.example.com", null); // same registered domain
        assertThat(rdapServer.log()).hasSize(2);

        clock.advance(Duration.ofMinutes(59));
        discovery.discover("example.com", null);
        assertThat(rdapServer.log()).hasSize(2);

        clock.advance(Duration.ofMinutes(2));
        discovery.discover("example.com", null);
        assertThat(rdapServer.log()).hasSize(4);
    }

    @Test
    void notFoundIsCachedToo() {
        rdapServer.answer("/com/domain/no-such-domain.com", 404, "error-not-found.json", Map.of());

        discovery.discover("no-such-domain.com", null);
        discovery.discover("no-such-domain.com", null);

        assertThat(rdapServer.log()).hasSize(1);
        assertThat(whoisServers.log()).isEmpty();
    }

    @Test
    void theHubsMicrosecondClockWorksForTheCache() {
        // before: Clock.tick(…, 1 µs) (io.certhub.config.ClockConfig) threw ArithmeticException from
        // millis() in the cache's ticker, so every lookup failed and no owner was ever shown
        java.time.Clock hubClock = java.time.Clock.tick(java.time.Clock.systemUTC(), Duration.ofNanos(1_000));
        discovery = new ApproverDiscovery(props, new ConstructedApprovers(props, hubClock),
                new RdapClient(props, rdapServer.bootstrap("com"), hubClock),
                new WhoisClient(props, whoisServers.resolver()), hubClock);
        exampleComOverRdap();

        assertThat(discovery.owner("example.com")).hasValueSatisfying(o ->
                assertThat(o.status()).isEqualTo(OwnerLookup.Status.FOUND));
        assertThat(discovery.cachedOwner("www.example.com")).hasValueSatisfying(o ->
                assertThat(o.contacts()).extracting(OwnerContact::email).contains("owner@example.com"));
        assertThat(discovery.cachedOwner("example.org")).isEmpty();   // never looked up: nothing cached, no lookup
        assertThat(rdapServer.log()).hasSize(2);                       // registry + registrar, once
    }

    @Test
    void anUnregisteredDomainIsNamedInEveryCandidatesNote() {
        // before: the registry's "not registered" was dropped silently; the list looked like any other
        rdapServer.answer("/com/domain/no-such-domain.com", 404, "error-not-found.json", Map.of());

        List<ApproverCandidate> list = discovery.discover("www.no-such-domain.com", null);

        assertThat(list).isNotEmpty().allSatisfy(c -> assertThat(c.note())
                .contains("Warning: RDAP").contains("says no-such-domain.com is not registered"));
        assertThat(list).extracting(ApproverCandidate::usable).containsOnly(true);      // the rule itself is unchanged
        assertThat(rdapServer.log()).hasSize(1);                                         // one lookup, cached
        exampleComOverRdap();
        assertThat(discovery.discover("example.com", null)).isNotEmpty().noneMatch(c -> c.note().contains("not registered"));
    }

    @Test
    void idnDomainsAreAceEverywhere() {
        rdapServer.answer("/de/domain/xn--bcher-kva.de", "denic-buecher-de.json");

        List<ApproverCandidate> list = discovery.discover("*.Shop.Bücher.de", null);

        assertThat(rdapServer.log()).containsExactly("/de/domain/xn--bcher-kva.de");
        assertThat(list).extracting(ApproverCandidate::email)
                .allMatch(e -> e.matches("[a-z.]+@[a-z0-9.-]+"))
                .contains("admin@shop.xn--bcher-kva.de", "postmaster@xn--bcher-kva.de")
                .doesNotHaveDuplicates(); // hostmaster@xn--bcher-kva.de is constructed and the RDAP tech contact
    }

    @Test
    void aPublicSuffixHasNoCandidatesAndNoLookup() {
        assertThat(discovery.discover("co.uk", null)).isEmpty();
        assertThat(discovery.discover("*.co.uk", null)).isEmpty();
        assertThat(rdapServer.log()).isEmpty();
        assertThat(whoisServers.log()).isEmpty();
    }

    @Test
    void sandboxOwnersWhenLookupsAreDisabled() {
        props.setLookupsEnabled(false);
        props.setSandboxOwners(Map.of("Example.com", "Owner@Example.com", "proxied.com", "x@domainsbyproxy.com"));
        discovery = newDiscovery();

        List<ApproverCandidate> list = discovery.discover("shop.example.com", null);

        assertThat(list).hasSize(11);
        assertThat(list.get(10)).satisfies(c -> {
            assertThat(c.email()).isEqualTo("owner@example.com");
            assertThat(c.type()).isEqualTo("whois");
            assertThat(c.usable()).isFalse();
            assertThat(c.note()).contains("sandbox", "SC-080");
        });
        assertThat(discovery.discover("proxied.com", null)).hasSize(5);
        assertThat(discovery.discover("unknown.example.net", null)).hasSize(10)
                .allMatch(c -> c.type().equals("constructed"));
        assertThat(rdapServer.log()).isEmpty();
        assertThat(whoisServers.log()).isEmpty();
    }

    @Test
    void theVendorsListIsMergedWithoutDuplicates() {
        props.setLookupsEnabled(false);
        props.setSandboxOwners(Map.of("example.com", "owner@example.com"));
        discovery = newDiscovery();
        discovery.setVendorSource((domain, product) -> {
            assertThat(domain).isEqualTo("example.com");
            assertThat(product).isEqualTo("quickssl_premium");
            return List.of(
                    new ApproverCandidate("ADMIN@example.com", "vendor", true, null),
                    new ApproverCandidate("owner@example.com", "vendor", true, "on the vendor's list"),
                    new ApproverCandidate("ssl-approver@example.com", "vendor", true, "vendor-specific"),
                    new ApproverCandidate("not an address", "vendor", true, null));
        });

        List<ApproverCandidate> list = discovery.discover("example.com", "quickssl_premium");

        assertThat(list).extracting(ApproverCandidate::email).containsExactly(
                "admin@example.com", "administrator@example.com", "webmaster@example.com", "hostmaster@example.com",
                "postmaster@example.com", "owner@example.com", "ssl-approver@example.com");
        assertThat(list.get(0).type()).isEqualTo("constructed");
        // the vendor explicitly accepts the owner's address
        assertThat(list.get(5)).satisfies(c -> {
            assertThat(c.type()).isEqualTo("whois");
            assertThat(c.usable()).isTrue();
            assertThat(c.note()).contains("vendor");
        });
        assertThat(list.get(6)).isEqualTo(new ApproverCandidate("ssl-approver@example.com", "vendor", true, "vendor-specific"));
    }

    @Test
    void aFailingVendorIsLeftOut() {
        props.setLookupsEnabled(false);
        discovery = newDiscovery();
        AtomicInteger calls = new AtomicInteger();
        discovery.setVendorSource((d, p) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("vendor down");
        });

        assertThat(discovery.discover("example.com", null)).hasSize(5);
        assertThat(calls).hasValue(1);
    }

    @Test
    void theApproverMustBeUsableForEveryDomain() {
        props.setLookupsEnabled(false);
        props.setSandboxOwners(Map.of("example.com", "owner@example.com"));
        discovery = newDiscovery();
        List<String> domains = List.of("example.com", "www.example.com", "*.shop.example.com");

        assertThat(discovery.allowedApprovers(domains, null)).containsExactly(
                "admin@example.com", "administrator@example.com", "webmaster@example.com", "hostmaster@example.com",
                "postmaster@example.com");
        assertThat(discovery.isUsableApprover("Admin@Example.COM", domains, null)).isTrue();
        assertThat(discovery.isUsableApprover("admin@www.example.com", domains, null)).isFalse();
        assertThat(discovery.isUsableApprover("owner@example.com", domains, null)).isFalse();
        assertThat(discovery.isUsableApprover("admin@example.com", List.of("example.com", "example.org"), null)).isFalse();
        assertThat(discovery.allowedApprovers(List.of("example.com", "example.org"), null)).isEmpty();
        assertThat(discovery.isUsableApprover(null, domains, null)).isFalse();
        assertThat(discovery.isUsableApprover("admin@example.com", List.of(), null)).isFalse();
        assertThatThrownBy(() -> discovery.isUsableApprover("admin@example.com", List.of("bad name"), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void afterTheSunsetNothingIsUsable() {
        props.setLookupsEnabled(false);
        clock = new MutableClock(Instant.parse("2028-03-15T00:00:00Z"));
        discovery = newDiscovery();

        assertThat(discovery.discover("example.com", null)).hasSize(5).noneMatch(ApproverCandidate::usable);
        assertThat(discovery.allowedApprovers(List.of("example.com"), null)).isEmpty();
        assertThat(discovery.isUsableApprover("admin@example.com", List.of("example.com"), null)).isFalse();
    }

    @Test
    void anInvalidDomainIsRefused() {
        assertThatThrownBy(() -> discovery.discover("not a domain", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
