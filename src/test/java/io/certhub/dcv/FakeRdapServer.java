package io.certhub.dcv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An RDAP server for tests: a JDK {@link HttpServer} on a loopback port answering paths with
 * canned files from {@code src/test/resources/dcv/rdap/} ({@code ${base}} in a file becomes
 * {@link #base()}), any status and headers; unknown paths get 404.
 */
final class FakeRdapServer implements AutoCloseable {

    private record Answer(int status, String file, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    FakeRdapServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>} */
    String base() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    FakeRdapServer answer(String path, String file) {
        return answer(path, 200, file, Map.of());
    }

    FakeRdapServer answer(String path, int status, String file, Map<String, String> headers) {
        answers.put(path, new Answer(status, file, headers));
        return this;
    }

    /** The request paths received so far, in order. */
    List<String> log() {
        return List.copyOf(log);
    }

    /** An RFC 9224 bootstrap registry pointing the given TLDs at this server's {@code /<tld>/}. */
    RdapBootstrap bootstrap(String... tlds) {
        StringBuilder json = new StringBuilder("{\"version\": \"1.0\", \"services\": [");
        for (int i = 0; i < tlds.length; i++) {
            json.append(i == 0 ? "" : ",").append("[[\"").append(tlds[i]).append("\"], [\"")
                    .append(base()).append('/').append(tlds[i]).append("/\"]]");
        }
        json.append("]}");
        return RdapBootstrap.parse(new ByteArrayInputStream(json.toString().getBytes(StandardCharsets.UTF_8)), "test");
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        log.add(path);
        Answer a = answers.get(path);
        byte[] body = a == null || a.file() == null ? new byte[0] : resource(a.file());
        int status = a == null ? 404 : a.status();
        if (a != null) {
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        }
        exchange.getResponseHeaders().add("Content-Type", "application/rdap+json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private byte[] resource(String file) throws IOException {
        try (InputStream in = FakeRdapServer.class.getResourceAsStream("/dcv/rdap/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource dcv/rdap/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${base}", base())
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
