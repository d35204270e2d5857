package io.certhub.dcv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/** RDAP against a JDK HttpServer on loopback, fed from src/test/resources/dcv/rdap/. */
class RdapClientTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);

    private FakeRdapServer server;
    private DcvProperties props;
    private RdapClient client;

    @BeforeEach
    void setUp() {
        server = new FakeRdapServer();
        props = new DcvProperties();
        props.setTimeout(Duration.ofSeconds(2));
        client = new RdapClient(props, server.bootstrap("com", "org", "de", "uk"), CLOCK);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void thinRegistryThenTheRegistrarsRecordThroughTheRelatedLink() {
        server.answer("/com/domain/example.com", "verisign-example-com.json")
                .answer("/registrar/domain/EXAMPLE.COM", "registrar-example-com.json");

        OwnerLookup result = client.lookup("Example.com").orElseThrow();

        assertThat(server.log()).containsExactly("/com/domain/example.com", "/registrar/domain/EXAMPLE.COM");
        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.source()).isEqualTo("rdap");
        assertThat(result.server()).isEqualTo(server.base() + "/registrar/domain/EXAMPLE.COM");
        // registrant, and the administrative contact nested in it; the technical contact's web
        // form is redacted; never the registrar's or the abuse addresses
        assertThat(result.contacts()).containsExactly(
                new OwnerContact("owner@example.com", "registrant", "rdap"),
                new OwnerContact("hostmaster@example.com", "administrative", "rdap"));
        assertThat(result.redactedContacts()).isEqualTo(1);
        assertThat(result.partial()).isFalse();
    }

    @Test
    void aFailingRelatedLinkKeepsTheRegistrysAnswerAsPartial() {
        server.answer("/com/domain/example.com", "verisign-example-com.json")
                .answer("/registrar/domain/EXAMPLE.COM", 503, null, Map.of());

        OwnerLookup result = client.lookup("example.com").orElseThrow();

        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.contacts()).isEmpty();
        assertThat(result.partial()).isTrue();
    }

    @Test
    void relatedLinksAreNotFollowedPastTheLimit() {
        props.setMaxReferrals(0);
        server.answer("/com/domain/example.com", "verisign-example-com.json");

        OwnerLookup result = client.lookup("example.com").orElseThrow();

        assertThat(server.log()).containsExactly("/com/domain/example.com");
        assertThat(result.contacts()).isEmpty();
    }

    @Test
    void redactedAndProxyContactsAreNeverOffered() {
        server.answer("/org/domain/redacted.org", "pir-redacted-org.json");

        OwnerLookup result = client.lookup("redacted.org").orElseThrow();

        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.contacts()).isEmpty();
        // the RDDS pointer, the withheldforprivacy.com proxy, the administrative contact without email
        assertThat(result.redactedContacts()).isEqualTo(3);
    }

    @Test
    void notFoundIs404() {
        server.answer("/com/domain/no-such-domain.com", 404, "error-not-found.json", Map.of());

        assertThat(client.lookup("no-such-domain.com").orElseThrow().status())
                .isEqualTo(OwnerLookup.Status.NOT_FOUND);
    }

    @Test
    void tooManyRequestsIsTemporaryWithTheRetryAfter() {
        server.answer("/org/domain/example.org", 429, "error-rate-limited.json", Map.of("Retry-After", "120"));

        assertThatThrownBy(() -> client.lookup("example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> {
                    assertThat(e.isTemporary()).isTrue();
                    assertThat(e.getRetryAfter()).contains(Duration.ofSeconds(120));
                    assertThat(e.getMessage()).contains("429");
                });
    }

    @Test
    void aServerThatAnswered429IsNotQueriedAgainUntilItsRetryAfterIsOver() {
        server.answer("/org/domain/example.org", 429, "error-rate-limited.json", Map.of("Retry-After", "120"));

        assertThatThrownBy(() -> client.lookup("example.org")).isInstanceOf(DcvLookupException.class);
        assertThatThrownBy(() -> client.lookup("www.example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> {
                    assertThat(e.isTemporary()).isTrue();
                    assertThat(e.getMessage()).contains("not queried");
                    assertThat(e.getRetryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(100), Duration.ofSeconds(120)));
                });
        assertThat(server.log()).hasSize(1);
    }

    @Test
    void retryAfterAsAnHttpDate() {
        server.answer("/org/domain/example.org", 503, null, Map.of("Retry-After", "Sun, 29 Nov 2026 12:05:00 GMT"));

        assertThatThrownBy(() -> client.lookup("example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> {
                    assertThat(e.isTemporary()).isTrue();
                    assertThat(e.getRetryAfter()).contains(Duration.ofMinutes(5));
                });
    }

    @Test
    void serverErrorWithoutRetryAfterIsTemporary() {
        server.answer("/org/domain/example.org", 500, null, Map.of());

        assertThatThrownBy(() -> client.lookup("example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> {
                    assertThat(e.isTemporary()).isTrue();
                    assertThat(e.getRetryAfter()).isEmpty();
                });
    }

    @Test
    void forbiddenIsPermanent() {
        server.answer("/org/domain/example.org", 403, null, Map.of());

        assertThatThrownBy(() -> client.lookup("example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> assertThat(e.isTemporary()).isFalse());
    }

    @Test
    void anUnreachableServerIsTemporary() {
        RdapClient down = new RdapClient(props, server.bootstrap("com"), CLOCK);
        server.close();

        assertThatThrownBy(() -> down.lookup("example.com"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> assertThat(e.isTemporary()).isTrue());
    }

    @Test
    void idnDomainsAreQueriedInAceForm() {
        server.answer("/de/domain/xn--bcher-kva.de", "denic-buecher-de.json");

        OwnerLookup result = client.lookup("Bücher.de").orElseThrow();

        assertThat(server.log()).containsExactly("/de/domain/xn--bcher-kva.de");
        assertThat(result.domain()).isEqualTo("xn--bcher-kva.de");
        assertThat(result.contacts()).containsExactly(
                new OwnerContact("hostmaster@xn--bcher-kva.de", "technical", "rdap"));
    }

    @Test
    void aSecondLevelRegistryUsesTheTldsService() {
        server.answer("/uk/domain/example.co.uk", "nominet-example-co-uk.json");

        assertThat(client.lookup("example.co.uk").orElseThrow().contacts())
                .extracting(OwnerContact::email).containsExactly("domains@example.co.uk");
    }

    @Test
    void aTldWithoutRdapServiceGivesEmpty() {
        assertThat(client.lookup("example.jp")).isEqualTo(Optional.empty());
        assertThat(client.serves("example.jp")).isFalse();
        assertThat(server.log()).isEmpty();
    }

    @Test
    void theShippedBootstrapFileCoversTheCommonTlds() {
        RdapBootstrap shipped = RdapBootstrap.load(new ClassPathResource("dcv/rdap-dns.json"));
        assertThat(shipped.baseUrlFor("example.com")).hasValueSatisfying(
                u -> assertThat(u.toString()).isEqualTo("https://rdap.verisign.com/com/v1/"));
        assertThat(shipped.baseUrlFor("example.co.uk")).hasValueSatisfying(
                u -> assertThat(u.toString()).isEqualTo("https://rdap.nominet.uk/uk/"));
        for (String tld : new String[] {"net", "org", "de", "jp", "io", "dev", "app"}) {
            assertThat(shipped.baseUrlFor("example." + tld)).as(tld).isPresent()
                    .hasValueSatisfying(u -> assertThat(u.getScheme()).isEqualTo("https"));
        }
        assertThat(shipped.baseUrlFor("example.invalidtld")).isEmpty();
    }

    @Test
    void bootstrapPrefersHttpsAndTheLongestMatch() {
        String json = "{\"services\": [[[\"uk\"], [\"http://plain.example/uk\", \"https://secure.example/uk\"]],"
                + " [[\"co.uk\"], [\"https://co.example/\"]]]}";
        RdapBootstrap b = RdapBootstrap.parse(new java.io.ByteArrayInputStream(json.getBytes()), "inline");
        assertThat(b.baseUrlFor("example.org.uk")).hasValueSatisfying(
                u -> assertThat(u.toString()).isEqualTo("https://secure.example/uk/"));
        assertThat(b.baseUrlFor("example.co.uk")).hasValueSatisfying(
                u -> assertThat(u.toString()).isEqualTo("https://co.example/"));
        assertThatThrownBy(() -> RdapBootstrap.parse(new java.io.ByteArrayInputStream("{}".getBytes()), "inline"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("services");
    }
}
