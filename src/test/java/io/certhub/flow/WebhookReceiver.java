package io.certhub.flow;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A reseller's webhook endpoint for tests: the JDK's HTTP server on a free loopback port that
 * records every request (path, Standard Webhooks headers, body, the status it answered) and answers
 * 503 to the first {@code n} requests of a path set with {@link #failFirst}, leaves the next request
 * of a path set with {@link #hold} unanswered until the test opens its gate, and 200 to the rest.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    record Received(String path, String id, String timestamp, String signature, String contentType, String body, int answered) { }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.CountDownLatch> holds = new ConcurrentHashMap<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = ex.getRequestURI().getPath();
            java.util.concurrent.CountDownLatch gate = holds.remove(path);
            if (gate != null) {
                // a receiver that does not answer: the request is recorded (answered 0) and held until the test opens the gate
                synchronized (received) {
                    received.add(new Received(path, ex.getRequestHeaders().getFirst("webhook-id"), ex.getRequestHeaders().getFirst("webhook-timestamp"),
                        ex.getRequestHeaders().getFirst("webhook-signature"), ex.getRequestHeaders().getFirst("Content-Type"),
                        new String(body, StandardCharsets.UTF_8), 0));
                }
                try {
                    gate.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    ex.sendResponseHeaders(200, -1);
                } catch (InterruptedException | IOException e) {
                    // the hub gave up on this request long ago
                }
                ex.close();
                return;
            }
            AtomicInteger left = failures.get(path);
            int status = left != null && left.getAndDecrement() > 0 ? 503 : 200;
            synchronized (received) {
                received.add(new Received(path, ex.getRequestHeaders().getFirst("webhook-id"), ex.getRequestHeaders().getFirst("webhook-timestamp"),
                    ex.getRequestHeaders().getFirst("webhook-signature"), ex.getRequestHeaders().getFirst("Content-Type"),
                    new String(body, StandardCharsets.UTF_8), status));
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
    }

    /** @param path a path @param n how many of its first requests get 503 */
    void failFirst(String path, int n) {
        failures.put(path, new AtomicInteger(n));
    }

    /**
     * @param path a path
     * @return the gate its next request waits at (unanswered) until it is counted down
     */
    java.util.concurrent.CountDownLatch hold(String path) {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        holds.put(path, gate);
        return gate;
    }

    /** @param path path @return the endpoint's URL */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** @param path a path @return its requests, in arrival order */
    List<Received> at(String path) {
        synchronized (received) {
            return received.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    /**
     * The Standard Webhooks signature computed here, apart from the hub's code: base64 HMAC-SHA256
     * with the base64-decoded secret (after {@code whsec_}) over {@code id.timestamp.body}.
     *
     * @param secret the secret of the webhook's registration
     * @param r      a request
     * @return whether its {@code webhook-signature} is {@code v1,} + that HMAC
     */
    static boolean validSignature(String secret, Received r) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            String expected = "v1," + Base64.getEncoder().encodeToString(
                mac.doFinal((r.id() + "." + r.timestamp() + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
            return expected.equals(r.signature());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
