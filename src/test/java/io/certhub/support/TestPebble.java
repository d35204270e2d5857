package io.certhub.support;

import io.certhub.pki.Certificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code pebble} ACME test server (RFC 8555) and its {@code pebble-challtestsrv} for the
 * tests of issue 15 (ACME): started on free loopback ports with a TLS certificate from a test CA
 * ({@link TestTlsCa}, trusted through {@link #clientContext()}), External Account Binding required
 * with the keys of {@link #eabKeys()}, and the challenge test server as pebble's DNS server (every
 * name resolves to 127.0.0.1) and HTTP-01 server, whose records a test sets like a customer
 * publishing them ({@link #setTxt}, {@link #addHttp01}). {@code PEBBLE_VA_NOSLEEP=1}: validations
 * start at once. The class is skipped (JUnit assumption) when the binaries are missing;
 * {@code .ci/run} installs the package when it is. Each instance is its own pair of processes with
 * a fresh CA (pebble makes its issuing CA at start), stopped by {@link #close()} or at JVM exit.
 */
public final class TestPebble implements AutoCloseable {

    /** How the binaries are installed: {@value}. */
    public static final String INSTALL = "apt-get install -y pebble   # as root; .ci/run does this when it is missing";

    static final Path PEBBLE = Path.of("/usr/bin/pebble");
    static final Path CHALLTESTSRV = Path.of("/usr/bin/pebble-challtestsrv");

    private final Path dir;
    private final TestTlsCa ca;
    private final Map<String, String> eabKeys;
    private final int acmePort;
    private final int managementPort;
    private int pebbleManagementPort;
    private int dnsPort;
    private int http01Port;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestPebble(Path dir, TestTlsCa ca, Map<String, String> eabKeys, int acmePort, int managementPort) {
        this.dir = dir;
        this.ca = ca;
        this.eabKeys = eabKeys;
        this.acmePort = acmePort;
        this.managementPort = managementPort;
    }

    /** Skips the calling test class when pebble is not installed. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(Files.isExecutable(PEBBLE) && Files.isExecutable(CHALLTESTSRV),
            () -> "pebble is not installed (" + INSTALL + ")");
    }

    /**
     * Starts pebble and its challenge test server and waits (at most a minute) until both answer.
     *
     * @param dir   an empty folder for their files and logs
     * @param kids  the EAB key ids to accept (each gets a random 48-byte HMAC key)
     * @return the running pair
     * @throws IllegalStateException when they do not come up; the logs are in {@code dir}
     */
    public static TestPebble start(Path dir, String... kids) {
        return start(dir, 0, kids);
    }

    /**
     * Starts pebble as {@link #start(Path, String...)} does, rejecting a share of the nonces its
     * clients send ({@code PEBBLE_WFE_NONCEREJECT}: RFC 8555 §6.5 {@code badNonce}, which a client
     * must answer by retrying with a fresh nonce).
     *
     * @param dir           an empty folder for their files and logs
     * @param nonceRejectPercent share of valid nonces pebble rejects, 0..100
     * @param kids          the EAB key ids to accept
     * @return the running pair
     */
    public static TestPebble start(Path dir, int nonceRejectPercent, String... kids) {
        return start(dir, nonceRejectPercent, null, kids);
    }

    /**
     * Starts pebble as {@link #start(Path, int, String...)} does, issuing certificates valid for
     * {@code certificateValidity} (pebble's {@code certificateValidityPeriod}; its default is 5 years).
     *
     * @param dir                 an empty folder for their files and logs
     * @param nonceRejectPercent  share of valid nonces pebble rejects, 0..100
     * @param certificateValidity how long issued certificates are valid; null: pebble's default
     * @param kids                the EAB key ids to accept
     * @return the running pair
     */
    public static TestPebble start(Path dir, int nonceRejectPercent, java.time.Duration certificateValidity, String... kids) {
        assumeAvailable();
        try {
            TestTlsCa ca = TestTlsCa.create(dir);
            writePem(ca, dir);
            Map<String, String> keys = new LinkedHashMap<>();
            SecureRandom random = new SecureRandom();
            for (String kid : kids) {
                byte[] k = new byte[48];
                random.nextBytes(k);
                keys.put(kid, Base64.getUrlEncoder().withoutPadding().encodeToString(k));
            }
            int acme = freePort();
            int management = freePort();
            int http01 = freePort();
            int dns = freePort();
            int ctsManagement = freePort();
            StringBuilder macs = new StringBuilder();
            keys.forEach((k, v) -> macs.append(macs.length() == 0 ? "" : ",").append('"').append(k).append("\":\"").append(v).append('"'));
            Files.writeString(dir.resolve("pebble-config.json"), "{\"pebble\":{\"listenAddress\":\"127.0.0.1:" + acme + "\","
                + "\"managementListenAddress\":\"127.0.0.1:" + management + "\",\"certificate\":\"" + dir.resolve("cert.pem") + "\","
                + "\"privateKey\":\"" + dir.resolve("key.pem") + "\",\"httpPort\":" + http01 + ",\"tlsPort\":" + freePort() + ","
                + (certificateValidity == null ? "" : "\"certificateValidityPeriod\":" + certificateValidity.toSeconds() + ",")
                + "\"ocspResponderURL\":\"\",\"externalAccountBindingRequired\":true,\"externalAccountMACKeys\":{" + macs + "}}}");
            TestPebble p = new TestPebble(dir, ca, keys, acme, ctsManagement);
            p.pebbleManagementPort = management;
            p.dnsPort = dns;
            p.http01Port = http01;
            p.spawn("challtestsrv", List.of(CHALLTESTSRV.toString(), "-http01", "127.0.0.1:" + http01, "-dns01", "127.0.0.1:" + dns,
                "-management", "127.0.0.1:" + ctsManagement, "-tlsalpn01", "", "-https01", "", "-defaultIPv4", "127.0.0.1",
                "-defaultIPv6", ""), Map.of());
            p.spawn("pebble", List.of(PEBBLE.toString(), "-config", dir.resolve("pebble-config.json").toString(), "-dnsserver",
                "127.0.0.1:" + dns), Map.of("PEBBLE_VA_NOSLEEP", "1", "PEBBLE_WFE_NONCEREJECT", Integer.toString(nonceRejectPercent)));
            p.awaitUp();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the ACME directory URL, e.g. {@code https://localhost:40123/dir} */
    public URI directory() {
        return URI.create("https://localhost:" + acmePort + "/dir");
    }

    /** @return the port pebble validates http-01 on (its {@code httpPort}), where the challenge server serves {@link #addHttp01} files */
    public int http01Port() {
        return http01Port;
    }

    /** @return {@code 127.0.0.1:<port>} of the challenge server's DNS, which answers the TXT records set here */
    public String dnsServer() {
        return "127.0.0.1:" + dnsPort;
    }

    /**
     * Writes the root of the CA pebble issues from (made at its start; its management API
     * {@code /roots/0}) to a PEM file, for a hub that checks issued certificates against it.
     *
     * @param file where to write it
     * @return {@code file}
     */
    public Path issuingRootPem(Path file) {
        HttpClient tls = HttpClient.newBuilder().sslContext(clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> r = tls.send(HttpRequest.newBuilder(URI.create("https://localhost:" + pebbleManagementPort + "/roots/0"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().contains("BEGIN CERTIFICATE")) {
                throw new IllegalStateException("pebble /roots/0 answered " + r.statusCode() + ": " + r.body());
            }
            Files.writeString(file, r.body());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param serial a certificate's serial
     * @return its status as pebble's management API tells it ({@code /cert-status-by-serial/<hex>}),
     *         e.g. {@code Valid} or {@code Revoked}
     */
    public String certificateStatus(java.math.BigInteger serial) {
        HttpClient tls = HttpClient.newBuilder().sslContext(clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> r = tls.send(HttpRequest.newBuilder(URI.create("https://localhost:" + pebbleManagementPort
                + "/cert-status-by-serial/" + serial.toString(16))).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("pebble /cert-status-by-serial answered " + r.statusCode() + ": " + r.body());
            }
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("Status").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return the EAB key ids and their HMAC keys (base64url, as an ACME client is given them) */
    public Map<String, String> eabKeys() {
        return eabKeys;
    }

    /** @return the PEM file of the root pebble's TLS certificate chains to (for a client's trusted roots) */
    public Path tlsRootPem() {
        return ca.rootPem();
    }

    /** @return a client SSL context trusting only pebble's TLS root */
    public SSLContext clientContext() {
        return ca.clientContext();
    }

    /**
     * Publishes a TXT record on the challenge server, as a customer does for dns-01.
     *
     * @param host  the record's name, e.g. {@code _acme-challenge.shop.example.com}
     * @param value its value
     */
    public void setTxt(String host, String value) {
        manage("/set-txt", "{\"host\":\"" + (host.endsWith(".") ? host : host + ".") + "\",\"value\":\"" + value + "\"}");
    }

    /**
     * Serves an http-01 token on the challenge server, as a customer's web server does.
     *
     * @param token   the challenge token
     * @param content the key authorization
     */
    public void addHttp01(String token, String content) {
        manage("/add-http01", "{\"token\":\"" + token + "\",\"content\":\"" + content + "\"}");
    }

    private void manage(String path, String json) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("challtestsrv " + path + " answered " + r.statusCode() + ": " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void spawn(String name, List<String> cmd, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "pebble-reaper"));
    }

    private void awaitUp() {
        HttpClient tls = HttpClient.newBuilder().sslContext(clientContext()).connectTimeout(Duration.ofSeconds(2)).build();
        try {
            Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    for (Process p : processes) {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("pebble or its challenge server exited (code " + p.exitValue() + "); logs in " + dir);
                        }
                    }
                    HttpResponse<String> r = tls.send(HttpRequest.newBuilder(directory()).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                    HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/set-default-ipv4"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ip\":\"127.0.0.1\"}")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200 && m.statusCode() == 200;
                });
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("pebble did not come up within a minute; logs in " + dir, e);
        }
    }

    /** Stops both processes. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /** Writes pebble's TLS key and certificate chain as PEM (it reads no PKCS#12). */
    private static void writePem(TestTlsCa ca, Path dir) throws IOException {
        try (InputStream in = Files.newInputStream(ca.keyStore())) {
            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(in, ca.password().toCharArray());
            PrivateKey key = (PrivateKey) p12.getKey(ca.alias(), ca.password().toCharArray());
            List<X509Certificate> chain = new ArrayList<>();
            for (java.security.cert.Certificate c : p12.getCertificateChain(ca.alias())) {
                chain.add((X509Certificate) c);
            }
            Files.writeString(dir.resolve("key.pem"), Certificates.toPem("PRIVATE KEY", key.getEncoded()));
            Files.writeString(dir.resolve("cert.pem"), Certificates.toPem(chain));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write pebble's TLS files: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
