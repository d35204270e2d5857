package io.certhub.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.api.ApiSupport;
import io.certhub.problem.HubProblem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code POST /sandbox/clock} (operator key; sandbox only): moves the clock of the hub and the
 * sandbox vendor forward, so a multi-year term's chain of certificates can be watched in minutes
 * (issue 13 §2). It moves the one {@link Clock} bean, an {@link OffsetClock} in the sandbox (what
 * that moves and what it does not: see there).
 *
 * <p>Body {@code {advanceDays, advanceSeconds}} (whole numbers, each optional, 0..3650 days and
 * 0..86400 seconds, at least one given); answer 200 {@code {now, offsetSeconds}} (ISO 8601 UTC;
 * how far ahead of the system clock). A negative or fractional value → 422 {@code FIELD_INVALID}
 * naming the field; neither given → 422 {@code FIELD_REQUIRED} {@code advanceDays}; a clock that
 * cannot be moved (a test's own fixed clock) → 409 {@code CLOCK_NOT_MOVABLE}.
 */
@Component("sandboxClock")
public class SandboxClock {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxClock.class);

    private final Clock clock;
    private final ApiSupport api;

    /**
     * @param clock the hub's clock
     * @param api   REST support (operator key, JSON)
     */
    public SandboxClock(Clock clock, ApiSupport api) {
        this.clock = clock;
        this.api = api;
    }

    /**
     * @param exchange the HTTP exchange
     * @throws HubProblem 401/403 without the operator key; 400 not JSON; 422; 409 CLOCK_NOT_MOVABLE
     */
    public void advance(Exchange exchange) {
        api.operator(exchange);
        JsonNode body = api.parse(api.body(exchange));
        long days = whole(body, "advanceDays", 3650);
        long seconds = whole(body, "advanceSeconds", 86_400);
        if (!body.hasNonNull("advanceDays") && !body.hasNonNull("advanceSeconds")) {
            throw new HubProblem(422, "FIELD_REQUIRED", "advanceDays", "advanceDays (or advanceSeconds) is required");
        }
        if (!(clock instanceof OffsetClock movable)) {
            throw new HubProblem(409, "CLOCK_NOT_MOVABLE", null, "this hub's clock is not the sandbox's movable clock");
        }
        Instant now = movable.advance(Duration.ofDays(days).plusSeconds(seconds));
        LOG.info("sandbox clock moved forward {} days {} s: now {}", days, seconds, now);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("now", now.toString());
        view.put("offsetSeconds", movable.offset().getSeconds());
        api.respond(exchange, api.ok(200, view));
    }

    private static long whole(JsonNode body, String field, long max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > max) {
            throw new HubProblem(422, "FIELD_INVALID", field, field + " must be a whole number from 0 to " + max);
        }
        return n.asLong();
    }
}
