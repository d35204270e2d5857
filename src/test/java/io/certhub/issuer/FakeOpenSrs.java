package io.certhub.issuer;

import com.sun.net.httpserver.HttpServer;
import io.certhub.issuer.opensrs.OpsCodec;
import io.certhub.issuer.opensrs.OpsSignature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A scripted OpenSRS endpoint on loopback for adapter tests: checks the signature, records
 * every request (action → decoded attributes) and answers what the test scripted per action.
 */
final class FakeOpenSrs implements AutoCloseable {

    /** A scripted answer: HTTP status, body, and a delay before answering (ms). */
    record Answer(int status, String body, long delayMs) { }

    static final String KEY = "test-key";

    private final HttpServer server;
    private final OpsCodec codec = new OpsCodec();
    final Map<String, ConcurrentLinkedQueue<Answer>> script = new ConcurrentHashMap<>();
    final Map<String, Function<Map<String, Object>, Answer>> defaults = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Map.Entry<String, Map<String, Object>>> requests = new ConcurrentLinkedQueue<>();
    volatile int badSignatures;

    FakeOpenSrs() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String sig = ex.getRequestHeaders().getFirst("X-Signature");
            Answer a;
            if (!OpsSignature.verify(body, KEY, sig) || !"certhub".equals(ex.getRequestHeaders().getFirst("X-Username"))) {
                badSignatures++;
                a = new Answer(200, reply(false, 400, "Authentication failed", Map.of()), 0);
            } else {
                Map<String, Object> top = codec.decode(body);
                String action = String.valueOf(top.get("action")).toLowerCase();
                @SuppressWarnings("unchecked")
                Map<String, Object> attrs = (Map<String, Object>) top.get("attributes");
                requests.add(Map.entry(action, attrs));
                ConcurrentLinkedQueue<Answer> q = script.get(action);
                Answer scripted = q == null ? null : q.poll();
                a = scripted != null ? scripted : defaults.getOrDefault(action, x -> new Answer(200, reply(false, 465, "not scripted", Map.of()), 0)).apply(attrs);
            }
            try {
                Thread.sleep(a.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/xml");
            try {
                ex.sendResponseHeaders(a.status(), out.length);
                ex.getResponseBody().write(out);
            } catch (IOException closedByClient) {
                // the caller timed out: expected in timeout tests
            }
            ex.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    void then(String action, Answer... answers) {
        script.computeIfAbsent(action, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(answers));
    }

    long count(String action) {
        return requests.stream().filter(e -> e.getKey().equals(action)).count();
    }

    Map<String, Object> last(String action) {
        return requests.stream().filter(e -> e.getKey().equals(action)).reduce((a, b) -> b).map(Map.Entry::getValue).orElse(null);
    }

    String reply(boolean success, int code, String text, Map<String, ?> attributes) {
        return new String(codec.encode(Map.of("protocol", "XCP", "action", "REPLY", "object", "trust_service",
            "is_success", success ? "1" : "0", "response_code", String.valueOf(code), "response_text", text, "attributes", attributes)),
            StandardCharsets.UTF_8);
    }

    Answer ok(Map<String, ?> attributes) {
        return new Answer(200, reply(true, 200, "Command completed successfully", attributes), 0);
    }

    Answer fail(int code, String text) {
        return new Answer(200, reply(false, code, text, Map.of()), 0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
