package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACME front door's EAB keys over HTTP (issue 15 §2, first step): a reseller makes a key for a
 * customer and gets its HMAC key once; the key is listed and read without it, only by its account;
 * bad fields are named; an Idempotency-Key retry after a restart answers the same key and makes no
 * second row; a revoked key says so.
 */
class AcmeEabKeyTest {

    @TempDir
    static Path dir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dir);
    }

    static String request(String customer, String products, Instant expiresAt) {
        return "{\"customer\":\"" + customer + "\",\"products\":" + products + ",\"expiresAt\":\"" + expiresAt + "\"}";
    }

    @Test
    void aKeyIsMadeShownOnceListedAndRevoked() {
        Instant expires = Instant.now().plus(Duration.ofDays(90)).truncatedTo(ChronoUnit.SECONDS);
        HttpResponse<String> r = hub.post("/api/v1/acme/eab-keys", "demo-key",
            request("Shop Ltd", "[\"quickssl_premium\",\"quickssl_premium\",\"rapidssl\"]", expires));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode made = OrderJson.parse(r.body());
        String kid = made.get("kid").asText();
        assertThat(kid).matches("kid_[A-Za-z0-9_-]{22}");
        assertThat(r.headers().firstValue("Location")).contains("/api/v1/acme/eab-keys/" + kid);
        assertThat(made.get("hmacKey").asText()).matches("[A-Za-z0-9_-]{43}");
        assertThat(made.get("customer").asText()).isEqualTo("Shop Ltd");
        assertThat(made.get("products").toString()).isEqualTo("[\"quickssl_premium\",\"rapidssl\"]");
        assertThat(Instant.parse(made.get("expiresAt").asText())).isEqualTo(expires);
        assertThat(made.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(hub.jdbc().queryForObject("select hmac_key from acme_eab_key where kid = ?", String.class, kid))
            .isEqualTo(made.get("hmacKey").asText());

        JsonNode one = OrderJson.parse(hub.get("/api/v1/acme/eab-keys/" + kid, "demo-key").body());
        assertThat(one.has("hmacKey")).isFalse();
        assertThat(one.get("kid").asText()).isEqualTo(kid);
        JsonNode list = OrderJson.parse(hub.get("/api/v1/acme/eab-keys", "demo-key").body());
        assertThat(list.get("items")).anyMatch(k -> k.get("kid").asText().equals(kid) && !k.has("hmacKey"));
        assertThat(hub.get("/api/v1/acme/eab-keys/" + kid, "other-key").statusCode()).isEqualTo(404);
        assertThat(OrderJson.parse(hub.get("/api/v1/acme/eab-keys", "other-key").body()).get("items").toString()).doesNotContain(kid);

        assertThat(hub.call("DELETE", "/api/v1/acme/eab-keys/" + kid, "other-key", null).statusCode()).isEqualTo(404);
        assertThat(hub.call("DELETE", "/api/v1/acme/eab-keys/" + kid, "demo-key", null).statusCode()).isEqualTo(204);
        JsonNode revoked = OrderJson.parse(hub.get("/api/v1/acme/eab-keys/" + kid, "demo-key").body());
        assertThat(revoked.get("state").asText()).isEqualTo("REVOKED");
        String revokedAt = revoked.get("revokedAt").asText();
        assertThat(hub.call("DELETE", "/api/v1/acme/eab-keys/" + kid, "demo-key", null).statusCode()).isEqualTo(204);
        assertThat(OrderJson.parse(hub.get("/api/v1/acme/eab-keys/" + kid, "demo-key").body()).get("revokedAt").asText()).isEqualTo(revokedAt);
    }

    @Test
    void badFieldsAreNamed() {
        Instant soon = Instant.now().plus(Duration.ofDays(1));
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", "{\"products\":[\"quickssl_premium\"],\"expiresAt\":\"" + soon + "\"}"),
            "FIELD_REQUIRED", "customer");
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", request("Shop", "[]", soon)), "FIELD_REQUIRED", "products");
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", request("Shop", "[\"quickssl_premium\",\"nope\"]", soon)),
            "FIELD_INVALID", "products[1]");
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", request("Shop", "[\"quickssl_premium\"]", Instant.now().minusSeconds(60))),
            "FIELD_INVALID", "expiresAt");
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", request("Shop", "[\"quickssl_premium\"]", Instant.now().plus(Duration.ofDays(400)))),
            "FIELD_INVALID", "expiresAt");
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", "{\"customer\":\"Shop\",\"products\":[\"quickssl_premium\"],\"expiresAt\":\"tomorrow\"}"),
            "FIELD_INVALID", "expiresAt");
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", request("Sh\\u0000op", "[\"quickssl_premium\"]", soon)),
            "FIELD_INVALID_CHARACTERS", "customer");
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", request("x".repeat(129), "[\"quickssl_premium\"]", soon)),
            "FIELD_TOO_LONG", "customer");
        assertProblem(hub.post("/api/v1/acme/eab-keys", "demo-key", "{\"customer\":\"Shop\",\"products\":[\"quickssl_premium\"],\"expiresAt\":\""
            + soon + "\",\"profile\":\"x\"}"), "FIELD_UNKNOWN", "profile");
        assertThat(hub.count("select count(*) from acme_eab_key where customer like 'Sh%' and customer <> 'Shop Ltd'")).isZero();
    }

    static void assertProblem(HttpResponse<String> r, String code, String field) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode p = OrderJson.parse(r.body());
        JsonNode named = p.has("errors") ? p.get("errors").get(0) : p;
        assertThat(named.get("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(named.get("field").asText()).as(r.body()).isEqualTo(field);
    }

    @Test
    void anIdempotentRetryAfterARestartAnswersTheSameKey() {
        String body = request("Retry GmbH", "[\"quickssl_premium\"]", Instant.now().plus(Duration.ofDays(10)).truncatedTo(ChronoUnit.SECONDS));
        HttpResponse<String> first = hub.post("/api/v1/acme/eab-keys", "demo-key", body, "Idempotency-Key", "eab-retry-1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        hub.restart();
        HttpResponse<String> again = hub.post("/api/v1/acme/eab-keys", "demo-key", body, "Idempotency-Key", "eab-retry-1");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        assertThat(OrderJson.parse(again.body()).get("kid").asText()).isEqualTo(OrderJson.parse(first.body()).get("kid").asText());
        assertThat(OrderJson.parse(again.body()).get("hmacKey").asText()).isEqualTo(OrderJson.parse(first.body()).get("hmacKey").asText());
        assertThat(hub.count("select count(*) from acme_eab_key where customer = 'Retry GmbH'")).isEqualTo(1);
    }
}
