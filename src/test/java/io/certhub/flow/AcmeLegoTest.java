package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.pki.Certificates;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestPebble;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 §2 with a real ACME client from Debian: {@code lego} (installed by {@code .ci/run})
 * against the hub's directory. An account with the EAB key a reseller made; an order whose http-01
 * challenge lego serves itself on loopback (its standalone server; the hub's check reaches it through
 * {@code hub.acme.http-port}, the name resolved by pebble's challenge test server's DNS); finalize
 * and download; a renewal (a new order, a new Certhub order and hold); revocation with the account
 * key. Every step is counted in the hub's rows.
 */
class AcmeLegoTest {

    static final Path LEGO = Path.of("/usr/bin/lego");

    @TempDir
    static Path dir;
    static TestPebble dns;
    static RunningHub hub;
    static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LEGO), "lego is not installed (apt-get install -y lego; .ci/run does this when it is missing)");
        TestPebble.assumeAvailable();
        dns = TestPebble.start(Files.createDirectories(dir.resolve("pebble")));
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        hub = RunningHub.start(Files.createDirectories(dir.resolve("hub")), "--hub.acme.requests-per-second=1000",
            "--hub.acme.dns-resolver=" + dns.dnsServer(), "--hub.acme.http-port=" + httpPort, "--hub.acme.validation-private-addresses=true",
            "--hub.vendor.poll-cron=0/1 * * * * ?", "--hub.vendor.poll-base=1s", "--hub.sandbox.approval-delay=1s", "--hub.acme.validation-poll-ms=100");
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /**
     * Runs lego with the common flags; returns its exit code, its output kept in a file for the report.
     * {@code revoke} names only the certificate's first domain (lego revokes one certificate per
     * domain given, and the certificate carries both).
     */
    static int lego(String kid, String hmac, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(LEGO.toString(), "--accept-tos", "--email", "ops@lego.example", "--server",
            "http://127.0.0.1:" + hub.port() + "/acme/directory", "--eab", "--kid", kid, "--hmac", hmac, "--domains", "lego.example.com"));
        if (!"revoke".equals(command[0])) {
            args.addAll(List.of("--domains", "www.lego.example.com"));
        }
        args.addAll(List.of("--http", "--http.port", "127.0.0.1:" + httpPort, "--cert.timeout", "90", "--path", dir.resolve("lego").toString()));
        args.addAll(List.of(command));
        Path log = dir.resolve("lego-" + command[0] + ".log");
        Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("lego " + command[0] + " did not end in 3 minutes: " + Files.readString(log));
        }
        System.out.println("lego " + String.join(" ", command) + " → " + p.exitValue() + "\n" + Files.readString(log));
        return p.exitValue();
    }

    static X509Certificate leaf() throws IOException {
        return Certificates.parsePem(Files.readString(dir.resolve("lego/certificates/lego.example.com.crt"))).get(0);
    }

    @Test
    void legoMakesAnAccountOrdersRenewsAndRevokesThroughTheHub() throws Exception {
        HttpResponse<String> r = hub.post("/api/v1/acme/eab-keys", "demo-key", "{\"customer\":\"Lego Shop\",\"products\":[\"quickssl_premium\"],"
            + "\"expiresAt\":\"" + Instant.now().plus(Duration.ofDays(30)) + "\",\"contacts\":{\"admin\":{\"firstName\":\"Lea\",\"lastName\":\"Go\","
            + "\"email\":\"lea@lego.example\",\"phone\":\"+1.5555550100\"}}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode key = OrderJson.parse(r.body());
        String kid = key.get("kid").asText();
        String hmac = key.get("hmacKey").asText();

        assertThat(lego(kid, hmac, "run")).isZero();
        X509Certificate first = leaf();
        assertThat(first.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
            .contains("lego.example.com", "www.lego.example.com");
        assertThat(hub.count("select count(*) from acme_client_account where eab_kid = ?", kid)).isEqualTo(1);
        assertThat(hub.count("select count(*) from orders where client_reference like 'ACME-%' and domain = 'lego.example.com' and state = 'COMPLETED'"))
            .isEqualTo(1);
        assertThat(hub.count("select count(*) from hold h join orders o on o.id = h.order_id where o.domain = 'lego.example.com'"
            + " and o.client_reference like 'ACME-%' and h.state = 'CAPTURED'")).isEqualTo(1);
        assertThat(hub.count("select count(*) from certificate where serial_hex = ?", first.getSerialNumber().toString(16).length() % 2 == 0
            ? first.getSerialNumber().toString(16) : "0" + first.getSerialNumber().toString(16))).isEqualTo(1);
        assertThat(OrderJson.parse(hub.get("/api/v1/acme/eab-keys/" + kid, "demo-key").body()).get("state").asText()).isEqualTo("BOUND");

        // a renewal is a new ACME order: a new Certhub order with its own hold, the same account
        assertThat(lego(kid, hmac, "renew", "--days", "400", "--no-random-sleep")).isZero();
        X509Certificate second = leaf();
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(hub.count("select count(*) from orders where client_reference like 'ACME-%' and domain = 'lego.example.com' and state = 'COMPLETED'"))
            .isEqualTo(2);
        assertThat(hub.count("select count(*) from acme_client_account where eab_kid = ?", kid)).isEqualTo(1);

        assertThat(lego(kid, hmac, "revoke", "--reason", "4")).isZero();
        String serial = hub.jdbc().queryForObject("select serial_hex from certificate where state = 'REVOKED' and revocation_reason = 'superseded'",
            String.class);
        assertThat(new java.math.BigInteger(serial, 16)).isEqualTo(second.getSerialNumber());
        assertThat(hub.count("select count(*) from certificate c join orders o on o.id = c.order_id where o.domain = 'lego.example.com'"
            + " and c.state = 'ACTIVE'")).isEqualTo(1);
    }
}
