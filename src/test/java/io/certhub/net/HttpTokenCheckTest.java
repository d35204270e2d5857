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
 * characters (plus the client's buffer) are read.
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
}
