package io.certhub.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * ACME Renewal Information (RFC 9773) in front of a {@link TestPebble}, whose version 2.4 has none:
 * an HTTP server on loopback that serves pebble's directory with a {@code renewalInfo} entry added
 * (every other resource stays pebble's own URL) and two ACME profiles ({@code classic},
 * {@code shortlived}) in its {@code meta}, and answers {@code GET /renewal-info/<certID>} with
 * the window the test sets, its explanation URL and a Retry-After. The certificate ids asked for are
 * kept ({@link #asked()}).
 */
public final class TestAriFront implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestPebble pebble;
    private final HttpServer server;
    private final HttpClient client;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private volatile String window;
    private volatile long retryAfterSeconds = 1;

    private TestAriFront(TestPebble pebble) throws IOException {
        this.pebble = pebble;
        this.client = HttpClient.newBuilder().sslContext(pebble.clientContext()).build();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/dir", this::directory);
        server.createContext("/renewal-info/", this::renewalInfo);
        server.start();
    }

    /**
     * @param pebble the running pebble
     * @return the front, started, with no window set yet (a renewal-info request answers 404 until {@link #window})
     * @throws IOException when its server cannot listen
     */
    public static TestAriFront start(TestPebble pebble) throws IOException {
        return new TestAriFront(pebble);
    }

    /** @return the directory URL to give the hub (pebble's directory plus {@code renewalInfo}) */
    public URI directory() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/dir");
    }

    /**
     * Sets the window every certificate gets from now on.
     *
     * @param start       suggested window start
     * @param end         suggested window end
     * @param explanation explanation URL, or null
     * @param retryAfter  the Retry-After in seconds
     */
    public void window(Instant start, Instant end, String explanation, long retryAfter) {
        ObjectNode doc = JSON.createObjectNode();
        doc.putObject("suggestedWindow").put("start", start.toString()).put("end", end.toString());
        if (explanation != null) {
            doc.put("explanationURL", explanation);
        }
        this.retryAfterSeconds = retryAfter;
        this.window = doc.toString();
    }

    /** @return the certificate ids (RFC 9773 §4.1: base64url AKI keyIdentifier "." base64url serial) asked for, in order */
    public List<String> asked() {
        return List.copyOf(asked);
    }

    private void directory(HttpExchange ex) throws IOException {
        try {
            HttpResponse<String> dir = client.send(HttpRequest.newBuilder(pebble.directory()).GET().build(), HttpResponse.BodyHandlers.ofString());
            ObjectNode doc = (ObjectNode) JSON.readTree(dir.body());
            doc.put("renewalInfo", "http://127.0.0.1:" + server.getAddress().getPort() + "/renewal-info");
            // ACME profiles (draft-aaron-acme-profiles), which pebble 2.4 does not offer either
            doc.with("meta").putObject("profiles").put("classic", "the CA's default certificate").put("shortlived", "a certificate of 7 days");
            send(ex, 200, doc.toString(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(ex, 503, "{}", 0);
        }
    }

    private void renewalInfo(HttpExchange ex) throws IOException {
        String id = ex.getRequestURI().getPath().substring("/renewal-info/".length());
        asked.add(id);
        String w = window;
        if (w == null) {
            send(ex, 404, "{\"type\":\"urn:ietf:params:acme:error:malformed\",\"detail\":\"no window set\"}", 0);
            return;
        }
        send(ex, 200, w, retryAfterSeconds);
    }

    private static void send(HttpExchange ex, int status, String body, long retryAfter) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", status == 200 ? "application/json" : "application/problem+json");
        if (retryAfter > 0) {
            ex.getResponseHeaders().add("Retry-After", Long.toString(retryAfter));
        }
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
