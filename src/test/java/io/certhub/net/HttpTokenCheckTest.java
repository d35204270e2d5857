package io.certhub.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpTokenCheck} against a web server on loopback standing in for a customer's: the exact
 * key authorization counts; a 404, other content, and an endless answer that starts with the key
 * authorization do not — and of the endless answer at most {@link HttpTokenCheck#MAX_BODY}
 * characters (plus the client's buffer) are read. A server that trickles its answer is cut off at
 * the check's deadline, an endless header line at 8 KB, and a redirect to another port is not
 * followed.
 */
class HttpTokenCheckTest {

    static final String KEY_AUTH = "tok-123.thumbprint-abc";
    HttpServer server;
    final AtomicLong endlessSent = new AtomicLong();
    final java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
    HttpTokenCheck check;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/.well-known/acme-challenge/tok-123", ex -> {
            served.incrementAndGet();
            byte[] b = KEY_AUTH.getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.createContext("/.well-known/acme-challenge/other", ex -> {
            byte[] b = "something else".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.createContext("/.well-known/acme-challenge/endless", ex -> {
            ex.sendResponseHeaders(200, 0);                  // chunked, no end
            byte[] chunk = new byte[8192];
            java.util.Arrays.fill(chunk, (byte) 'a');
            try (OutputStream o = ex.getResponseBody()) {
                o.write(KEY_AUTH.getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 10_000; i++) {          // 80 MB if all were read
                    o.write(chunk);
                    endlessSent.addAndGet(chunk.length);
                }
            } catch (java.io.IOException closedByTheClient) {
                // the check stopped reading
            }
        });
        server.createContext("/.well-known/acme-challenge/same-port", ex -> {
            ex.getResponseHeaders().add("Location", "/.well-known/acme-challenge/tok-123");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
        check = new HttpTokenCheck(new DnsLookup(""), server.getAddress().getPort(), true);
    }

    @AfterEach
    void stop() throws Exception {
        check.close();
        server.stop(0);
    }

    @Test
    void onlyTheExactKeyAuthorizationCounts() {
        assertThat(check.serves("127.0.0.1", "tok-123", KEY_AUTH)).isTrue();
        assertThat(check.serves("127.0.0.1", "other", KEY_AUTH)).isFalse();
        assertThat(check.serves("127.0.0.1", "missing", KEY_AUTH)).isFalse();
    }

    @Test
    void aNameOnANonPublicAddressIsNotFetchedUnlessAllowed() throws Exception {
        int before = served.get();
        try (HttpTokenCheck publicOnly = new HttpTokenCheck(new DnsLookup(""), server.getAddress().getPort(), false)) {
            assertThat(publicOnly.serves("127.0.0.1", "tok-123", KEY_AUTH)).isFalse();
            assertThat(publicOnly.serves("localhost", "tok-123", KEY_AUTH)).isFalse();
        }
        assertThat(served.get()).isEqualTo(before);                 // no request reached the server
        assertThat(check.serves("localhost", "tok-123", KEY_AUTH)).isTrue();
        assertThat(served.get()).isEqualTo(before + 1);
    }

    @Test
    void anEndlessAnswerIsReadOnlyUpToTheLimitAndDoesNotCount() {
        assertThat(check.serves("127.0.0.1", "endless", KEY_AUTH)).isFalse();
        assertThat(endlessSent.get()).isLessThan(10_000L * 8192);
    }

    /** A raw server that answers every connection with {@code head}, then {@code trickle} forever, one piece a second. */
    static java.net.ServerSocket rawServer(String head, String trickle, java.util.concurrent.atomic.AtomicLong sent) throws Exception {
        java.net.ServerSocket ss = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (java.net.Socket c = ss.accept()) {
                    c.getInputStream().read(new byte[4096]);
                    OutputStream o = c.getOutputStream();
                    o.write(head.getBytes(StandardCharsets.US_ASCII));
                    o.flush();
                    while (true) {
                        o.write(trickle.getBytes(StandardCharsets.US_ASCII));
                        o.flush();
                        sent.addAndGet(trickle.length());
                        if (trickle.length() < 100) {
                            Thread.sleep(1000);
                        }
                    }
                } catch (Exception closed) {
                    // the check hung up, or the test closed the server
                }
            }
        }, "raw-server");
        t.setDaemon(true);
        t.start();
        return ss;
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aServerTricklingItsHeadIsCutOffAtTheDeadline() throws Exception {
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        try (java.net.ServerSocket slow = rawServer("HTTP/1.1 200 OK\r\n", "X-Slow: a\r\n", sent);
             HttpTokenCheck c = new HttpTokenCheck(new DnsLookup(""), slow.getLocalPort(), true)) {
            // a field a second is never idle for the 5 s timeouts; the whole check ends at its deadline
            assertThat(c.serves("127.0.0.1", "tok-123", KEY_AUTH)).isFalse();
            assertThat(sent.get()).as("header fields sent before the cut").isLessThan(20L * "X-Slow: a\r\n".length());
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anEndlessHeaderLineIsRefusedAtItsLimit() throws Exception {
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        try (java.net.ServerSocket endless = rawServer("HTTP/1.1 200 OK\r\nX-Long: ", "a".repeat(8192), sent);
             HttpTokenCheck c = new HttpTokenCheck(new DnsLookup(""), endless.getLocalPort(), true)) {
            assertThat(c.serves("127.0.0.1", "tok-123", KEY_AUTH)).isFalse();
        }
        assertThat(sent.get()).as("read up to the line limit, not on").isLessThan(64L * 1024 * 1024);
    }

    @Test
    void aRedirectIsFollowedOnTheSamePortButNotToAnother() throws Exception {
        assertThat(check.serves("127.0.0.1", "same-port", KEY_AUTH)).isTrue();
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.atomic.AtomicInteger reached = new java.util.concurrent.atomic.AtomicInteger();
        other.createContext("/", ex -> {
            reached.incrementAndGet();
            byte[] b = KEY_AUTH.getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        other.start();
        server.createContext("/.well-known/acme-challenge/elsewhere", ex -> {
            ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + other.getAddress().getPort() + "/.well-known/acme-challenge/tok-123");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        try {
            assertThat(check.serves("127.0.0.1", "elsewhere", KEY_AUTH)).isFalse();
            assertThat(reached.get()).as("a server on another port is never asked").isZero();
        } finally {
            other.stop(0);
        }
    }
}
