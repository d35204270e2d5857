package io.certhub.dcv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConstructedApproversTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);

    private static ConstructedApprovers at(Clock clock) {
        return new ConstructedApprovers(new DcvProperties(), clock);
    }

    private static List<String> emails(List<ApproverCandidate> list) {
        return list.stream().map(ApproverCandidate::email).toList();
    }

    @Test
    void prunesDownToTheRegistrableDomainAndNeverPastThePublicSuffix() {
        List<ApproverCandidate> list = at(NOW).forDomain("sub.shop.example.co.uk");

        assertThat(list).hasSize(15);
        assertThat(emails(list)).containsExactly(
                "admin@sub.shop.example.co.uk", "administrator@sub.shop.example.co.uk",
                "webmaster@sub.shop.example.co.uk", "hostmaster@sub.shop.example.co.uk",
                "postmaster@sub.shop.example.co.uk",
                "admin@shop.example.co.uk", "administrator@shop.example.co.uk", "webmaster@shop.example.co.uk",
                "hostmaster@shop.example.co.uk", "postmaster@shop.example.co.uk",
                "admin@example.co.uk", "administrator@example.co.uk", "webmaster@example.co.uk",
                "hostmaster@example.co.uk", "postmaster@example.co.uk");
        assertThat(emails(list)).noneMatch(e -> e.endsWith("@co.uk") || e.endsWith("@uk"));
        assertThat(list).allSatisfy(c -> {
            assertThat(c.type()).isEqualTo("constructed");
            assertThat(c.usable()).isTrue();
        });
    }

    @Test
    void aDotComNameStopsAtTheRegistrableDomain() {
        List<String> emails = emails(at(NOW).forDomain("WWW.Example.COM"));
        assertThat(emails).hasSize(10).contains("admin@www.example.com", "postmaster@example.com")
                .noneMatch(e -> e.endsWith("@com"));
    }

    @Test
    void wildcardIsValidatedThroughTheNameWithoutStar() {
        List<String> emails = emails(at(NOW).forDomain("*.shop.example.com"));
        assertThat(emails).hasSize(10)
                .startsWith("admin@shop.example.com")
                .contains("hostmaster@example.com")
                .noneMatch(e -> e.contains("*"));
    }

    @Test
    void idnNamesAreInAceFormEverywhere() {
        List<String> emails = emails(at(NOW).forDomain("Bücher.example"));
        assertThat(emails).containsExactly("admin@xn--bcher-kva.example", "administrator@xn--bcher-kva.example",
                "webmaster@xn--bcher-kva.example", "hostmaster@xn--bcher-kva.example",
                "postmaster@xn--bcher-kva.example");

        assertThat(emails(at(NOW).forDomain("*.shop.bücher.de")))
                .hasSize(10)
                .allMatch(e -> e.endsWith("@shop.xn--bcher-kva.de") || e.endsWith("@xn--bcher-kva.de"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"co.uk", "*.co.uk", "github.io", "*.github.io", "blogspot.com", "com.au", "*.com.au"})
    void aPublicSuffixHasNoCandidates(String name) {
        assertThat(at(NOW).forDomain(name)).isEmpty();
    }

    @Test
    void aPrivatePublicSuffixIsNeverOffered() {
        assertThat(emails(at(NOW).forDomain("www.user.github.io")))
                .hasSize(10).noneMatch(e -> e.endsWith("@github.io"));
    }

    @Test
    void usableBeforeTheSunsetWithANoteNamingIt() {
        Clock lastDay = Clock.fixed(Instant.parse("2028-03-14T23:59:59Z"), ZoneOffset.UTC);
        List<ApproverCandidate> list = at(lastDay).forDomain("example.com");
        assertThat(list).allSatisfy(c -> {
            assertThat(c.usable()).isTrue();
            assertThat(c.note()).contains("BR 3.2.2.4.4", "2028-03-15", "SC-090", "(SHOULD NOT) since 2026-03-15");
        });
        Clock early = Clock.fixed(Instant.parse("2025-12-01T00:00:00Z"), ZoneOffset.UTC);
        assertThat(at(early).forDomain("example.com").get(0).note())
                .contains("2028-03-15").doesNotContain("SHOULD NOT");
    }

    @Test
    void notUsableFromTheSunsetOn() {
        Clock sunset = Clock.fixed(Instant.parse("2028-03-15T00:00:00Z"), ZoneOffset.UTC);
        List<ApproverCandidate> list = at(sunset).forDomain("example.com");
        assertThat(list).hasSize(5).allSatisfy(c -> {
            assertThat(c.usable()).isFalse();
            assertThat(c.note()).contains("BR 3.2.2.4.4", "not usable since 2028-03-15", "SC-090");
        });
        assertThat(at(sunset).isUsable()).isFalse();
        assertThat(at(NOW).isUsable()).isTrue();
    }

    @Test
    void theSunsetIsConfigurable() {
        DcvProperties props = new DcvProperties();
        props.setConstructedSunset(java.time.LocalDate.of(2026, 11, 29));
        assertThat(new ConstructedApprovers(props, NOW).forDomain("example.com"))
                .allMatch(c -> !c.usable());
    }

    @Test
    void refusesAnInvalidName() {
        assertThatThrownBy(() -> at(NOW).forDomain("not a domain"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> at(NOW).forDomain("192.168.1.1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void registrableAndRegisteredDomains() {
        assertThat(RegistrableDomains.baseDomain("sub.shop.example.co.uk")).contains("example.co.uk");
        assertThat(RegistrableDomains.baseDomain("co.uk")).isEmpty();
        assertThat(RegistrableDomains.baseDomain("xn--bcher-kva.example")).contains("xn--bcher-kva.example");
        assertThat(RegistrableDomains.baseDomain("foo.blogspot.com")).contains("foo.blogspot.com");
        assertThat(RegistrableDomains.registeredDomain("foo.blogspot.com")).contains("blogspot.com");
        assertThat(RegistrableDomains.registeredDomain("www.example.co.uk")).contains("example.co.uk");
        assertThat(RegistrableDomains.registeredDomain("co.uk")).isEmpty();
        assertThat(RegistrableDomains.authorizationDomains("*.a.b.example.com"))
                .containsExactly("a.b.example.com", "b.example.com", "example.com");
    }
}
