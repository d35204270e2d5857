package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.pki.Certificates;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestAriFront;
import io.certhub.support.TestCsrs;
import io.certhub.support.TestPebble;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 §1, across the wire: the hub sells an ACME product beside its OpenSRS ones
 * ({@code hub.catalog.products.acme_dv.issuer: acme}) and orders it from Debian's pebble
 * ({@link TestPebble}: RFC 8555, External Account Binding required, reached over HTTPS trusting
 * only its test root). A DV order placed by REST holds its price, is placed at the CA, and shows
 * the dns-01 record to publish; once the "customer" publishes it on the challenge server's DNS the
 * hub sees it, asks the CA to validate (likewise an http-01 order once its file is served), finalizes with the order's CSR, downloads the chain, checks
 * it against the CA's root, completes the order, captures the hold and emails the certificate to
 * the admin contact over SMTP; the database is counted after. An email-validated order of the
 * product is refused at the door (an ACME CA has no approver email); a cancelled one releases its
 * hold and its authorization at the CA is deactivated. Pebble rejects {@value #NONCE_REJECT_PERCENT}%
 * of the nonces it is sent ({@code badNonce}, RFC 8555 §6.5) throughout.
 */
class AcmeFlowTest {

    /** Share of nonces pebble rejects (badNonce): every call of the hub must survive them. */
    static final int NONCE_REJECT_PERCENT = 30;

    @TempDir
    static Path dir;
    static TestPebble pebble;
    static TestAriFront ari;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() throws Exception {
        Path pebbleDir = Files.createDirectories(dir.resolve("pebble"));
        // certificates of 100 days: a one-year term goes on past the first, so it has a next reissue
        pebble = TestPebble.start(pebbleDir, NONCE_REJECT_PERCENT, Duration.ofDays(100), "certhub-reseller", "certhub-other");
        ari = TestAriFront.start(pebble);
        Map.Entry<String, String> eab = Map.entry("certhub-reseller", pebble.eabKeys().get("certhub-reseller"));
        Path root = pebble.issuingRootPem(pebbleDir.resolve("pebble-root.pem"));
        Path data = Files.createDirectories(dir.resolve("hub"));
        hub = RunningHub.start(data,
            "--hub.vendor.acme.directory-url=" + ari.directory(),
            "--hub.vendor.acme.renewal-info-cron=0/1 * * * * ?", "--hub.vendor.acme.renewal-info-min-interval=1s",
            "--hub.vendor.acme.renewal-info-max-interval=1h", "--hub.vendor.acme.eab-kid=" + eab.getKey(),
            "--hub.vendor.acme.eab-hmac-key=" + eab.getValue(), "--hub.vendor.acme.trusted-roots=" + pebble.tlsRootPem(),
            "--hub.vendor.acme.dns-resolver=" + pebble.dnsServer(), "--hub.vendor.acme.http-port=" + pebble.http01Port(),
            "--hub.vendor.acme.http-check-private-addresses=true",
            // reseller account "other" binds its own ACME account with its own EAB key; "unbound" with a key the CA does not know
            "--hub.vendor.acme.accounts.other.eab-kid=certhub-other", "--hub.vendor.acme.accounts.other.eab-hmac-key=" + pebble.eabKeys().get("certhub-other"),
            "--hub.vendor.acme.accounts.unbound.eab-kid=not-a-pebble-key",
            "--hub.vendor.acme.accounts.unbound.eab-hmac-key=" + pebble.eabKeys().get("certhub-other"),
            "--hub.catalog.products.acme_dv.name=ACME DV", "--hub.catalog.products.acme_dv.validation=DV",
            "--hub.catalog.products.acme_dv.price-per-year=12.00", "--hub.catalog.products.acme_dv.periods=1",
            "--hub.catalog.products.acme_dv.issuer=acme", "--hub.catalog.products.acme_dv.dcv-methods=dns,http",
            // ordered with an ACME profile the directory offers, and with one it does not
            "--hub.catalog.products.acme_short.name=ACME short-lived", "--hub.catalog.products.acme_short.validation=DV",
            "--hub.catalog.products.acme_short.price-per-year=5.00", "--hub.catalog.products.acme_short.periods=1",
            "--hub.catalog.products.acme_short.issuer=acme", "--hub.catalog.products.acme_short.dcv-methods=dns",
            "--hub.catalog.products.acme_short.acme-profile=shortlived",
            "--hub.catalog.products.acme_tls.name=ACME TLS server", "--hub.catalog.products.acme_tls.validation=DV",
            "--hub.catalog.products.acme_tls.price-per-year=7.00", "--hub.catalog.products.acme_tls.periods=1",
            "--hub.catalog.products.acme_tls.issuer=acme", "--hub.catalog.products.acme_tls.dcv-methods=dns",
            "--hub.catalog.products.acme_tls.acme-profile=tlsserver",
            "--hub.mailbox.trusted-roots=" + data.resolve("sandbox-ca/root.crt") + "," + root,
            "--hub.vendor.poll-cron=0/1 * * * * ?", "--hub.vendor.poll-base=1s", "--hub.vendor.poll-max=2s",
            "--hub.mail.delivery-sweep-ms=200");
        HttpResponse<String> deposit = hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"100.00\",\"currency\":\"USD\"}");
        assertThat(deposit.statusCode()).as(deposit.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (ari != null) {
            ari.close();
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    static ObjectNode acmeOrder(String ref, String domain, String dcvMethod) {
        ObjectNode doc = OrderJson.order(ref, "acme_dv", "process", domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", dcvMethod);
        doc.remove("approverEmail");
        return doc;
    }

    @Test
    void aDnsValidatedAcmeOrderIsIssuedCompletedCapturedAndDeliveredOnce() throws Exception {
        String domain = "shop-acme.example.com";
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", acmeOrder("ACME-1", domain, "dns").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        assertThat(hub.count("select count(*) from hold where order_id = ? and state = 'HELD' and amount_minor = 1200", id)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).path("dcv").path("dns").hasNonNull("value"));
        JsonNode order = hub.order(id);
        assertThat(order.get("vendorOrderId").asText()).matches("A\\d{20}");
        JsonNode dns = order.get("dcv").get("dns");
        assertThat(dns.get("name").asText()).isEqualTo("_acme-challenge." + domain);
        assertThat(dns.get("type").asText()).isEqualTo("TXT");
        assertThat(order.get("state").asText()).isEqualTo("IN_PROGRESS");

        pebble.setTxt(dns.get("name").asText(), dns.get("value").asText());     // the customer publishes the record

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
            .until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));
        JsonNode done = hub.order(id);
        assertThat(done.get("hold").get("state").asText()).isEqualTo("CAPTURED");
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from acme_order where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from acme_account where account_id = 'demo'")).isEqualTo(1);

        // the admin contact (shared by this class's orders) gets exactly one email with this order's certificate
        await().atMost(Duration.ofSeconds(60)).until(() -> mailsWith("shop-acme_example_com.crt").size() == 1);
        Mailboxes.Mail mail = mailsWith("shop-acme_example_com.crt").get(0);
        List<X509Certificate> leaf = Certificates.parseAny(mail.attachments().get("shop-acme_example_com.crt"));
        assertThat(leaf).hasSize(1);
        assertThat(leaf.get(0).getSubjectAlternativeNames()).anyMatch(n -> domain.equals(n.get(1)));
        assertThat(leaf.get(0).getIssuerX500Principal().getName()).contains("Pebble");
        await().atMost(Duration.ofSeconds(30)).until(() -> "SENT".equals(hub.order(id).path("delivery").path("state").asText()));
    }

    @Test
    void theCasRenewalInformationSetsTheNextReissueAndItsChangeIsFollowed() throws Exception {
        Instant now = Instant.now();
        Instant start = now.plus(Duration.ofDays(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant end = start.plus(Duration.ofDays(2));
        ari.window(start, end, null, 1);
        String domain = "ari-acme.example.com";
        String id = placeAcme("demo-key", "ACME-10", domain);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).path("dcv").path("dns").hasNonNull("value"));
        JsonNode dns = hub.order(id).get("dcv").get("dns");
        pebble.setTxt(dns.get("name").asText(), dns.get("value").asText());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
            .until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));

        // the scan reads the window of the new certificate and picks the reissue in it
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> !hub.order(id).path("term").path("renewalInfo").isNull() && hub.order(id).path("term").has("renewalInfo"));
        JsonNode term = hub.order(id).get("term");
        JsonNode info = term.get("renewalInfo");
        assertThat(Instant.parse(info.get("suggestedWindowStart").asText())).isEqualTo(start);
        assertThat(Instant.parse(info.get("suggestedWindowEnd").asText())).isEqualTo(end);
        Instant renewAt = Instant.parse(info.get("renewAt").asText());
        assertThat(renewAt).isBetween(start, end);
        assertThat(term.get("nextReissueAt").asText()).isEqualTo(info.get("renewAt").asText());
        assertThat(info.get("explanationUrl").isNull()).isTrue();
        // the CA was asked with RFC 9773's id of this certificate: base64url(AKI) "." base64url(serial)
        X509Certificate leaf = Certificates.parsePem(hub.jdbc().queryForObject("select leaf_pem from certificate where order_id = ?", String.class, id)).get(0);
        String serial = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(leaf.getSerialNumber().toByteArray());
        assertThat(ari.asked()).anyMatch(asked -> asked.endsWith("." + serial));

        // later reads with the same window keep the moment picked
        int asked = ari.asked().size();
        await().atMost(Duration.ofSeconds(30)).until(() -> ari.asked().size() >= asked + 2);
        assertThat(hub.order(id).get("term").get("renewalInfo").get("renewAt").asText()).isEqualTo(info.get("renewAt").asText());

        // an incident: the CA moves the window to now; the hub follows and says so in the order's history
        Instant urgentStart = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        ari.window(urgentStart, urgentStart.plus(Duration.ofHours(3)), "https://ca.example/incidents/42", 1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> "https://ca.example/incidents/42".equals(hub.order(id).get("term").get("renewalInfo").path("explanationUrl").asText()));
        JsonNode moved = hub.order(id).get("term");
        Instant movedAt = Instant.parse(moved.get("renewalInfo").get("renewAt").asText());
        assertThat(movedAt).isBetween(urgentStart, urgentStart.plus(Duration.ofHours(3)));
        assertThat(moved.get("nextReissueAt").asText()).isEqualTo(moved.get("renewalInfo").get("renewAt").asText());
        assertThat(hub.order(id).get("history").toString()).contains("ACME renewal information").contains("https://ca.example/incidents/42");
        ari.window(start, end, null, 1);                 // the other tests' certificates get the quiet window again
    }

    @Test
    void aCertificateIsRevokedAtTheCaWithItsAccountsKey() {
        String domain = "revoke-acme.example.com";
        String id = placeAcme("other-key", "ACME-11", domain);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> orderAs("other-key", id).path("dcv").path("dns").hasNonNull("value"));
        JsonNode dns = orderAs("other-key", id).get("dcv").get("dns");
        pebble.setTxt(dns.get("name").asText(), dns.get("value").asText());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
            .until(() -> orderAs("other-key", id).get("state").asText().equals("COMPLETED"));
        String cert = hub.jdbc().queryForObject("select id from certificate where order_id = ?", String.class, id);
        X509Certificate leaf = Certificates.parsePem(hub.jdbc().queryForObject("select leaf_pem from certificate where id = ?", String.class, cert)).get(0);
        assertThat(pebble.certificateStatus(leaf.getSerialNumber())).isEqualTo("Valid");

        HttpResponse<String> r = hub.post("/api/v1/certificates/" + cert + "/revoke", "other-key", "{\"reason\":\"keyCompromise\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(OrderJson.parse(r.body()).get("state").asText()).isEqualTo("REVOKED");
        assertThat(pebble.certificateStatus(leaf.getSerialNumber())).isEqualTo("Revoked");
        assertThat(hub.count("select count(*) from certificate where id = ? and state = 'REVOKED' and revocation_reason = 'keyCompromise'", cert))
            .isEqualTo(1);
        HttpResponse<String> again = hub.post("/api/v1/certificates/" + cert + "/revoke", "other-key", "{\"reason\":\"keyCompromise\"}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(OrderJson.parse(again.body()).get("code").asText()).isEqualTo("CERTIFICATE_ALREADY_REVOKED");
        // the adapter's retry after a lost reply (the recovery's path): the CA answers alreadyRevoked, which counts as revoked
        io.certhub.issuer.acme.AcmeAdapter acme = hub.context().getBean(io.certhub.issuer.acme.AcmeAdapter.class);
        String vendorOrderId = hub.jdbc().queryForObject("select id from acme_order where order_id = ?", String.class, id);
        assertThat(acme.revoke(vendorOrderId, leaf.getSerialNumber().toString(16), io.certhub.issuer.VendorAdapter.RevocationReason.KEY_COMPROMISE))
            .isEqualTo("revoked");
        // another serial than the order's certificate is not revoked through it
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> acme.revoke(vendorOrderId, "1234abcd",
                io.certhub.issuer.VendorAdapter.RevocationReason.KEY_COMPROMISE))
            .isInstanceOf(io.certhub.issuer.VendorException.class).hasMessageContaining("no certificate with serial 1234abcd");
    }

    @Test
    void aProductIsOrderedWithItsAcmeProfileAndAProfileTheCaDoesNotOfferIsDeclined() {
        ObjectNode offered = acmeOrder("ACME-12", "short-acme.example.com", "dns");
        offered.put("productType", "acme_short");
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", offered.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String shortId = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(shortId).path("dcv").path("dns").hasNonNull("value"));
        assertThat(hub.order(shortId).get("vendorOrderId").asText()).matches("A\\d{20}");

        ObjectNode notOffered = acmeOrder("ACME-13", "tls-acme.example.com", "dns");
        notOffered.put("productType", "acme_tls");
        HttpResponse<String> t = hub.post("/api/v1/orders", "demo-key", notOffered.toString());
        assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
        String tlsId = OrderJson.parse(t.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(tlsId).get("state").asText().equals("DECLINED"));
        JsonNode declined = hub.order(tlsId);
        assertThat(declined.get("hold").get("state").asText()).isEqualTo("RELEASED");
        assertThat(declined.get("lastError").get("detail").asText()).contains("ACME profile tlsserver")
            .contains("offers: classic, shortlived");
        assertThat(hub.count("select count(*) from acme_order where order_id = ?", tlsId)).isZero();
    }

    static List<Mailboxes.Mail> mailsWith(String attachment) {
        return Mailboxes.read(hub.imapPort(), "alex@example.com", "INBOX").stream().filter(m -> m.attachments().containsKey(attachment)).toList();
    }

    @Test
    void eachResellerAccountOrdersThroughItsOwnAcmeAccount() {
        String demo = placeAcme("demo-key", "ACME-6", "demo-own.example.com");
        String other = placeAcme("other-key", "ACME-7", "other-own.example.com");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(demo).path("vendorOrderId").asText("").startsWith("A")
                && orderAs("other-key", other).path("vendorOrderId").asText("").startsWith("A"));

        assertThat(hub.jdbc().queryForObject("select account_id from acme_order where order_id = ?", String.class, demo)).isEqualTo("demo");
        assertThat(hub.jdbc().queryForObject("select account_id from acme_order where order_id = ?", String.class, other)).isEqualTo("other");
        String demoAccount = hub.jdbc().queryForObject("select location from acme_account where account_id = 'demo'", String.class);
        String otherAccount = hub.jdbc().queryForObject("select location from acme_account where account_id = 'other'", String.class);
        assertThat(demoAccount).startsWith("https://").isNotEqualTo(otherAccount);
        assertThat(otherAccount).startsWith("https://");
        // each order is read at the CA with its own account's key: both show their DCV
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(demo).path("dcv").path("dns").hasNonNull("value")
                && orderAs("other-key", other).path("dcv").path("dns").hasNonNull("value"));
    }

    @Test
    void anAccountWhoseBindingTheCaRefusesWaitsWithTheReasonWhileOthersGoOn() {
        HttpResponse<String> opened = hub.post("/api/v1/accounts", "operator-key", "{\"id\":\"unbound\",\"currency\":\"USD\",\"openingBalance\":\"50.00\"}");
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
        String key = OrderJson.parse(opened.body()).get("apiKey").asText();

        String refused = placeAcme(key, "ACME-8", "unbound.example.com");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> orderAs(key, refused).path("lastError").path("detail").asText("").contains("ACME_ACCOUNT_REFUSED"));
        JsonNode order = orderAs(key, refused);
        assertThat(order.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(order.get("lastError").get("detail").asText()).contains("reseller account unbound").contains("not-a-pebble-key");
        assertThat(order.path("vendorOrderId").isMissingNode() || order.get("vendorOrderId").isNull()).isTrue();
        assertThat(order.get("hold").get("state").asText()).isEqualTo("HELD");
        assertThat(hub.count("select count(*) from acme_account where account_id = 'unbound'")).isZero();

        // placements are not paused for everyone: a demo order placed now reaches the CA
        String demo = placeAcme("demo-key", "ACME-9", "after-refusal.example.com");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(demo).path("vendorOrderId").asText("").startsWith("A"));
        assertThat(orderAs(key, refused).path("vendorOrderId").asText("")).isEmpty();
    }

    static JsonNode orderAs(String apiKey, String id) {
        return OrderJson.parse(hub.get("/api/v1/orders/" + id, apiKey).body());
    }

    static String placeAcme(String apiKey, String ref, String domain) {
        HttpResponse<String> r = hub.post("/api/v1/orders", apiKey, acmeOrder(ref, domain, "dns").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return OrderJson.parse(r.body()).get("id").asText();
    }

    @Test
    void anHttpValidatedAcmeOrderIsIssuedOnceTheCustomerServesTheFile() {
        String domain = "web-acme.example.com";
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", acmeOrder("ACME-5", domain, "http").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).path("dcv").path("http").hasNonNull("url"));
        JsonNode file = hub.order(id).get("dcv").get("http");
        String url = file.get("url").asText();
        assertThat(url).startsWith("http://" + domain + "/.well-known/acme-challenge/");
        assertThat(hub.order(id).get("state").asText()).isEqualTo("IN_PROGRESS");

        pebble.addHttp01(url.substring(url.lastIndexOf('/') + 1), file.get("content").asText());   // the customer's web server serves it

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
            .until(() -> hub.order(id).get("state").asText().equals("COMPLETED"));
        assertThat(hub.order(id).get("hold").get("state").asText()).isEqualTo("CAPTURED");
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", id)).isEqualTo(1);
    }

    @Test
    void aCancelledAcmeOrderReleasesItsHoldAndDeactivatesItsAuthorization() throws Exception {
        String domain = "cancel-acme.example.com";
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", acmeOrder("ACME-3", domain, "dns").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).path("dcv").path("dns").hasNonNull("value"));

        HttpResponse<String> cancel = hub.post("/api/v1/orders/" + id + "/cancel", "demo-key", "{\"reason\":\"customer changed plans\"}");
        assertThat(cancel.statusCode()).as(cancel.body()).isIn(200, 202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> hub.order(id).get("state").asText().equals("CANCELLED"));
        assertThat(hub.order(id).get("hold").get("state").asText()).isEqualTo("RELEASED");
        assertThat(hub.count("select count(*) from journal where order_id = ? and entry_type = 'RELEASE'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from certificate where order_id = ?", id)).isZero();
        // at the CA: the order's authorization is deactivated, so it can never be validated and issued
        assertThat(pebbleAuthorizationStatus(id)).isEqualTo("deactivated");
    }

    @Test
    void switchingAnAcmeOrderToEmailValidationIsRefused() {
        String domain = "switch-acme.example.com";
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", acmeOrder("ACME-4", domain, "dns").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = OrderJson.parse(r.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> hub.order(id).path("vendorOrderId").asText("").startsWith("A"));
        HttpResponse<String> change = hub.call("PATCH", "/api/v1/orders/" + id + "/dcv", "demo-key",
            "{\"dcvMethod\":\"email\",\"approverEmail\":\"admin@switch-acme.example.com\"}");
        assertThat(change.statusCode()).as(change.body()).isEqualTo(422);
        assertThat(OrderJson.parse(change.body()).get("code").asText()).isEqualTo("DCV_METHOD_NOT_ALLOWED");
        assertThat(hub.order(id).get("dcv").get("method").asText()).isEqualTo("dns");
    }

    /** The status of the first authorization of the order's ACME order, read from the CA with the hub's own account. */
    static String pebbleAuthorizationStatus(String orderId) throws Exception {
        io.certhub.issuer.acme.AcmeAdapter acme = hub.context().getBean(io.certhub.issuer.acme.AcmeAdapter.class);
        String vendorOrderId = hub.jdbc().queryForObject("select id from acme_order where order_id = ?", String.class, orderId);
        return acme.authorizationStates(vendorOrderId).get(0);
    }

    @Test
    void anEmailValidatedOrderOfAnAcmeProductIsRefusedAtTheDoor() {
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", acmeOrder("ACME-2", "mail-acme.example.com", "email")
            .put("approverEmail", "admin@mail-acme.example.com").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("DCV_METHOD_NOT_ALLOWED").contains("acme_dv validates by dns or http only");
        assertThat(hub.count("select count(*) from orders where client_reference = 'ACME-2'")).isZero();
    }
}
