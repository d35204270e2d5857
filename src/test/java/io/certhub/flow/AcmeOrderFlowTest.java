package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestPebble;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.util.CSRBuilder;

/**
 * Issue 15 §2, orders through the hub's ACME server, across the wire with acme4j as the customer's
 * client: the hub validates the customer's http-01 and dns-01 challenges itself (pebble's challenge
 * test server plays the customer's web server and DNS, on loopback, which the test allows with
 * {@code hub.acme.validation-private-addresses}); finalize makes one Certhub order with its hold,
 * placed at the sandbox vendor like any other, and a client's retry of finalize (also after a
 * restart of the hub) makes no second order, hold or vendor order; the issued chain is downloaded
 * from the certificate URL. Refusals carry the RFC 8555 error type: a challenge not served, a CSR
 * for other names, another account's order, a key without contacts, a profile the key does not offer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AcmeOrderFlowTest {

    @TempDir
    static Path dir;
    static TestPebble challenges;
    static RunningHub hub;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        TestPebble.assumeAvailable();
        challenges = TestPebble.start(Files.createDirectories(dir.resolve("pebble")));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        hub = RunningHub.start(Files.createDirectories(dir.resolve("hub")), "--server.port=" + port, "--hub.acme.requests-per-second=1000",
            "--hub.acme.dns-resolver=" + challenges.dnsServer(), "--hub.acme.http-port=" + challenges.http01Port(),
            "--hub.acme.validation-private-addresses=true", "--hub.vendor.poll-cron=0/1 * * * * ?", "--hub.vendor.poll-base=1s",
            "--hub.sandbox.approval-delay=1s", "--hub.acme.orders-per-hour-per-key=2", "--hub.acme.validation-poll-ms=100",
            "--hub.acme.validation-retry-delay=500ms");
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (challenges != null) {
            challenges.close();
        }
    }

    static Session session() {
        return new Session(URI.create("http://127.0.0.1:" + port + "/acme/directory"));
    }

    static Account account(String customer, String products, boolean contacts) throws Exception {
        return login(customer, products, contacts).getAccount();
    }

    static org.shredzone.acme4j.Login login(String customer, String products, boolean contacts) throws Exception {
        String body = "{\"customer\":\"" + customer + "\",\"products\":" + products + ",\"expiresAt\":\"" + Instant.now().plus(Duration.ofDays(30))
            + "\"" + (contacts ? ",\"contacts\":{\"admin\":{\"firstName\":\"Ana\",\"lastName\":\"Ops\",\"email\":\"ana@shop.example\","
            + "\"phone\":\"+1.5555550100\"}}" : "") + "}";
        HttpResponse<String> r = hub.post("/api/v1/acme/eab-keys", "demo-key", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode k = OrderJson.parse(r.body());
        return new AccountBuilder().agreeToTermsOfService().addEmail("ops@shop.example").withKeyIdentifier(k.get("kid").asText(),
            k.get("hmacKey").asText()).useKeyPair(key()).createLogin(session());
    }

    static KeyPair key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static byte[] csr(KeyPair key, String... names) throws Exception {
        CSRBuilder b = new CSRBuilder();
        b.addDomains(names);
        b.sign(key);
        return b.getEncoded();
    }

    static String acmeId(org.shredzone.acme4j.Order order) {
        String url = order.getLocation().toString();
        return url.substring(url.lastIndexOf('/') + 1);
    }

    static String reference;
    static org.shredzone.acme4j.Order issued;
    static KeyPair issuedKey;

    @Test
    @Order(1)
    void anOrderValidatedByHttp01AndDns01IsFinalizedIntoOneHeldCerthubOrderWhateverTheClientRetries() throws Exception {
        Account account = account("Shop One", "[\"quickssl_premium\"]", true);
        long available = hub.jdbc().queryForObject("select balance_minor - held_minor from account where id = 'demo'", Long.class);
        org.shredzone.acme4j.Order order = account.newOrder().domains("shop1.example.com", "www.shop1.example.com").create();
        assertThat(order.getStatus()).isEqualTo(Status.PENDING);
        assertThat(order.getAuthorizations()).hasSize(2);
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getIdentifier().getDomain().startsWith("www.")) {
                Dns01Challenge ch = auth.findChallenge(Dns01Challenge.class).orElseThrow();
                challenges.setTxt("_acme-challenge." + auth.getIdentifier().getDomain(), ch.getDigest());
                ch.trigger();
                // recorded and answered at once; validated off the request (AcmeChallenges)
                assertThat(ch.getStatus()).isEqualTo(Status.PROCESSING);
                assertThat(ch.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
            } else {
                Http01Challenge ch = auth.findChallenge(Http01Challenge.class).orElseThrow();
                challenges.addHttp01(ch.getToken(), ch.getAuthorization());
                ch.trigger();
                assertThat(ch.getStatus()).isEqualTo(Status.PROCESSING);
                assertThat(ch.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
            }
            auth.fetch();
            assertThat(auth.getStatus()).isEqualTo(Status.VALID);
        }
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.READY);
        // nothing is held before finalize
        assertThat(hub.count("select count(*) from orders where client_reference = ?", "ACME-" + acmeId(order))).isZero();

        issuedKey = key();
        byte[] csr = csr(issuedKey, "shop1.example.com", "www.shop1.example.com");
        order.execute(csr);
        order.execute(csr);                                         // the client's retry: the same order answers
        reference = "ACME-" + acmeId(order);
        assertThat(hub.count("select count(*) from orders where client_reference = ? and state = 'IN_PROGRESS'", reference)).isEqualTo(1);
        assertThat(hub.count("select count(*) from hold h join orders o on o.id = h.order_id where o.client_reference = ?", reference)).isEqualTo(1);
        assertThat(hub.count("select count(*) from acme_server_order where id = ? and status = 'processing' and order_id is not null", acmeId(order)))
            .isEqualTo(1);

        order.waitForCompletion(Duration.ofSeconds(90));
        assertThat(order.getStatus()).isEqualTo(Status.VALID);
        List<X509Certificate> chain = order.getCertificate().getCertificateChain();
        assertThat(chain).hasSizeGreaterThanOrEqualTo(2);
        List<String> sans = new ArrayList<>();
        chain.get(0).getSubjectAlternativeNames().forEach(n -> sans.add(String.valueOf(n.get(1))));
        assertThat(sans).contains("shop1.example.com", "www.shop1.example.com");
        assertThat(chain.get(0).getPublicKey()).isEqualTo(issuedKey.getPublic());
        assertThat(hub.count("select count(*) from orders where client_reference = ? and state = 'COMPLETED'", reference)).isEqualTo(1);
        assertThat(hub.count("select count(*) from hold h join orders o on o.id = h.order_id where o.client_reference = ? and h.state = 'CAPTURED'",
            reference)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal j join orders o on o.id = j.order_id where o.client_reference = ? and j.entry_type = 'CAPTURE'",
            reference)).isEqualTo(1);
        long after = hub.jdbc().queryForObject("select balance_minor - held_minor from account where id = 'demo'", Long.class);
        assertThat(available - after).as("one year of quickssl_premium, captured once").isEqualTo(4900);
        issued = order;

        // the reseller sees the account and the order (the dashboard's ACME page reads these); another reseller does not
        String certhubId = hub.jdbc().queryForObject("select id from orders where client_reference = ?", String.class, reference);
        JsonNode listed = null;
        for (JsonNode o : OrderJson.parse(hub.get("/api/v1/acme/orders", "demo-key").body()).get("items")) {
            if (o.get("id").asText().equals(acmeId(order))) {
                listed = o;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("status").asText()).isEqualTo("valid");
        assertThat(listed.get("orderId").asText()).isEqualTo(certhubId);
        assertThat(listed.get("customer").asText()).isEqualTo("Shop One");
        assertThat(listed.get("identifiers").toString()).isEqualTo("[\"shop1.example.com\",\"www.shop1.example.com\"]");
        String accountId = account.getLocation().toString().substring(account.getLocation().toString().lastIndexOf('/') + 1);
        assertThat(OrderJson.parse(hub.get("/api/v1/acme/accounts", "demo-key").body()).get("items").findValuesAsText("id")).contains(accountId);
        assertThat(OrderJson.parse(hub.get("/api/v1/acme/orders", "other-key").body()).get("items")).isEmpty();
        assertThat(OrderJson.parse(hub.get("/api/v1/acme/accounts", "other-key").body()).get("items")).isEmpty();
    }

    @Test
    @Order(2)
    void aFinalizeRetriedAfterARestartMakesNoSecondOrderHoldOrVendorOrder() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(issued != null, "needs the issued order of the first test");
        String vendorOrderId = hub.jdbc().queryForObject("select vendor_order_id from orders where client_reference = ?", String.class, reference);
        hub.restart();
        issued.execute(csr(issuedKey, "shop1.example.com", "www.shop1.example.com"));
        assertThat(issued.getStatus()).isEqualTo(Status.VALID);
        assertThat(hub.count("select count(*) from orders where client_reference = ?", reference)).isEqualTo(1);
        assertThat(hub.count("select count(*) from hold h join orders o on o.id = h.order_id where o.client_reference = ?", reference)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal j join orders o on o.id = j.order_id where o.client_reference = ? and j.entry_type = 'HOLD'",
            reference)).isEqualTo(1);
        assertThat(hub.count("select count(*) from sandbox_order where domain = 'shop1.example.com'")).isEqualTo(1);
        assertThat(hub.jdbc().queryForObject("select vendor_order_id from orders where client_reference = ?", String.class, reference))
            .isEqualTo(vendorOrderId);
    }

    @Test
    @Order(3)
    void aChallengeNotServedMakesTheAuthorizationAndTheOrderInvalidAndHoldsNothing() throws Exception {
        Account account = account("Shop Two", "[\"quickssl_premium\"]", true);
        org.shredzone.acme4j.Order order = account.newOrder().domains("shop2.example.com").create();
        Authorization auth = order.getAuthorizations().get(0);
        Http01Challenge ch = auth.findChallenge(Http01Challenge.class).orElseThrow();
        ch.trigger();                                               // nothing served for this token
        assertThat(ch.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.INVALID);
        assertThat(hub.jdbc().queryForObject("select validation_attempts from acme_server_authz where acme_order_id = ?", Integer.class,
            acmeId(order))).as("tried hub.acme.validation-attempts times").isEqualTo(3);
        assertThat(ch.getError()).get().satisfies(p -> assertThat(p.getType().toString()).isEqualTo("urn:ietf:params:acme:error:incorrectResponse"));
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.INVALID);
        assertThatThrownBy(() -> order.execute(csr(key(), "shop2.example.com"))).isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:orderNotReady"));
        assertThat(hub.count("select count(*) from orders where client_reference = ?", "ACME-" + acmeId(order))).isZero();
    }

    @Test
    @Order(4)
    void aCsrForOtherNamesIsBadCsrAndTheOrderStaysReady() throws Exception {
        Account account = account("Shop Three", "[\"quickssl_premium\"]", true);
        org.shredzone.acme4j.Order order = account.newOrder().domains("shop3.example.com").create();
        Authorization auth = order.getAuthorizations().get(0);
        Dns01Challenge ch = auth.findChallenge(Dns01Challenge.class).orElseThrow();
        challenges.setTxt("_acme-challenge." + auth.getIdentifier().getDomain(), ch.getDigest());
        ch.trigger();
        assertThat(order.waitUntilReady(Duration.ofSeconds(30))).isEqualTo(Status.READY);
        assertThatThrownBy(() -> order.execute(csr(key(), "shop3.example.com", "other.example.com"))).isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:badCSR"));
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.READY);
        assertThat(hub.count("select count(*) from orders where client_reference = ?", "ACME-" + acmeId(order))).isZero();

        // another customer's account cannot read or finalize it
        org.shredzone.acme4j.Login other = login("Someone Else", "[\"quickssl_premium\"]", true);
        org.shredzone.acme4j.Order foreign = other.bindOrder(order.getLocation());
        assertThatThrownBy(foreign::fetch).isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:unauthorized"));
    }

    @Test
    @Order(5)
    void aKeyWithoutContactsOrAProfileTheKeyDoesNotOfferIsRefusedAtNewOrder() throws Exception {
        Account noContacts = account("No Contacts", "[\"quickssl_premium\"]", false);
        assertThatThrownBy(() -> noContacts.newOrder().domains("shop4.example.com").create()).isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:unauthorized"));
        Account dvOnly = account("DV Only", "[\"quickssl_premium\"]", true);
        assertThatThrownBy(() -> dvOnly.newOrder().domains("shop5.example.com").profile("comodo_wildcard").create())
            .isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:invalidProfile"));
        assertThatThrownBy(() -> dvOnly.newOrder().domains("*.shop5.example.com").create()).isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:rejectedIdentifier"));
        assertThat(hub.count("select count(*) from acme_server_order where identifiers like '%shop4%' or identifiers like '%shop5%'")).isZero();
        Map<String, Object> dir = hub.jdbc().queryForMap("select count(*) n from acme_server_order");
        assertThat(((Number) dir.get("n")).longValue()).isEqualTo(3);
    }

    @Test
    @Order(6)
    void renewalInformationFollowsTheHubsRenewalRuleAndTheAccountKeyRevokesOnlyItsOwnCertificate() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(issued != null, "needs the issued order of the first test");
        org.shredzone.acme4j.Certificate cert = issued.getCertificate();
        X509Certificate leaf = cert.getCertificate();
        assertThat(cert.hasRenewalInfo()).isTrue();
        org.shredzone.acme4j.RenewalInfo ari = cert.getRenewalInfo();
        Instant rule = hub.context().getBean(io.certhub.term.ValidityCaps.class).renewalPoint(leaf.getNotBefore().toInstant(),
            leaf.getNotAfter().toInstant()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        assertThat(ari.getSuggestedWindowStart()).isEqualTo(rule);
        assertThat(ari.getSuggestedWindowEnd()).isAfter(rule).isBefore(leaf.getNotAfter().toInstant());
        assertThat(ari.renewalIsNotRequired(Instant.now())).isTrue();

        // another customer's account key cannot revoke it
        org.shredzone.acme4j.Login other = login("Not The Owner", "[\"quickssl_premium\"]", true);
        assertThatThrownBy(() -> org.shredzone.acme4j.Certificate.revoke(other, leaf, org.shredzone.acme4j.RevocationReason.KEY_COMPROMISE))
            .isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:unauthorized"));
        assertThat(hub.count("select count(*) from certificate c join orders o on o.id = c.order_id where o.client_reference = ? and c.state = 'ACTIVE'",
            reference)).isEqualTo(1);

        cert.revoke(org.shredzone.acme4j.RevocationReason.KEY_COMPROMISE);
        assertThat(hub.jdbc().queryForMap("select c.state, c.revocation_reason from certificate c join orders o on o.id = c.order_id"
            + " where o.client_reference = ?", reference)).containsEntry("state", "REVOKED").containsEntry("revocation_reason", "keyCompromise");
        assertThatThrownBy(() -> cert.revoke()).isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:alreadyRevoked"));
        ari.fetch();
        assertThat(ari.renewalIsOverdue(Instant.now())).as("a revoked certificate is renewed at once").isTrue();
    }

    @Test
    @Order(7)
    void theAccountsOfOneEabKeyMakeAtMostTheHourlyNumberOfOrders() throws Exception {
        org.shredzone.acme4j.Login busy = login("Busy Shop", "[\"quickssl_premium\"]", true);
        Account account = busy.getAccount();
        // six clients of the one account order at the same moment (each its own session): two orders are made
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(6);
        List<java.util.concurrent.Future<String>> outcomes = new ArrayList<>();
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 6; i++) {
                String domain = "busy" + i + ".example.com";
                outcomes.add(clients.submit(() -> {
                    Account same = session().login(busy.getAccountLocation(), busy.getKeyPair()).getAccount();
                    go.await();
                    try {
                        same.newOrder().domains(domain).create();
                        return "made";
                    } catch (org.shredzone.acme4j.exception.AcmeRateLimitedException limited) {
                        return "rateLimited";
                    }
                }));
            }
            go.countDown();
            List<String> seen = new ArrayList<>();
            for (java.util.concurrent.Future<String> f : outcomes) {
                seen.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(seen).containsExactlyInAnyOrder("made", "made", "rateLimited", "rateLimited", "rateLimited", "rateLimited");
        } finally {
            clients.shutdownNow();
        }
        assertThatThrownBy(() -> account.newOrder().domains("busy9.example.com").create())
            .isInstanceOf(org.shredzone.acme4j.exception.AcmeRateLimitedException.class)
            .satisfies(e -> {
                org.shredzone.acme4j.exception.AcmeRateLimitedException r = (org.shredzone.acme4j.exception.AcmeRateLimitedException) e;
                assertThat(r.getType().toString()).isEqualTo("urn:ietf:params:acme:error:rateLimited");
                assertThat(r.getRetryAfter()).get().satisfies(at -> assertThat(at).isBetween(Instant.now().plusSeconds(3500), Instant.now().plusSeconds(3700)));
            });
        assertThat(hub.count("select count(*) from acme_server_order where identifiers like 'busy%'")).isEqualTo(2);
        // another key is not held back by this one's orders
        account("Quiet Shop", "[\"quickssl_premium\"]", true).newOrder().domains("quiet.example.com").create();
    }

    @Test
    @Order(8)
    void theAccountListsItsLiveOrdersAndAnOrderNotFinalizedInItsLifetimeEnds() throws Exception {
        Account account = account("Slow Shop", "[\"quickssl_premium\"]", true);
        org.shredzone.acme4j.Order order = account.newOrder().domains("slow.example.com").create();
        List<String> listed = new ArrayList<>();
        account.getOrders().forEachRemaining(o -> listed.add(o.getLocation().toString()));
        assertThat(listed).containsExactly(order.getLocation().toString());

        assertThat(hub.jdbc().update("update acme_server_order set expires_at = ? where id = ?",
            java.sql.Timestamp.from(Instant.now().minusSeconds(1)), acmeId(order))).isEqualTo(1);
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.INVALID);
        Authorization auth = order.getAuthorizations().get(0);
        auth.fetch();
        assertThat(auth.getStatus()).isEqualTo(Status.EXPIRED);
        assertThatThrownBy(() -> order.execute(csr(key(), "slow.example.com"))).isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:orderNotReady"));
        List<String> after = new ArrayList<>();
        account.getOrders().forEachRemaining(o -> after.add(o.getLocation().toString()));
        assertThat(after).isEmpty();
    }
}
