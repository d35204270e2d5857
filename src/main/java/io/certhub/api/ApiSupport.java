package io.certhub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.problem.HubProblem;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What every REST handler shares: reading the key and the JSON body, writing JSON answers and
 * RFC 9457 problems, and the {@code Idempotency-Key} wrapper.
 */
@Component
public class ApiSupport {

    /** Media type of error answers (RFC 9457). */
    public static final String PROBLEM_JSON = "application/problem+json";

    private final ObjectMapper json;
    private final ApiKeyService keys;
    private final IdempotencyService idempotency;
    private final TransactionTemplate tx;

    /**
     * @param json        Jackson mapper
     * @param keys        API keys
     * @param idempotency Idempotency-Key records
     * @param tx          transaction template (atomic idempotent actions)
     */
    public ApiSupport(ObjectMapper json, ApiKeyService keys, IdempotencyService idempotency, TransactionTemplate tx) {
        this.json = json;
        this.keys = keys;
        this.idempotency = idempotency;
        this.tx = tx;
    }

    /**
     * Who calls: authenticated once per request, by {@link ApiGuardFilter} before the body was read,
     * which leaves the {@link Caller} on the servlet request ({@link Caller#REQUEST_ATTRIBUTE}); read
     * from there (platform-http's {@link PlatformHttpMessage}). An exchange that did not come through
     * the filter's {@code /api/} check (the sandbox's operator endpoints under {@code /sandbox/}) has its
     * {@code X-Api-Key} looked up here.
     *
     * @param exchange the REST exchange
     * @return the caller
     * @throws HubProblem 401 UNAUTHORIZED when the exchange has no caller and no valid key
     */
    public Caller caller(Exchange exchange) {
        for (Message m : new Message[] {exchange.getIn(), exchange.getMessage()}) {
            if (m instanceof PlatformHttpMessage http && http.getRequest() != null
                    && http.getRequest().getAttribute(Caller.REQUEST_ATTRIBUTE) instanceof Caller c) {
                return c;
            }
        }
        return keys.authenticate(exchange.getMessage().getHeader("X-Api-Key", String.class));
    }

    /**
     * @param exchange the REST exchange
     * @return the reseller calling
     * @throws HubProblem 401; 403 FORBIDDEN for an operator key (it has no account)
     */
    public Caller reseller(Exchange exchange) {
        return ApiKeyService.requireReseller(caller(exchange));
    }

    /**
     * @param exchange the REST exchange
     * @return the operator calling
     * @throws HubProblem 401; 403 FORBIDDEN for a reseller key
     */
    public Caller operator(Exchange exchange) {
        return ApiKeyService.requireOperator(caller(exchange));
    }

    /**
     * @param exchange the REST exchange
     * @return the raw body bytes (empty array when none)
     */
    public byte[] body(Exchange exchange) {
        byte[] b = exchange.getMessage().getBody(byte[].class);
        return b == null ? new byte[0] : b;
    }

