package io.certhub.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * The ACME test bed of issue 15 on its own, before the hub's ACME adapter uses it: Debian's pebble
 * with External Account Binding required ({@link TestPebble}), reached with acme4j 4.0.0 over
 * HTTPS trusting only the test root. Shows what the adapter will rely on, across the wire: an
 * account with EAB is made, one without is refused with the RFC 8555 error type
 * {@code externalAccountRequired}; a dns-01 and an http-01 order, their records published on the
 * challenge server as a customer would, go valid, are finalized with a CSR and give a certificate
 * chain for the ordered names. Pebble 2.4.0 (Debian 12) offers no ACME Renewal Information
 * (RFC 9773) and no profiles: its directory has no {@code renewalInfo}, which is checked, so a
 * newer pebble shows up here.
 */
class TestPebbleTest {

    @TempDir
    static Path dir;
    static TestPebble pebble;

    @BeforeAll
    static void start() {
        pebble = TestPebble.start(dir, "reseller-demo");
    }

    @AfterAll
    static void stop() {
        if (pebble != null) {
            pebble.close();
        }
    }

    /** acme4j's generic provider with an HTTP client that trusts only pebble's TLS root. */
    static Session session() {
        SSLContext tls = pebble.clientContext();
        return new Session(pebble.directory(), new GenericAcmeProvider() {
            @Override
            public HttpClient createHttpClient(NetworkSettings settings) {
                return HttpClient.newBuilder().connectTimeout(settings.getTimeout()).sslContext(tls).build();
            }
        });
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static Account account() throws Exception {
        Map.Entry<String, String> eab = pebble.eabKeys().entrySet().iterator().next();
        return new AccountBuilder().agreeToTermsOfService().withKeyIdentifier(eab.getKey(), eab.getValue()).useKeyPair(ec())
            .create(session());
    }

    static List<X509Certificate> finalizeAndDownload(Order order, String domain) throws Exception {
        assertThat(order.waitUntilReady(Duration.ofSeconds(30))).isEqualTo(Status.READY);
        order.execute(der(TestCsrs.ec(domain)));
        assertThat(order.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        return order.getCertificate().getCertificateChain();
    }

    static byte[] der(String csrPem) {
        String b64 = csrPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return java.util.Base64.getDecoder().decode(b64.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void anAccountNeedsExternalAccountBinding() throws Exception {
        Account account = account();
        assertThat(account.getStatus()).isEqualTo(Status.VALID);
        assertThat(account.hasExternalAccountBinding()).isTrue();
        assertThat(account.getKeyIdentifier()).contains("reseller-demo");

        AcmeServerException refused = catchThrowableOfType(AcmeServerException.class,
            () -> new AccountBuilder().agreeToTermsOfService().useKeyPair(ec()).create(session()));
        assertThat(refused).isNotNull();
        assertThat(refused.getType()).isEqualTo(URI.create("urn:ietf:params:acme:error:externalAccountRequired"));
        assertThat(session().getMetadata().isExternalAccountRequired()).isTrue();
        assertThat(session().resourceUrlOptional(org.shredzone.acme4j.connector.Resource.RENEWAL_INFO)).isEmpty();
    }

    @Test
    void aDns01OrderIsIssuedOnceTheCustomerPublishesTheRecord() throws Exception {
        String domain = "dns01.example.com";
        Order order = account().newOrder().domain(domain).create();
        for (Authorization auth : order.getAuthorizations()) {
            Dns01Challenge ch = auth.findChallenge(Dns01Challenge.class).orElseThrow();
            pebble.setTxt(ch.getRRName(auth.getIdentifier()), ch.getDigest());
            ch.trigger();
            assertThat(auth.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        }
        List<X509Certificate> chain = finalizeAndDownload(order, domain);
        assertThat(chain).hasSizeGreaterThanOrEqualTo(2);
        assertThat(chain.get(0).getSubjectAlternativeNames()).anyMatch(n -> domain.equals(n.get(1)));
    }

    @Test
    void anHttp01OrderIsIssuedOnceTheCustomerServesTheToken() throws Exception {
        String domain = "http01.example.com";
        Order order = account().newOrder().domain(domain).create();
        for (Authorization auth : order.getAuthorizations()) {
            Http01Challenge ch = auth.findChallenge(Http01Challenge.class).orElseThrow();
            pebble.addHttp01(ch.getToken(), ch.getAuthorization());
            ch.trigger();
            assertThat(auth.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        }
        List<X509Certificate> chain = finalizeAndDownload(order, domain);
        assertThat(chain.get(0).getSubjectAlternativeNames()).anyMatch(n -> domain.equals(n.get(1)));
    }
}
