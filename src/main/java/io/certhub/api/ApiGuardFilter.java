package io.certhub.api;

import io.certhub.problem.HubProblem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The servlet filter in front of every request (issue 16, items 7 and Low), before Spring MVC
 * and Camel's platform-http consumer, which reads the whole request body into the exchange before
 * any route step runs:
 * <ol>
 *   <li>security headers on every answer (dashboard, API, actuator): {@code Content-Security-Policy}
 *       ({@code hub.api.content-security-policy}, with {@code frame-ancestors 'none'}),
 *       {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer},
 *       {@code X-Frame-Options: DENY}, and {@code Strict-Transport-Security} when {@code hub.api.hsts};</li>
 *   <li>{@code /api/**} (all but the OpenAPI document, {@link #OPEN_API}): a client address throttled for
 *       failed keys gets 429 {@code TOO_MANY_AUTH_FAILURES} with {@code Retry-After}
 *       ({@link AuthThrottle}); then the {@code X-Api-Key} is checked <em>before the body is
 *       read</em>: no, unknown or revoked key → 401 {@code UNAUTHORIZED} without a byte of the body
 *       read (the connection is closed after the answer); then the body size is capped: a
 *       {@code Content-Length} over the endpoint's limit → 413 {@code BODY_TOO_LARGE} unread; a
 *       chunked body is read here up to the limit and refused with 413 as soon as it passes it
 *       ({@code hub.api.max-order-body-size}, 1 MB, for {@code POST /orders} and
 *       {@code PATCH /orders/{id}}; {@code hub.api.max-body-size}, 64 KB, elsewhere). Which key may
 *       call which endpoint (operator or reseller, 403) stays with the handlers, which get the
 *       authenticated {@link Caller} from the request ({@link Caller#REQUEST_ATTRIBUTE}, {@link ApiSupport#caller}):
 *       the key is looked up once a request;</li>
 *   <li>{@code /acme/**} (the ACME front door; no API key, clients sign with their account key): a
 *       plain-http request while {@code hub.acme.require-https} (production) gets 403 {@code unauthorized}; a
 *       client address over {@code hub.acme.requests-per-second} gets 429 with the ACME type
 *       {@code rateLimited} and {@code Retry-After: 1} ({@link io.certhub.acme.AcmeThrottle}); bodies
 *       are capped at {@link io.certhub.acme.AcmeServer#MAX_BODY} as above (413);</li>
 *   <li>{@code /actuator/**} when {@code hub.api.protect-actuator} (production): health, liveness
 *       and readiness stay open; everything else needs the operator key (401/403).</li>
 * </ol>
 * Answers are {@code application/problem+json} (RFC 9457) like the handlers' ({@link ApiSupport#problemJson}).
 * The client address is {@link HttpServletRequest#getRemoteAddr()} (behind a proxy set
 * {@code server.forward-headers-strategy} so it is the client's).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiGuardFilter extends OncePerRequestFilter {

    private static final Pattern ORDER_BODY_PATH = Pattern.compile("/api/v1/orders(/[^/]+)?/?");
    /** The API's OpenAPI document ({@link OpenApiDocument}): served without a key. */
    static final Set<String> OPEN_API = Set.of("/api/v1/openapi.json", "/api/v1/openapi.yaml");
    private static final Set<String> OPEN_ACTUATOR = Set.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness");

    private final ApiKeyService keys;
    private final AuthThrottle throttle;
    private final ApiSupport api;
    private final ApiProperties props;
    private final io.certhub.acme.AcmeThrottle acmeThrottle;

    /**
     * @param keys         API keys
     * @param throttle     failed-key throttle
     * @param api          problem bodies
     * @param props        {@code hub.api.*}
     * @param acmeThrottle the ACME front door's rate per client address
     */
    public ApiGuardFilter(ApiKeyService keys, AuthThrottle throttle, ApiSupport api, ApiProperties props,
                          io.certhub.acme.AcmeThrottle acmeThrottle) {
        this.keys = keys;
        this.throttle = throttle;
        this.api = api;
        this.props = props;
        this.acmeThrottle = acmeThrottle;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain) throws ServletException, IOException {
        res.setHeader("Content-Security-Policy", props.getContentSecurityPolicy());
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Referrer-Policy", "no-referrer");
        res.setHeader("X-Frame-Options", "DENY");
        if (props.isHsts()) {
            res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        }
        String path = path(req);
        String lower = path.toLowerCase(Locale.ROOT);
        if ((lower.startsWith("/api/") || lower.equals("/api")) && !OPEN_API.contains(path)) {
            Caller caller = authenticate(req, res);
            if (caller == null) {
                return;
            }
            req.setAttribute(Caller.REQUEST_ATTRIBUTE, caller);    // the handlers' caller: the key is looked up once
            long limit = ("POST".equals(req.getMethod()) || "PATCH".equals(req.getMethod())) && ORDER_BODY_PATH.matcher(path).matches()
                ? props.getMaxOrderBodySize().toBytes() : props.getMaxBodySize().toBytes();
            HttpServletRequest capped = capBody(req, res, limit, false);
            if (capped != null) {
                chain.doFilter(capped, res);
            }
            return;
        }
        if (lower.startsWith("/acme/")) {
            // the ACME front door: no API key (clients sign with their account key), but a rate per client
            // address and a body cap before anything is read (its nonces are database rows)
            if (acmeThrottle.requireHttps() && !req.isSecure()) {
                acmeProblem(res, 403, "unauthorized", "the ACME directory is served over https only (hub.acme.require-https)");
                return;
            }
            if (!acmeThrottle.allow(io.certhub.acme.AcmeThrottle.clientKey(req.getRemoteAddr()))) {
                res.setHeader("Retry-After", "1");
                acmeProblem(res, 429, "rateLimited", "too many requests from this client address (hub.acme.requests-per-second); retry after 1 s");
                return;
            }
            HttpServletRequest capped = capBody(req, res, io.certhub.acme.AcmeServer.MAX_BODY, true);
            if (capped != null) {
                chain.doFilter(capped, res);
            }
            return;
        }
        if (props.isProtectActuator() && lower.startsWith("/actuator") && !OPEN_ACTUATOR.contains(path.replaceAll("/+$", ""))) {
            Caller caller = authenticate(req, res);
            if (caller == null) {
                return;
            }
            if (!caller.operator()) {
                refuse(req, res, new HubProblem(403, "FORBIDDEN", null, "this endpoint needs an operator key"));
                return;
            }
        }
        chain.doFilter(req, res);
    }

    /** Answers an ACME problem document (RFC 8555 §6.7) for a request refused before the ACME server sees it. */
    private static void acmeProblem(HttpServletResponse res, int status, String type, String detail) throws IOException {
        res.setStatus(status);
        res.setContentType("application/problem+json");
        res.getOutputStream().write(new io.certhub.acme.AcmeProblem(status, type, detail).toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** The decoded, normalised path inside the application (path parameters removed). */
    private static String path(HttpServletRequest req) {
        String p = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        return p.isEmpty() ? "/" : p;
    }

    private Caller authenticate(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String address = req.getRemoteAddr();
        long retryAfter = throttle.retryAfterSeconds(address);
        if (retryAfter > 0) {
            res.setHeader("Retry-After", Long.toString(retryAfter));
            refuse(req, res, new HubProblem(429, "TOO_MANY_AUTH_FAILURES", "X-Api-Key", "too many failed API key checks from this"
                + " client address; try again in " + retryAfter + " s"));
            return null;
        }
        try {
            return keys.authenticate(req.getHeader("X-Api-Key"));
        } catch (HubProblem p) {
            throttle.failed(address, req.getHeader("X-Api-Key") == null ? "no X-Api-Key" : "unknown or revoked key");
            refuse(req, res, p);
            return null;
        }
    }

    /**
     * @return the request to go on with (the body buffered when it came chunked), or null when
     *         413 was answered
     */
    private HttpServletRequest capBody(HttpServletRequest req, HttpServletResponse res, long limit, boolean acme) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > limit) {
            refuse(req, res, tooLarge(limit, declared + " bytes declared"), acme);
            return null;
        }
        if (declared >= 0 || req.getHeader("Transfer-Encoding") == null) {
            return req;                                         // the container stops at Content-Length
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try (InputStream in = req.getInputStream()) {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                if (buf.size() + n > limit) {
                    refuse(req, res, tooLarge(limit, "more sent"), acme);
                    return null;
                }
                buf.write(chunk, 0, n);
            }
        }
        return new BufferedBody(req, buf.toByteArray());
    }

    private static HubProblem tooLarge(long limit, String sent) {
        return new HubProblem(413, "BODY_TOO_LARGE", null, "the request body is larger than this endpoint takes: at most " + limit
            + " bytes (" + sent + ")");
    }

    private void refuse(HttpServletRequest req, HttpServletResponse res, HubProblem p) throws IOException {
        refuse(req, res, p, false);
    }

    private void refuse(HttpServletRequest req, HttpServletResponse res, HubProblem p, boolean acme) throws IOException {
        boolean unreadBody = req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null;
        if (unreadBody) {
            res.setHeader("Connection", "close");              // do not wait for (or swallow) a body nobody reads
        }
        if (acme) {
            // an ACME client reads RFC 8555 problem types
            acmeProblem(res, p.status(), "malformed", p.getMessage());
            res.flushBuffer();
            return;
        }
        res.setStatus(p.status());
        res.setContentType(ApiSupport.PROBLEM_JSON);
        byte[] body = api.problemJson(p, req.getRequestURI()).getBytes(StandardCharsets.UTF_8);
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
        res.flushBuffer();
    }

    /** A request whose (chunked) body was read by this filter, within its cap. */
    private static final class BufferedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBody(HttpServletRequest req, byte[] body) {
            super(req);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already buffered");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String enc = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(), enc == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(enc)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
