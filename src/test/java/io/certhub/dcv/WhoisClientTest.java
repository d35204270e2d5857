package io.certhub.dcv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WHOIS against port-43 servers on loopback, fed from src/test/resources/dcv/whois/. */
class WhoisClientTest {

    private static final String IANA = "whois.iana.org";
    private static final String VERISIGN = "whois.verisign-grs.com";
    private static final String REGISTRAR = "whois.registrar.example";
    private static final String PIR = "whois.publicinterestregistry.org";

    private FakeWhoisServers servers;
    private DcvProperties props;
    private WhoisClient client;

    @BeforeEach
    void setUp() {
        servers = new FakeWhoisServers();
        props = new DcvProperties();
        props.setWhoisServer(IANA); // the name stays, the resolver points it at loopback
        props.setTimeout(Duration.ofMillis(1500));
        client = new WhoisClient(props, servers.resolver());
    }

    @AfterEach
    void tearDown() {
        servers.close();
    }

    @Test
    void followsTheReferralChainIanaRegistryRegistrar() {
        servers.answer(IANA, "example.com", "iana-com.txt")
                .answer(VERISIGN, "domain example.com", "verisign-example-com.txt")
                .answer(REGISTRAR, "example.com", "registrar-example-com.txt");

        OwnerLookup result = client.lookup("Example.COM");

        assertThat(servers.log()).containsExactly(
                IANA + " example.com", VERISIGN + " domain example.com", REGISTRAR + " example.com");
        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.source()).isEqualTo("whois");
        assertThat(result.server()).isEqualTo(REGISTRAR);
        assertThat(result.partial()).isFalse();
        // the registrant and tech addresses; the admin pointer to the RDDS is redacted; never the
        // registrar's abuse address nor IANA's TLD contacts
        assertThat(result.contacts()).containsExactly(
                new OwnerContact("owner@example.com", "registrant", "whois"),
                new OwnerContact("dns-ops@example.com", "technical", "whois"));
        assertThat(result.redactedContacts()).isEqualTo(1);
    }

    @Test
    void redactedAndProxyContactsAreNeverOffered() {
        servers.answer(IANA, "proxied.com", "iana-com.txt")
                .answer(VERISIGN, "domain proxied.com", "verisign-proxied-com.txt")
                .answer("whois.proxy-registrar.example", "proxied.com", "registrar-proxied-com.txt");

        OwnerLookup result = client.lookup("proxied.com");

        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.contacts()).isEmpty();
        // web form URL, domainsbyproxy, withheldforprivacy, contact.gandi.net, Data Protected, Not Disclosed
        assertThat(result.redactedContacts()).isEqualTo(6);
    }

    @Test
    void aUrlFormReferralIsNeverQueriedOnPort43() {
        // "Registrar WHOIS Server: http://whois.registrar.example/" names a web service, not a
        // port-43 server: it is dropped and the registry's answer kept (issue 11 §5)
        servers.answer(IANA, "example.org", "iana-org.txt")
                .answer(PIR, "example.org", "pir-example-org.txt")
                .answer(REGISTRAR, "example.org", "registrar-example-org.txt");

        OwnerLookup result = client.lookup("example.org");

        assertThat(servers.log()).containsExactly(IANA + " example.org", PIR + " example.org");
        assertThat(result.server()).isEqualTo(PIR);
    }

    @Test
    void aHostNameReferralIsFollowed() {
        servers.answer(IANA, "example.org", "iana-org.txt")
                .answer(PIR, "example.org", "pir-example-org-host-referral.txt")
                .answer(REGISTRAR, "example.org", "registrar-example-org.txt");

        OwnerLookup result = client.lookup("example.org");

        assertThat(servers.log()).containsExactly(IANA + " example.org", PIR + " example.org", REGISTRAR + " example.org");
        assertThat(result.contacts()).extracting(OwnerContact::email).containsExactly("webteam@example.org");
        assertThat(result.redactedContacts()).isEqualTo(5);
    }

    @Test
    void theReferralLimitIsHonoured() {
        props.setMaxReferrals(1);
        servers.answer(IANA, "example.com", "iana-com.txt")
                .answer(VERISIGN, "domain example.com", "verisign-example-com.txt");

        OwnerLookup result = client.lookup("example.com");

        assertThat(servers.log()).containsExactly(IANA + " example.com", VERISIGN + " domain example.com");
        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.server()).isEqualTo(VERISIGN);
        assertThat(result.contacts()).isEmpty();
    }

    @Test
    void aReferralLoopStopsAtTheFirstServerSeenTwice() {
        servers.answer(IANA, "circle.loop", "iana-loop.txt")
                .answer("whois.registry-a.test", "circle.loop", "registry-a-loop.txt")
                .answer("whois.registrar-b.test", "circle.loop", "registrar-b-loop.txt");
        props.setMaxReferrals(10);

        OwnerLookup result = client.lookup("circle.loop");

        assertThat(servers.log()).containsExactly(
                IANA + " circle.loop", "whois.registry-a.test circle.loop", "whois.registrar-b.test circle.loop");
        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.contacts()).extracting(OwnerContact::email).containsExactly("owner@circle.loop");
    }

    @Test
    void aThrottledRegistryIsATemporaryFailureNeverNoSuchDomain() {
        servers.answer(IANA, "example.org", "iana-org.txt")
                .answer(PIR, "example.org", "pir-throttled.txt");

        assertThatThrownBy(() -> client.lookup("example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> {
                    assertThat(e.isTemporary()).isTrue();
                    assertThat(e.getMessage()).contains(PIR, "LIMIT EXCEEDED");
                });
    }

    @Test
    void aThrottledServerIsLeftAloneForTheTimeItNamedRepeatedLookupsSendItNoQuery() {
        servers.answer(IANA, "example.org", "iana-org.txt")
                .answer(PIR, "example.org", "pir-throttled-45s.txt");

        assertThatThrownBy(() -> client.lookup("example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> {
                    assertThat(e.isTemporary()).isTrue();
                    assertThat(e.getRetryAfter()).contains(java.time.Duration.ofSeconds(45));
                });
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> client.lookup("example.org"))
                    .isInstanceOfSatisfying(DcvLookupException.class, e -> {
                        assertThat(e.isTemporary()).isTrue();
                        assertThat(e.getMessage()).contains(PIR, "not queried");
                        assertThat(e.getRetryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(java.time.Duration.ofSeconds(1),
                            java.time.Duration.ofSeconds(45)));
                    });
        }
        // IANA is asked each time (it did not throttle); the throttling registry only once
        assertThat(servers.log()).filteredOn(q -> q.startsWith(PIR)).hasSize(1);
        assertThat(servers.log()).filteredOn(q -> q.startsWith(IANA)).hasSize(4);
    }

    @Test
    void anEmptyReplyIsATemporaryFailure() {
        servers.answer(IANA, "example.org", "iana-org.txt")
                .answer(PIR, "example.org", "empty.txt");

        assertThatThrownBy(() -> client.lookup("example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> {
                    assertThat(e.isTemporary()).isTrue();
                    assertThat(e.getMessage()).contains("empty reply");
                });
    }

    @Test
    void aSilentServerTimesOutAsATemporaryFailure() {
        props.setTimeout(Duration.ofMillis(300));
        servers.answer(IANA, "example.org", FakeWhoisServers.STALL);

        assertThatThrownBy(() -> client.lookup("example.org"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> assertThat(e.isTemporary()).isTrue());
    }

    @Test
    void anUnreachableServerIsATemporaryFailure() {
        servers.answer(IANA, "example.com", "iana-com.txt"); // refers to whois.verisign-grs.com, not running

        assertThatThrownBy(() -> client.lookup("example.com"))
                .isInstanceOfSatisfying(DcvLookupException.class, e -> assertThat(e.isTemporary()).isTrue());
    }

    @Test
    void aFailingRegistrarKeepsTheRegistrysAnswerAsPartial() {
        servers.answer(IANA, "example.com", "iana-com.txt")
                .answer(VERISIGN, "domain example.com", "verisign-example-com.txt")
                .answer(REGISTRAR, "example.com", "registrar-throttled.txt");

        OwnerLookup result = client.lookup("example.com");

        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.partial()).isTrue();
        assertThat(result.server()).isEqualTo(VERISIGN);
    }

    @Test
    void noMatchAtTheRegistryIsNotFound() {
        servers.answer(IANA, "no-such-domain-here.com", "iana-com.txt")
                .answer(VERISIGN, "domain no-such-domain-here.com", "verisign-nomatch.txt");

        OwnerLookup result = client.lookup("no-such-domain-here.com");

        assertThat(result.status()).isEqualTo(OwnerLookup.Status.NOT_FOUND);
        assertThat(result.server()).isEqualTo(VERISIGN);
    }

    @Test
    void anUnknownTldIsNotFoundAtIana() {
        servers.answer(IANA, "example.invalidtld", "iana-unknown-tld.txt");

        assertThat(client.lookup("example.invalidtld").status()).isEqualTo(OwnerLookup.Status.NOT_FOUND);
        assertThat(servers.log()).hasSize(1);
    }

    @Test
    void denicStyleAnswerWithIdn() {
        servers.answer(IANA, "xn--bcher-kva.de", "iana-de.txt")
                .answer("whois.denic.de", "-T dn,ace xn--bcher-kva.de", "denic-buecher-de.txt");

        OwnerLookup result = client.lookup("Bücher.de");

        assertThat(servers.log()).containsExactly(
                IANA + " xn--bcher-kva.de", "whois.denic.de -T dn,ace xn--bcher-kva.de");
        assertThat(result.domain()).isEqualTo("xn--bcher-kva.de");
        // [Admin-C] and [Tech-C]; never [Zone-C]; the IDN address in xn-- form
        assertThat(result.contacts()).containsExactly(
                new OwnerContact("erika.mustermann@xn--bcher-kva.de", "administrative", "whois"),
                new OwnerContact("hostmaster@provider.example", "technical", "whois"));
    }

    @Test
    void denicStatusFreeIsNotFound() {
        servers.answer(IANA, "gibt-es-nicht.de", "iana-de.txt")
                .answer("whois.denic.de", "-T dn,ace gibt-es-nicht.de", "denic-free.txt");

        assertThat(client.lookup("gibt-es-nicht.de").status()).isEqualTo(OwnerLookup.Status.NOT_FOUND);
    }

    @Test
    void nominetStyleAnswerForCoUk() {
        servers.answer(IANA, "example.co.uk", "iana-uk.txt")
                .answer("whois.nic.uk", "example.co.uk", "nominet-example-co-uk.txt");

        OwnerLookup result = client.lookup("example.co.uk");

        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.server()).isEqualTo("whois.nic.uk");
        assertThat(result.contacts()).isEmpty(); // Nominet publishes no contact address
    }

    @Test
    void nominetNoMatchIsNotFound() {
        servers.answer(IANA, "no-such-domain.co.uk", "iana-uk.txt")
                .answer("whois.nic.uk", "no-such-domain.co.uk", "nominet-nomatch.txt");

        assertThat(client.lookup("no-such-domain.co.uk").status()).isEqualTo(OwnerLookup.Status.NOT_FOUND);
    }

    @Test
    void jprsStyleAnswerForJp() {
        servers.answer(IANA, "example.jp", "iana-jp.txt")
                .answer("whois.jprs.jp", "example.jp/e", "jprs-example-jp.txt");

        OwnerLookup result = client.lookup("example.jp");

        assertThat(servers.log()).containsExactly(IANA + " example.jp", "whois.jprs.jp example.jp/e");
        assertThat(result.status()).isEqualTo(OwnerLookup.Status.FOUND);
        assertThat(result.contacts()).containsExactly(new OwnerContact("hostmaster@example.jp", "registrant", "whois"));
    }

    @Test
    void jprsNoMatchIsNotFound() {
        servers.answer(IANA, "no-such.jp", "iana-jp.txt")
                .answer("whois.jprs.jp", "no-such.jp/e", "jprs-nomatch.txt");

        assertThat(client.lookup("no-such.jp").status()).isEqualTo(OwnerLookup.Status.NOT_FOUND);
    }

    @Test
    void answerParsing() {
        WhoisAnswer iana = WhoisAnswer.parse(new String(FakeWhoisServers.resource("iana-com.txt")));
        assertThat(iana.referral()).contains(VERISIGN);
        assertThat(iana.contacts()).isEmpty(); // IANA's "contact: administrative" blocks are not domain contacts

        assertThat(WhoisAnswer.parse("Registrar WHOIS Server: whois://Whois.Example.NET/\n").referral())
                .contains("whois.example.net");
        assertThat(WhoisAnswer.parse("ReferralServer: rwhois://rwhois.example.net:4321\n").referral()).isEmpty();
        assertThat(WhoisAnswer.parse("Too many requests, try again later").throttled()).isTrue();
        assertThat(WhoisAnswer.parse("% Error: 55000000002 Connection refused; access control limit reached.")
                .throttled()).isTrue();
        assertThat(WhoisAnswer.parse("Query rate limit exceeded").notFound()).isFalse();
        assertThat(WhoisAnswer.parse("   \r\n").empty()).isTrue();
        assertThat(WhoisAnswer.parse("NOT FOUND\n").notFound()).isTrue();
    }
}
