package io.certhub.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.order.FieldRules;
import io.certhub.problem.HubProblem;
import io.certhub.webhook.WebhookAddresses;
import io.certhub.webhook.WebhookEventType;
import io.certhub.webhook.WebhookProperties;
import io.certhub.webhook.WebhookRepository;
import io.certhub.webhook.WebhookSignature;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * REST handlers of the webhooks (issue 13 §4; routes/webhook/webhook-rest-api.camel.yaml), per
 * account (reseller {@code X-Api-Key}).
 *
 * <p>Webhook shape: {@code {id, url, events[], createdAt}} ({@code events} the subscribed wire names,
 * {@link WebhookEventType}); the {@code POST} answer adds {@code secret} ({@code whsec_…}, the
 * Standard Webhooks signing secret), shown that once and never again. Errors (RFC 9457, 422 unless
 * said): {@code FIELD_REQUIRED} ({@code url}, {@code events}), {@code WEBHOOK_URL_INVALID}
 * ({@code url}: not an absolute http(s) URL with a host, or with user info or a fragment),
 * {@code FIELD_TOO_LONG} ({@code url} over 2048), {@code WEBHOOK_URL_NOT_HTTPS} ({@code url}: http
 * while the hub runs with the {@code production} profile or {@code hub.webhooks.require-https}),
 * {@code WEBHOOK_EVENT_UNKNOWN} ({@code events[i]}), {@code WEBHOOK_URL_NOT_PUBLIC} ({@code url}: its host is or
 * resolves to a loopback, private, link-local … address while {@code hub.webhooks.allow-private-addresses}
 * is false, see {@link WebhookAddresses}), 409 {@code WEBHOOK_LIMIT_REACHED}
 * ({@code hub.webhooks.max-per-account}), 404 {@code WEBHOOK_NOT_FOUND} (unknown, deleted or another
 * account's webhook), 404 {@code WEBHOOK_EVENT_NOT_FOUND} (replay of an event the webhook never had).
 */
@Component("webhookApi")
public class WebhookApi {

    /** Longest accepted URL. */
    public static final int MAX_URL = 2048;

    private final ApiSupport api;
    private final WebhookRepository repo;
    private final WebhookProperties props;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final boolean requireHttps;

    /**
     * @param api   shared REST support
     * @param repo  webhook tables
     * @param props {@code hub.webhooks.*}
     * @param tx    transaction template (delete)
     * @param clock time source
     * @param env   the environment: the {@code production} profile (as {@code ProductionConfigCheck}
     *              detects it) makes https mandatory
     */
    public WebhookApi(ApiSupport api, WebhookRepository repo, WebhookProperties props, TransactionTemplate tx, Clock clock, Environment env) {
        this.api = api;
        this.repo = repo;
        this.props = props;
        this.tx = tx;
        this.clock = clock;
        this.requireHttps = props.isRequireHttps() || env.acceptsProfiles(Profiles.of("production"));
    }

    /** @return whether only https URLs are accepted (production profile or {@code hub.webhooks.require-https}) */
    boolean requiresHttps() {
        return requireHttps;
    }

    /**
     * {@code POST /webhooks {url, events}}: 201 with {@code Location: /api/v1/webhooks/<id>} and the
     * webhook plus its {@code secret} (the only time it is shown). Events are de-duplicated, kept in
     * the order given. With an {@code Idempotency-Key} header a retry of the same request answers
     * the stored 201 (the same webhook and secret) and creates nothing ({@link ApiSupport#idempotentAtomic}).
     *
     * @param ex exchange
     * @throws HubProblem 400 {@code MALFORMED_REQUEST}; 422 / 409 as in the class documentation
     */
    public void create(Exchange ex) {
        Caller caller = api.reseller(ex);
        byte[] raw = api.body(ex);
        // with an Idempotency-Key, the webhook row and the stored answer (secret included, so a retry
        // gets the same secret) commit together: a retried POST never makes a second webhook
        api.respond(ex, api.idempotentAtomic(ex, caller, raw, () -> create(caller, raw)));
    }

    private ApiResponse create(Caller caller, byte[] raw) {
        JsonNode body = api.parse(raw);
        if (!body.isObject()) {
            throw new HubProblem(400, "MALFORMED_REQUEST", null, "a JSON object {url, events} is expected");
        }
        List<HubProblem.FieldError> errors = new ArrayList<>();
        String url = url(body.get("url"), requireHttps, errors);
        List<String> events = events(body.get("events"), errors);
        if (url != null && !props.isAllowPrivateAddresses()) {
            String why = WebhookAddresses.notPublicHost(URI.create(url).getHost());
            if (why != null) {
                errors.add(new HubProblem.FieldError("WEBHOOK_URL_NOT_PUBLIC", "url", "url must reach a public internet address"
                    + " (hub.webhooks.allow-private-addresses is false): " + why));
            }
        }
        if (!errors.isEmpty()) {
            throw HubProblem.unprocessable(errors);
        }
        if (repo.count(caller.accountId()) >= props.getMaxPerAccount()) {
            throw new HubProblem(409, "WEBHOOK_LIMIT_REACHED", null, "account " + caller.accountId() + " has "
                + props.getMaxPerAccount() + " webhooks (hub.webhooks.max-per-account); delete one first");
        }
        String secret = WebhookSignature.newSecret();
        WebhookRepository.Webhook w = new WebhookRepository.Webhook(UUID.randomUUID().toString(), caller.accountId(), url, events,
            clock.instant().truncatedTo(ChronoUnit.MICROS));
        repo.insert(w, secret);
        Map<String, Object> view = view(w);
        view.put("secret", secret);
        return new ApiResponse(201, api.write(view), "/api/v1/webhooks/" + w.id());
    }

    /** {@code GET /webhooks}: 200 {@code {items: [webhook]}}, oldest first (no secrets). @param ex exchange */
    public void list(Exchange ex) {
        Caller caller = api.reseller(ex);
        api.respond(ex, api.ok(200, Map.of("items", repo.list(caller.accountId()).stream().map(WebhookApi::view).toList())));
    }

    /**
     * {@code GET /webhooks/{id}}: 200 the webhook (no secret).
     *
     * @param ex exchange
     * @throws HubProblem 404 {@code WEBHOOK_NOT_FOUND}
     */
    public void get(Exchange ex) {
        api.respond(ex, api.ok(200, view(owned(ex))));
    }

    /**
     * {@code DELETE /webhooks/{id}}: 204; its PENDING deliveries are cancelled, no more events are
     * written for it; its delivery log is kept in the database.
     *
     * @param ex exchange
     * @throws HubProblem 404 {@code WEBHOOK_NOT_FOUND}
     */
    public void delete(Exchange ex) {
        Caller caller = api.reseller(ex);
        String id = ex.getMessage().getHeader("id", String.class);
        if (!Boolean.TRUE.equals(tx.execute(s -> repo.delete(caller.accountId(), id)))) {
            throw notFound(id);
        }
        var m = ex.getMessage();
        m.removeHeaders("*", "CamelHttp*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        m.setBody(null);
    }

    /**
     * {@code GET /webhooks/{id}/deliveries?page=&size=}: the delivery log, one item per try, newest
     * first, {@code {items, page, size, totalElements}} (size 1..200, default 50); item {@code {id,
     * deliveryId, eventId, type, attempt, statusCode, error, durationMs, at, deliveryState}}:
     * {@code statusCode} null when there was no answer (then {@code error} says why: timeout,
     * connection refused …), {@code error} {@code "HTTP 503"} for a non-2xx answer and null for a 2xx;
     * {@code attempt} counts the tries of that delivery (a replay is a new delivery, from 1);
     * {@code deliveryState} PENDING | DELIVERED | FAILED | CANCELLED.
     *
     * @param ex exchange
     * @throws HubProblem 404 {@code WEBHOOK_NOT_FOUND}; 422 {@code FIELD_INVALID} ({@code page}, {@code size})
     */
    public void deliveries(Exchange ex) {
        WebhookRepository.Webhook w = owned(ex);
        int page = OrderApi.intParam(ex.getMessage().getHeader("page", String.class), 0, 0, Integer.MAX_VALUE / 200, "page");
        int size = OrderApi.intParam(ex.getMessage().getHeader("size", String.class), 50, 1, 200, "size");
        List<Map<String, Object>> items = repo.log(w.id(), page, size).stream().map(a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", a.id());
            m.put("deliveryId", a.deliveryId());
            m.put("eventId", a.eventId());
            m.put("type", a.type());
            m.put("attempt", a.attempt());
            m.put("statusCode", a.statusCode());
            m.put("error", a.error());
            m.put("durationMs", a.durationMs());
            m.put("at", OrderViews.instant(a.at()));
            m.put("deliveryState", a.deliveryState());
            return m;
        }).toList();
        api.respond(ex, api.ok(200, OrderViews.page(items, page, size, repo.logCount(w.id()))));
    }

    /**
     * {@code POST /webhooks/{id}/events/{eventId}/replay}: queues one event the webhook had before
     * again for it (a new delivery, due at once, same event id and the same body; a new
     * {@code webhook-timestamp} and signature). 202 {@code {webhookId, eventId, deliveryId, state:
     * PENDING}}; when a delivery of that event to that webhook is still PENDING it is that one (no
     * second copy is queued).
     *
     * @param ex exchange
     * @throws HubProblem 404 {@code WEBHOOK_NOT_FOUND}, 404 {@code WEBHOOK_EVENT_NOT_FOUND} (field {@code eventId})
     */
    public void replay(Exchange ex) {
        WebhookRepository.Webhook w = owned(ex);
        String eventId = ex.getMessage().getHeader("eventId", String.class);
        Long deliveryId = tx.execute(s -> repo.replay(w.id(), eventId).orElse(null));
        if (deliveryId == null) {
            throw new HubProblem(404, "WEBHOOK_EVENT_NOT_FOUND", "eventId", "webhook " + w.id() + " never had event " + eventId);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("webhookId", w.id());
        m.put("eventId", eventId);
        m.put("deliveryId", deliveryId);
        m.put("state", "PENDING");
        api.respond(ex, api.ok(202, m));
    }

    private WebhookRepository.Webhook owned(Exchange ex) {
        Caller caller = api.reseller(ex);
        String id = ex.getMessage().getHeader("id", String.class);
        return repo.find(caller.accountId(), id).orElseThrow(() -> notFound(id));
    }

    private static HubProblem notFound(String id) {
        return new HubProblem(404, "WEBHOOK_NOT_FOUND", null, "no webhook " + id);
    }

    private static Map<String, Object> view(WebhookRepository.Webhook w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("url", w.url());
        m.put("events", w.events());
        m.put("createdAt", OrderViews.instant(w.createdAt()));
        return m;
    }

    /**
     * Checks a webhook URL: an absolute {@code http} or {@code https} URI (RFC 3986) with a host, no
     * user info (credentials do not belong in a stored URL) and no fragment; https only when
     * {@code requireHttps}.
     *
     * @param v            the {@code url} node, or null
     * @param requireHttps whether plain http is refused
     * @param errors       where violations go (field {@code url})
     * @return the URL as given (stripped), or null when refused
     */
    static String url(JsonNode v, boolean requireHttps, List<HubProblem.FieldError> errors) {
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            errors.add(new HubProblem.FieldError("FIELD_REQUIRED", "url", "url is required: the absolute https URL events are POSTed to"));
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new HubProblem.FieldError("WEBHOOK_URL_INVALID", "url", "url must be a string holding an absolute http(s) URL"));
            return null;
        }
        String s = v.asText().strip();
        if (!FieldRules.singleLine(s, "url", MAX_URL, errors)) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            errors.add(new HubProblem.FieldError("WEBHOOK_URL_INVALID", "url", "url is not a valid URI: " + e.getReason()));
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme)) || uri.getHost() == null || uri.getHost().isEmpty()) {
            errors.add(new HubProblem.FieldError("WEBHOOK_URL_INVALID", "url", "url must be an absolute http or https URL with a host, e.g."
                + " https://billing.example.com/certhub/events; got " + s));
            return null;
        }
        if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            errors.add(new HubProblem.FieldError("WEBHOOK_URL_INVALID", "url", "url must not carry user info or a fragment"));
            return null;
        }
        if (requireHttps && !"https".equals(scheme)) {
            errors.add(new HubProblem.FieldError("WEBHOOK_URL_NOT_HTTPS", "url", "url must be https while the hub runs in production"
                + " (events carry order data and are signed, not encrypted); got " + scheme));
            return null;
        }
        return s;
    }

    /**
     * @param v      the {@code events} node, or null
     * @param errors where violations go ({@code events}, {@code events[i]})
     * @return the wire names, de-duplicated in the order given
     */
    static List<String> events(JsonNode v, List<HubProblem.FieldError> errors) {
        if (v == null || v.isNull() || (v.isArray() && v.isEmpty())) {
            errors.add(new HubProblem.FieldError("FIELD_REQUIRED", "events", "events must name at least one event type: "
                + String.join(", ", WebhookEventType.wireNames())));
            return List.of();
        }
        if (!v.isArray()) {
            errors.add(new HubProblem.FieldError("FIELD_INVALID", "events", "events must be an array of event types"));
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() || WebhookEventType.of(e.asText()).isEmpty()) {
                errors.add(new HubProblem.FieldError("WEBHOOK_EVENT_UNKNOWN", "events[" + i + "]", "unknown event type " + e
                    + "; known: " + String.join(", ", WebhookEventType.wireNames())));
            } else {
                out.add(e.asText());
            }
        }
        return List.copyOf(out);
    }
}
