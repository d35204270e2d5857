package io.certhub.dcv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * WHOIS servers for tests: each server name ({@code whois.iana.org}, {@code whois.verisign-grs.com},
 * …) is a {@link ServerSocket} on a loopback port speaking RFC 3912: read one query line, write a
 * canned answer from {@code src/test/resources/dcv/whois/}, close. {@link #resolver()} maps the
 * names to those ports for {@link WhoisClient}; an unknown name maps to a closed port.
 */
final class FakeWhoisServers implements AutoCloseable {

    /** An answer that makes the server accept, read the query and then say nothing for this long. */
    static final String STALL = "<stall>";

    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final int closedPort;

    FakeWhoisServers() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Answers {@code query} at server {@code host} with the resource file {@code file} (a name
     * under dcv/whois/, or {@link #STALL}).
     */
    FakeWhoisServers answer(String host, String query, String file) {
        server(host).answers.put(query, file);
        return this;
    }

    /** The queries received so far, as {@code "host query"}, in order. */
    List<String> log() {
        return List.copyOf(log);
    }

    /** Name → loopback address of its server. */
    Function<String, InetSocketAddress> resolver() {
        return host -> {
            Server s = servers.get(host);
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s == null ? closedPort : s.socket.getLocalPort());
        };
    }

    /** The loopback port of a server (started on first use). */
    int port(String host) {
        return server(host).socket.getLocalPort();
    }

    private Server server(String host) {
        return servers.computeIfAbsent(host, Server::new);
    }

    @Override
    public void close() {
        servers.values().forEach(Server::close);
    }

    private final class Server {
        final String host;
        final ServerSocket socket;
        final Map<String, String> answers = new ConcurrentHashMap<>();
        final Thread thread;

        Server(String host) {
            this.host = host;
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            thread = new Thread(this::run, "fake-whois-" + host);
            thread.setDaemon(true);
            thread.start();
        }

        void run() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    s.setSoTimeout(5000);
                    String query = readLine(s.getInputStream());
                    log.add(host + " " + query);
                    String file = answers.get(query);
                    if (STALL.equals(file)) {
                        Thread.sleep(3000);
                        continue;
                    }
                    byte[] body = file == null ? notFound(query) : resource(file);
                    OutputStream out = s.getOutputStream();
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // ignore
            }
            thread.interrupt();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static byte[] notFound(String query) {
        return ("No match for \"" + query + "\".\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] resource(String file) {
        try (InputStream in = FakeWhoisServers.class.getResourceAsStream("/dcv/whois/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource dcv/whois/" + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