    /**
     * @param body request body bytes
     * @return the parsed JSON tree
     * @throws HubProblem 400 MALFORMED_REQUEST when empty or not valid JSON (detail gives line and column)
     */
    public JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new HubProblem(400, "MALFORMED_REQUEST", null, "the request body is empty; a JSON object is expected");
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new HubProblem(400, "MALFORMED_REQUEST", null, "the body is not valid JSON"
                + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")") + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new HubProblem(400, "MALFORMED_REQUEST", null, "the body could not be read: " + e.getMessage());
        }
    }

    /**
     * @param status HTTP status
     * @param body   object to serialise
     * @return the answer
     */
    public ApiResponse ok(int status, Object body) {
        return new ApiResponse(status, write(body), null);
    }

    /**
     * @param body object to serialise
     * @return its JSON text
     */
    public String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs a mutating action once per {@code Idempotency-Key} (when the header is present): the
     * key is claimed before the action runs ({@link IdempotencyService#claim}); a retry with the
     * same key and body replays the stored answer; the same key with another body is refused with
     * 422 {@code IDEMPOTENCY_KEY_REUSED}; a request while the first one still runs gets 409
     * {@code IDEMPOTENCY_KEY_IN_PROGRESS}; a key over 255 characters 422
     * {@code IDEMPOTENCY_KEY_INVALID} before anything is done. 4xx answers are stored and
     * replayed; after a 5xx the claim is released. The action commits on its own and the answer
     * is stored right after it: for actions that are safe to repeat through their own guards
     * (client reference, state transitions). Money that has no such guard uses
     * {@link #idempotentAtomic}.
     *
     * @param exchange the REST exchange
     * @param caller   the caller (keys are per account)
     * @param body     request body bytes (part of the fingerprint with method and path)
     * @param action   the action
     * @return the answer (fresh or replayed)
     * @throws HubProblem 409 / 422 as above
     */
    public ApiResponse idempotent(Exchange exchange, Caller caller, byte[] body, Supplier<ApiResponse> action) {
        return idempotent(exchange, caller, body, action, false);
    }

    /**
     * Like {@link #idempotent}, but the action and the stored answer commit in one transaction
     * (the action must join it, e.g. a {@code @Transactional} ledger call): either both are
     * there or neither, so a claim can never be left PENDING over committed work, and a claim
     * taken over after {@code hub.api.idempotency-claim-timeout} rolls the late request's work
     * back (it answers 409 {@code IDEMPOTENCY_KEY_IN_PROGRESS}). Used for deposits.
     *
     * @param exchange the REST exchange
     * @param caller   the caller
     * @param body     request body bytes
     * @param action   the action (joins the transaction)
     * @return the answer (fresh or replayed)
     */
    public ApiResponse idempotentAtomic(Exchange exchange, Caller caller, byte[] body, Supplier<ApiResponse> action) {
        return idempotent(exchange, caller, body, action, true);
    }

    private ApiResponse idempotent(Exchange exchange, Caller caller, byte[] body, Supplier<ApiResponse> action, boolean atomic) {
        String key = exchange.getMessage().getHeader("Idempotency-Key", String.class);
        if (key == null || key.isBlank()) {
            return action.get();
        }
        IdempotencyService.validate(key);
        String scope = caller.operator() ? "operator" : caller.accountId();
        String fingerprint = IdempotencyService.fingerprint(exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class),
            exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class), body);
        IdempotencyService.Claim claim = idempotency.claim(scope, key, fingerprint);
        if (claim.replay() != null) {
            return claim.replay();
        }
        String token = claim.token();
        ApiResponse response;
        try {
            if (atomic) {
                response = tx.execute(s -> {
                    ApiResponse r = action.get();
                    if (r.status() < 500 && !idempotency.finish(scope, key, token, r)) {
                        throw takenOver(key);
                    }
                    return r;
                });
            } else {
                response = action.get();
            }
        } catch (HubProblem p) {
            if (p.status() >= 500 || "IDEMPOTENCY_KEY_IN_PROGRESS".equals(p.code())) {
                idempotency.release(scope, key, token);
                throw p;
            }
            response = problemResponse(p, exchange);
            if (!idempotency.finish(scope, key, token, response)) {
                throw takenOver(key);
            }
            return response;
        } catch (RuntimeException | Error e) {
            idempotency.release(scope, key, token);
            throw e;
        }
        if (response.status() >= 500) {
            idempotency.release(scope, key, token);
        } else if (!atomic && !idempotency.finish(scope, key, token, response)) {
            throw takenOver(key);
        }
        return response;
    }

    private static HubProblem takenOver(String key) {
        return new HubProblem(409, "IDEMPOTENCY_KEY_IN_PROGRESS", "Idempotency-Key", "the claim on Idempotency-Key " + key
            + " was taken over by a retry after the claim timeout; retry to get its answer");
    }

    /**
     * Writes an answer on the exchange.
     *
     * @param exchange the REST exchange
     * @param r        the answer
     */
    public void respond(Exchange exchange, ApiResponse r) {
        Message m = exchange.getMessage();
        m.removeHeaders("*", "CamelHttp*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, r.status());
        boolean problem = r.status() >= 400;
        m.setHeader(Exchange.CONTENT_TYPE, problem ? PROBLEM_JSON : "application/json");
        if (r.location() != null) {
            m.setHeader("Location", r.location());
        }
        m.setBody(r.json().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes a problem on the exchange (the shared error handler of routes/errors.camel.yaml).
     *
     * @param exchange the failed REST exchange; the exception is {@link Exchange#EXCEPTION_CAUGHT}
     */
    public void problem(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (transientDatabase(t)) {
            // a row lock or a concurrent update of the same row by another request: nothing of this
            // request was committed; a named 409 the client may retry, never a 500
            org.slf4j.LoggerFactory.getLogger(ApiSupport.class).warn("REST request lost a database race: {}", t.toString());
            respond(exchange, problemResponse(new HubProblem(409, "CONCURRENT_UPDATE", null,
                "another request changed the same data at the same time; nothing was done, retry"), exchange));
            return;
        }
        HubProblem p = t instanceof HubProblem hp ? hp
            : new HubProblem(500, "INTERNAL_ERROR", null, "the hub failed to handle the request; it was logged");
        if (!(t instanceof HubProblem)) {
            org.slf4j.LoggerFactory.getLogger(ApiSupport.class).error("REST request failed", t);
        }
        respond(exchange, problemResponse(p, exchange));
    }

    private static boolean transientDatabase(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.springframework.dao.TransientDataAccessException) {
                return true;
            }
        }
        return false;
    }

    private ApiResponse problemResponse(HubProblem p, Exchange exchange) {
        return new ApiResponse(p.status(), problemJson(p, exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class)), null);
    }

    /**
     * The RFC 9457 body of a problem: {@code {type, title, status, detail, code, field, errors?, instance?}}.
     *
     * @param p        the problem
     * @param instance the request path, or null
     * @return its JSON text
     */
    public String problemJson(HubProblem p, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://certhub.io/problems/" + p.code().toLowerCase().replace('_', '-'));
        body.put("title", title(p.status()));
        body.put("status", p.status());
        body.put("detail", p.detail());
        body.put("code", p.code());
        body.put("field", p.field());
        if (!p.errors().isEmpty()) {
            body.put("errors", p.errors());
        }
        if (instance != null) {
            body.put("instance", instance);
        }
        return write(body);
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Malformed request";
            case 401 -> "Unauthorized";
            case 402 -> "Insufficient funds";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 409 -> "Conflict";
            case 413 -> "Content too large";
            case 422 -> "Unprocessable request";
            case 429 -> "Too many requests";
            default -> "Error";
        };
    }

    /**
     * @param values query parameter values
     * @return the first non-blank one, or null
     */
    public static String first(List<String> values) {
        return values.stream().filter(v -> v != null && !v.isBlank()).findFirst().orElse(null);
    }
}
