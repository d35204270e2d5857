package io.certhub.issuer.opensrs;

import io.certhub.issuer.VendorException;
import io.certhub.issuer.VendorException.Kind;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Sends one OpenSRS request over HTTP through the {@code vendor-opensrs-call} route
 * (camel-http, pooled, with connect/read timeouts) and classifies the answer.
 *
 * <p>The body is encoded once and signed over exactly those bytes: {@code X-Username} and
 * {@code X-Signature = md5_hex(md5_hex(body + key) + key)} (opensrs-trust-api.md, "Transport
 * and signing"). Failures become {@link VendorException}s: a refused connection is
 * {@code TRANSIENT} (nothing reached the vendor); a read timeout or an unreadable reply is
 * {@code AMBIGUOUS} (the vendor may have acted); a request that cannot be encoded (a value the XML
 * envelope cannot carry) is {@code REFUSED} with code {@code ENCODING} and nothing is sent;
 * HTTP 5xx is {@code TRANSIENT}; HTTP 401/403 and
 * OPS code 400 are {@code AUTH_FAILED}; an OPS reply is classified by {@link OpsReply#classify()}
 * (HTTP 200 with {@code is_success=0} is never a success).
 */
@Component
public class OpsTransport {

    /** The route that performs the HTTP call. */
    public static final String ENDPOINT = "direct:vendor-opensrs-call";

    private final ProducerTemplate template;
    private final OpsCodec codec = new OpsCodec();
    private final String username;
    private final String apiKey;
    private final io.certhub.issuer.VendorHealth health;

    /**
     * @param template Camel producer
     * @param username {@code hub.vendor.opensrs.username}
     * @param apiKey   {@code hub.vendor.opensrs.api-key}
     * @param health   the vendor's reachability, fed with every call's outcome
     */
    public OpsTransport(ProducerTemplate template, @Value("${hub.vendor.opensrs.username}") String username,
                        @Value("${hub.vendor.opensrs.api-key}") String apiKey, io.certhub.issuer.VendorHealth health) {
        this.template = template;
        this.username = username;
        this.apiKey = apiKey;
        this.health = health;
    }

    /**
     * @param action     OpenSRS action, e.g. {@code sw_register}
     * @param attributes the action's attributes (maps, lists, scalars)
     * @return the successful reply
     * @throws VendorException for every other outcome, classified
     */
    public OpsReply call(String action, Map<String, ?> attributes) {
        byte[] body;
        try {
            body = codec.encode(OpsRequest.of(action, attributes));
        } catch (IllegalArgumentException | NullPointerException e) {
            // a value the OPS envelope cannot carry (a control character, a lone surrogate): the same
            // bytes can never be sent, so no retry cures it (issue 16, item 3)
            throw new VendorException(Kind.REFUSED, "ENCODING", action + ": the request cannot be encoded for the vendor: " + e.getMessage(), e);
        }
        String signature = OpsSignature.sign(body, apiKey);
        Exchange ex = template.request(ENDPOINT, e -> {
            e.getMessage().setBody(body);
            e.getMessage().setHeader("X-Username", username);
            e.getMessage().setHeader("X-Signature", signature);
            e.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/xml");
            e.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        });
        try {
            OpsReply reply = answer(action, ex);
            health.success();
            return reply;
        } catch (VendorException e) {
            health.failure(e);
            throw e;
        }
    }

    private OpsReply answer(String action, Exchange ex) {
        Exception failure = ex.getException();
        if (failure != null) {
            throw classify(action, failure);
        }
        Integer status = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null || status != 200) {
            int s = status == null ? 0 : status;
            Kind kind = s == 401 || s == 403 ? Kind.AUTH_FAILED : Kind.TRANSIENT;
            java.time.Duration wait = s == 503 || s == 429
                ? io.certhub.issuer.RetryAfter.parse(ex.getMessage().getHeader("Retry-After", String.class), java.time.Instant.now()) : null;
            throw new VendorException(kind, "HTTP_" + s, action + ": the vendor answered HTTP " + s
                + (wait == null ? "" : " and asked to wait " + wait.toSeconds() + " s")).retryAfter(wait);
        }
        OpsReply reply;
        try {
            reply = OpsReply.from(codec.decode(ex.getMessage().getBody(byte[].class)));
        } catch (OpsProtocolException e) {
            throw new VendorException(Kind.AMBIGUOUS, "MALFORMED_REPLY", action + ": unreadable vendor reply: " + e.getMessage(), e);
        }
        String code = String.valueOf(reply.responseCode());
        String detail = action + ": " + reply.responseCode() + " " + reply.responseText();
        return switch (reply.classify()) {
            case SUCCESS -> reply;
            case REFUSED -> throw new VendorException(reply.responseCode() == 404 ? Kind.NOT_FOUND : Kind.REFUSED, code, detail);
            case AUTH_FAILED -> throw new VendorException(Kind.AUTH_FAILED, code, detail);
            case TRANSIENT -> throw new VendorException(Kind.TRANSIENT, code, detail);
            case AMBIGUOUS -> throw new VendorException(Kind.AMBIGUOUS, code, detail);
        };
    }

    static VendorException classify(String action, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectTimeoutException || t instanceof HttpHostConnectException || t instanceof ConnectException
                || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return new VendorException(Kind.TRANSIENT, "CONNECT", action + ": cannot reach the vendor: " + t.getMessage(), failure);
            }
            if (t instanceof SocketTimeoutException) {
                return new VendorException(Kind.AMBIGUOUS, "TIMEOUT", action + ": no reply in time; the vendor may have acted", failure);
            }
        }
        return new VendorException(Kind.AMBIGUOUS, "IO", action + ": " + failure.getMessage(), failure);
    }
}
