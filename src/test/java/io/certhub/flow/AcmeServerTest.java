package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.exception.AcmeServerException;

/**
 * The hub as an ACME server (issue 15 §2, second step), across the wire with acme4j as the customer's
 * client: an account is made with the EAB key a reseller made (RFC 8555 §7.3.4), binds that key to
 * the reseller account and customer, and is found again by its key; a client without a binding, with
 * a spent, revoked or unknown key or a wrong MAC is refused with the RFC 8555 error type; a request
 * with a nonce the hub never gave is {@code badNonce} with a fresh nonce to retry with.
 */
class AcmeServerTest {

    @TempDir
    static Path dir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        // acme4j makes three requests per account; the flood limit is AcmeServerThrottleTest's
        hub = RunningHub.start(dir, "--hub.acme.requests-per-second=1000");
    }

    static String directory() {
        return "http://127.0.0.1:" + hub.port() + "/acme/directory";
    }

    /** @return {kid, hmacKey} of a new EAB key of account demo */
    static Map<String, String> eabKey(String customer) {
        HttpResponse<String> r = hub.post("/api/v1/acme/eab-keys", "demo-key", "{\"customer\":\"" + customer
            + "\",\"products\":[\"quickssl_premium\"],\"expiresAt\":\"" + Instant.now().plus(Duration.ofDays(30)) + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode k = OrderJson.parse(r.body());
        return Map.of("kid", k.get("kid").asText(), "hmac", k.get("hmacKey").asText());
    }

    static KeyPair key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    @Test
    void anAccountIsBoundToTheResellersKeyAndFoundAgainByItsKey() throws Exception {
        Map<String, String> eab = eabKey("Shop Ltd");
        KeyPair accountKey = key();
        Account account = new AccountBuilder().agreeToTermsOfService().addEmail("ops@shop.example")
            .withKeyIdentifier(eab.get("kid"), eab.get("hmac")).useKeyPair(accountKey).create(new Session(URI.create(directory())));
        String location = account.getLocation().toString();
        assertThat(location).startsWith("http://127.0.0.1:" + hub.port() + "/acme/acct/");
        String id = location.substring(location.lastIndexOf('/') + 1);
        Map<String, Object> row = hub.jdbc().queryForMap("select account_id, customer, eab_kid, contact, status from acme_client_account where id = ?", id);
        assertThat(row).containsEntry("account_id", "demo").containsEntry("customer", "Shop Ltd").containsEntry("eab_kid", eab.get("kid"))
            .containsEntry("contact", "mailto:ops@shop.example").containsEntry("status", "valid");
        JsonNode key = OrderJson.parse(hub.get("/api/v1/acme/eab-keys/" + eab.get("kid"), "demo-key").body());
        assertThat(key.get("state").asText()).isEqualTo("BOUND");
        assertThat(key.get("boundAccount").asText()).isEqualTo(location);

        // the same key finds its account again (RFC 8555 §7.3.1), with or without the binding
        Account again = new AccountBuilder().onlyExisting().useKeyPair(accountKey).create(new Session(URI.create(directory())));
        assertThat(again.getLocation().toString()).isEqualTo(location);
        assertThat(hub.count("select count(*) from acme_client_account where eab_kid = ?", eab.get("kid"))).isEqualTo(1);

        // a second client with the spent key is refused
        assertRefused(() -> new AccountBuilder().agreeToTermsOfService().withKeyIdentifier(eab.get("kid"), eab.get("hmac")).useKeyPair(key())
            .create(new Session(URI.create(directory()))), "unauthorized");
        assertThat(hub.count("select count(*) from acme_client_account where eab_kid = ?", eab.get("kid"))).isEqualTo(1);
    }

    @Test
    void clientsWithoutAGoodBindingAreRefusedWithTheRfcErrorType() throws Exception {
        long before = hub.count("select count(*) from acme_client_account");
        assertRefused(() -> new AccountBuilder().agreeToTermsOfService().useKeyPair(key()).create(new Session(URI.create(directory()))),
            "externalAccountRequired");
        assertRefused(() -> new AccountBuilder().onlyExisting().useKeyPair(key()).create(new Session(URI.create(directory()))),
            "accountDoesNotExist");
        Map<String, String> eab = eabKey("Revoked Inc");
        assertThat(hub.call("DELETE", "/api/v1/acme/eab-keys/" + eab.get("kid"), "demo-key", null).statusCode()).isEqualTo(204);
        assertRefused(() -> new AccountBuilder().agreeToTermsOfService().withKeyIdentifier(eab.get("kid"), eab.get("hmac")).useKeyPair(key())
            .create(new Session(URI.create(directory()))), "unauthorized");
        Map<String, String> other = eabKey("Other Co");
        String wrongMac = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        assertRefused(() -> new AccountBuilder().agreeToTermsOfService().withKeyIdentifier(other.get("kid"), wrongMac).useKeyPair(key())
            .create(new Session(URI.create(directory()))), "unauthorized");
        assertRefused(() -> new AccountBuilder().agreeToTermsOfService().withKeyIdentifier("kid_nosuchkeyatallxxxxxx", other.get("hmac"))
            .useKeyPair(key()).create(new Session(URI.create(directory()))), "unauthorized");
        assertThat(hub.count("select count(*) from acme_client_account")).isEqualTo(before);
        assertThat(OrderJson.parse(hub.get("/api/v1/acme/eab-keys/" + other.get("kid"), "demo-key").body()).get("state").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void aNonceTheHubNeverGaveIsBadNonceWithAFreshOne() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/acme/new-nonce"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Replay-Nonce")).get().asString().matches("[A-Za-z0-9_-]{22}");
        assertThat(head.headers().firstValue("Cache-Control")).contains("no-store");

        // a JWS signed properly but with a made-up nonce (jose4j, as a client would)
        org.jose4j.jwk.EllipticCurveJsonWebKey jwk = org.jose4j.jwk.EcJwkGenerator.generateJwk(org.jose4j.keys.EllipticCurves.P256);
        org.jose4j.jws.JsonWebSignature jws = new org.jose4j.jws.JsonWebSignature();
        jws.setAlgorithmHeaderValue("ES256");
        jws.setJwkHeader(jwk);
        jws.setHeader("nonce", "made-up-nonce");
        jws.setHeader("url", "http://127.0.0.1:" + hub.port() + "/acme/new-account");
        jws.setPayload("{\"termsOfServiceAgreed\":true}");
        jws.setKey(jwk.getPrivateKey());
        String[] parts = jws.getCompactSerialization().split("\\.");
        String body = "{\"protected\":\"" + parts[0] + "\",\"payload\":\"" + parts[1] + "\",\"signature\":\"" + parts[2] + "\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/acme/new-account"))
            .header("Content-Type", "application/jose+json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        assertThat(OrderJson.parse(r.body()).get("type").asText()).isEqualTo("urn:ietf:params:acme:error:badNonce");
        assertThat(r.headers().firstValue("Replay-Nonce")).isPresent();

        HttpResponse<String> dir = http.send(HttpRequest.newBuilder(URI.create(directory())).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode d = OrderJson.parse(dir.body());
        assertThat(d.get("newAccount").asText()).isEqualTo("http://127.0.0.1:" + hub.port() + "/acme/new-account");
        assertThat(d.get("meta").get("externalAccountRequired").asBoolean()).isTrue();
    }

    interface Call {
        void run() throws Exception;
    }

    static void assertRefused(Call call, String type) {
        assertThatThrownBy(call::run).isInstanceOf(AcmeServerException.class)
            .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:" + type));
    }
}
