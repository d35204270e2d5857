package io.certhub.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a customer's web server serves the http-01 key authorization (RFC 8555 §8.3) at
 * {@code http://<domain>:<port>/.well-known/acme-challenge/<token>}, checked before the CA is
 * asked to validate. Apache HttpClient 5 (camel-http's) with the domain resolved through
 * {@link DnsLookup} when a DNS server is configured ({@code hub.vendor.acme.dns-resolver} for the
 * ACME vendor adapter, {@code hub.acme.dns-resolver} for the hub's ACME server), redirects followed as
 * a CA's validation does; port 80 (another only for tests: {@code hub.vendor.acme.http-port}, {@code hub.acme.http-port}). Anything but a 200 with exactly the key authorization means "not yet"; at
 * most {@value #MAX_BODY} characters of the answer are read (the domain is the customer's).
 *
 * <p>A customer's server cannot hold a check: it ends after {@value #DEADLINE_SECONDS} s in all (the
 * request is cancelled, its connection dropped), the answer's head is read up to 8 KB a line and
 * 50 fields, and at most 10 redirects are followed, to http or https on ports 80 and 443 only.
 *
 * <p>The domain is the customer's, so are its addresses: only public ones are connected to
 * ({@link PublicAddresses}; redirects too, as every connection resolves its host here), unless
 * {@code hub.vendor.acme.http-check-private-addresses} ({@code hub.acme.validation-private-addresses})
 * allows others (a test CA on loopback). A
 * name with no public address is "not served".
 */
public final class HttpTokenCheck implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpTokenCheck.class);

    /**
     * Most bytes of a customer's answer read (a longer answer does not count, and the connection is dropped unread): a key authorization is the token and the account
     * key's thumbprint (RFC 8555 §8.1, under 200 characters); a domain serving more gets no more of
     * the hub's memory than this.
     */
    static final int MAX_BODY = 4096;

    private final int port;
    private final CloseableHttpClient client;

    /**
     * @param dns  the resolver of the domain's addresses
     * @param port the port a CA's validation connects to (80)
     * @param privateAddresses whether addresses that are not public (loopback, RFC 1918, link-local, …)
     *                         may be connected to
     */
    public HttpTokenCheck(DnsLookup dns, int port, boolean privateAddresses) {
        this.port = port;
        DnsResolver resolver = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                List<InetAddress> found = dns.ownServer() ? dns.addresses(host)
                    : List.of(SystemDefaultDnsResolver.INSTANCE.resolve(host));
                List<InetAddress> allowed = privateAddresses ? found : found.stream().filter(PublicAddresses::isPublic).toList();
                if (allowed.isEmpty()) {
                    throw new UnknownHostException(host + (found.isEmpty() ? "" : ": no public address (" + found + ")"));
                }
                return allowed.toArray(InetAddress[]::new);
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        // the answer's head is bounded too: a line of at most 8 KB, at most 50 header fields
        org.apache.hc.core5.http.config.Http1Config http1 = org.apache.hc.core5.http.config.Http1Config.custom().setMaxLineLength(8192)
            .setMaxHeaderCount(50).build();
        // redirects as a CA follows them (Let's Encrypt's rule): at most 10, to http or https on ports 80 and 443 only
        // (and the check's own port, another only in tests)
        java.util.Set<Integer> ports = new java.util.HashSet<>(java.util.List.of(80, 443, port));
        org.apache.hc.client5.http.impl.DefaultRedirectStrategy redirects = new org.apache.hc.client5.http.impl.DefaultRedirectStrategy() {
            @Override
            public java.net.URI getLocationURI(org.apache.hc.core5.http.HttpRequest request, org.apache.hc.core5.http.HttpResponse response,
                                               org.apache.hc.core5.http.protocol.HttpContext context) throws org.apache.hc.core5.http.HttpException {
                java.net.URI to = super.getLocationURI(request, response, context);
                String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(java.util.Locale.ROOT);
                int toPort = to.getPort() >= 0 ? to.getPort() : "https".equals(scheme) ? 443 : 80;
                if (!("http".equals(scheme) || "https".equals(scheme)) || !ports.contains(toPort)) {
                    throw new org.apache.hc.core5.http.ProtocolException("redirect to " + to + " refused: http or https on port 80 or 443 only");
                }
                return to;
            }
        };
        this.client = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDnsResolver(resolver)
                .setConnectionFactory(org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory.builder().http1Config(http1).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(5)).setSocketTimeout(Timeout.ofSeconds(5)).build())
                .build())
            .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(5)).setMaxRedirects(10).build())
            .setRedirectStrategy(redirects)
            .disableCookieManagement().disableAutomaticRetries().build();
    }

    /** Most seconds one check may take in all, however slowly a server trickles its answer (then its connection is dropped). */
    static final int DEADLINE_SECONDS = 10;

    /** Cancels the checks that pass {@link #DEADLINE_SECONDS} (one daemon thread for every check of the JVM). */
    private static final java.util.concurrent.ScheduledExecutorService DEADLINES = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-token-check-deadline");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param domain           the name being validated
     * @param token            the challenge's token
     * @param keyAuthorization what the file must hold
     * @return whether the domain serves it
     */
    public boolean serves(String domain, String token, String keyAuthorization) {
        String url = "http://" + domain + (port == 80 ? "" : ":" + port) + "/.well-known/acme-challenge/" + token;
        HttpGet get = new HttpGet(url);
        // the timeouts above bound each wait; this bounds the whole check (a byte every 4 s is never idle long enough)
        java.util.concurrent.ScheduledFuture<?> deadline = DEADLINES.schedule(get::cancel, DEADLINE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        try (org.apache.hc.core5.http.ClassicHttpResponse r = client.executeOpen(null, get, null)) {
            boolean served = false;
            if (r.getCode() == 200 && r.getEntity() != null) {
                byte[] head = r.getEntity().getContent().readNBytes(MAX_BODY + 1);
                served = head.length <= MAX_BODY && new String(head, StandardCharsets.US_ASCII).trim().equals(keyAuthorization);
            }
            get.cancel();                                   // never read the rest: the connection is discarded, not drained
            return served;
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: not served ({})", url, e.toString());
            return false;
        } finally {
            deadline.cancel(false);
        }
    }

    /** @return the URL the CA will fetch (always port 80, RFC 8555 §8.3) */
    public static String url(String domain, String token) {
        return "http://" + domain + "/.well-known/acme-challenge/" + token;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
