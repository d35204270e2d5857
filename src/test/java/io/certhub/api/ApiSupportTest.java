package io.certhub.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.problem.HubProblem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.apache.camel.http.common.DefaultHttpBinding;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link ApiSupport} on its own (issue 14 §5: it had no test class): JSON parsing errors, the
 * Idempotency-Key protocol against a stubbed {@link IdempotencyService} (replay, stored 4xx, released
 * claim after a 5xx or a crash, a claim taken over), and the problem+json answers of the shared error
 * handler (RFC 9457 shape, a database race as 409 {@code CONCURRENT_UPDATE}, anything else 500 without
 * its message).
 */
class ApiSupportTest {

    private final ObjectMapper json = new ObjectMapper();
    private IdempotencyService idempotency;
    private TransactionTemplate tx;
    private ApiSupport api;
    private ApiKeyService keys;
    private final Caller demo = new Caller("demo", false);

    @BeforeEach
    void setUp() {
        idempotency = mock(IdempotencyService.class);
        tx = mock(TransactionTemplate.class);
        when(tx.execute(any())).thenAnswer(i -> ((TransactionCallback<?>) i.getArgument(0)).doInTransaction(null));
        keys = mock(ApiKeyService.class);
        api = new ApiSupport(json, keys, idempotency, tx);
    }

    /** An exchange as platform-http hands it over after {@link ApiGuardFilter} authenticated {@code caller}. */
    static Exchange filtered(Caller caller) {
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/api/v1/orders");
        req.addHeader("X-Api-Key", "demo-key");
        req.setAttribute(Caller.REQUEST_ATTRIBUTE, caller);
        ex.setIn(new PlatformHttpMessage(ex, new DefaultHttpBinding(), req, new MockHttpServletResponse()));
        return ex;
    }

    @Test
    void theCallerTheFilterAuthenticatedIsUsedWithoutLookingTheKeyUpAgain() {
        assertThat(api.reseller(filtered(demo))).isEqualTo(demo);
        Caller operator = new Caller(null, true);
        assertThat(api.operator(filtered(operator))).isEqualTo(operator);
        assertThat(catchThrowableOfType(HubProblem.class, () -> api.operator(filtered(demo))).status()).isEqualTo(403);
        assertThat(catchThrowableOfType(HubProblem.class, () -> api.reseller(filtered(operator))).code()).isEqualTo("FORBIDDEN");
        verify(keys, never()).authenticate(anyString());
    }

    @Test
    void anExchangeThatDidNotPassTheFilterHasItsKeyLookedUp() {
        Exchange ex = exchange(null);
        ex.getMessage().setHeader("X-Api-Key", "operator-key");
        when(keys.authenticate("operator-key")).thenReturn(new Caller(null, true));
        assertThat(api.operator(ex).operator()).isTrue();
        verify(keys).authenticate("operator-key");
    }

    static Exchange exchange(String idempotencyKey) {
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        ex.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        ex.getMessage().setHeader(Exchange.HTTP_PATH, "/api/v1/orders");
        ex.getMessage().setHeader(Exchange.HTTP_URI, "/api/v1/orders");
        if (idempotencyKey != null) {
            ex.getMessage().setHeader("Idempotency-Key", idempotencyKey);
        }
        return ex;
    }

    @Test
    void anEmptyOrBrokenBodyIs400NamingWhereItBroke() {
        HubProblem empty = catchThrowableOfType(HubProblem.class, () -> api.parse(new byte[0]));
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.code()).isEqualTo("MALFORMED_REQUEST");

        HubProblem broken = catchThrowableOfType(HubProblem.class, () -> api.parse("{\"a\":\n  tru}".getBytes(StandardCharsets.UTF_8)));
        assertThat(broken.code()).isEqualTo("MALFORMED_REQUEST");
        assertThat(broken.detail()).contains("line 2, column");
        assertThat(api.parse("{\"a\":1}".getBytes(StandardCharsets.UTF_8)).get("a").asInt()).isEqualTo(1);
    }

    @Test
    void withoutAKeyTheActionRunsAndNothingIsClaimed() {
        AtomicInteger runs = new AtomicInteger();
        ApiResponse r = api.idempotent(exchange(null), demo, new byte[0], () -> {
            runs.incrementAndGet();
            return api.ok(201, java.util.Map.of("id", "o-1"));
        });
        assertThat(r.status()).isEqualTo(201);
        assertThat(runs).hasValue(1);
        verify(idempotency, never()).claim(anyString(), anyString(), anyString());
    }

    @Test
    void aKeySeenBeforeReplaysItsAnswerWithoutRunningTheAction() {
        ApiResponse stored = new ApiResponse(201, "{\"id\":\"o-1\"}", "/api/v1/orders/o-1");
        when(idempotency.claim(eq("demo"), eq("k-1"), anyString())).thenReturn(new IdempotencyService.Claim(null, stored));

        ApiResponse r = api.idempotent(exchange("k-1"), demo, "{}".getBytes(StandardCharsets.UTF_8), () -> {
            throw new AssertionError("the action must not run for a replay");
        });
        assertThat(r).isEqualTo(stored);
    }

    @Test
    void aRefusalIsStoredAndReplayableWhileA5xxOrACrashGivesTheKeyBack() {
        when(idempotency.claim(eq("demo"), anyString(), anyString())).thenReturn(new IdempotencyService.Claim("t", null));
        when(idempotency.finish(eq("demo"), anyString(), eq("t"), any())).thenReturn(true);

        ApiResponse refused = api.idempotent(exchange("k-4xx"), demo, new byte[0], () -> {
            throw new HubProblem(402, "INSUFFICIENT_FUNDS", null, "the hold needs 10.00 USD");
        });
        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.json()).contains("\"code\":\"INSUFFICIENT_FUNDS\"");
        verify(idempotency).finish("demo", "k-4xx", "t", refused);

        HubProblem unavailable = new HubProblem(503, "VENDOR_UNAVAILABLE", null, "try later");
        assertThat(catchThrowableOfType(HubProblem.class, () -> api.idempotent(exchange("k-5xx"), demo, new byte[0], () -> {
            throw unavailable;
        }))).isSameAs(unavailable);
        verify(idempotency).release("demo", "k-5xx", "t");

        IllegalStateException crash = new IllegalStateException("boom");
        assertThat(catchThrowableOfType(IllegalStateException.class, () -> api.idempotent(exchange("k-crash"), demo, new byte[0], () -> {
            throw crash;
        }))).isSameAs(crash);
        verify(idempotency).release("demo", "k-crash", "t");

        ApiResponse failed = api.idempotent(exchange("k-500"), demo, new byte[0], () -> new ApiResponse(500, "{}", null));
        assertThat(failed.status()).isEqualTo(500);
        verify(idempotency).release("demo", "k-500", "t");
        verify(idempotency, never()).finish(eq("demo"), eq("k-500"), anyString(), any());
    }

    @Test
    void aClaimTakenOverMeanwhileAnswers409AndTheAtomicVariantRunsInOneTransaction() {
        when(idempotency.claim(eq("demo"), anyString(), anyString())).thenReturn(new IdempotencyService.Claim("t", null));
        when(idempotency.finish(eq("demo"), anyString(), eq("t"), any())).thenReturn(false);

        HubProblem late = catchThrowableOfType(HubProblem.class, () -> api.idempotent(exchange("k-late"), demo, new byte[0],
            () -> api.ok(201, java.util.Map.of())));
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.code()).isEqualTo("IDEMPOTENCY_KEY_IN_PROGRESS");
        assertThat(late.field()).isEqualTo("Idempotency-Key");

        HubProblem lateAtomic = catchThrowableOfType(HubProblem.class, () -> api.idempotentAtomic(exchange("k-late-atomic"), demo, new byte[0],
            () -> api.ok(201, java.util.Map.of())));
        assertThat(lateAtomic.code()).isEqualTo("IDEMPOTENCY_KEY_IN_PROGRESS");
        verify(tx).execute(any());
    }

    @Test
    void aKeyOver255CharactersIsRefusedBeforeAnythingIsClaimed() {
        HubProblem p = catchThrowableOfType(HubProblem.class, () -> api.idempotent(exchange("k".repeat(256)), demo, new byte[0],
            () -> api.ok(200, java.util.Map.of())));
        assertThat(p.status()).isEqualTo(422);
        assertThat(p.code()).isEqualTo("IDEMPOTENCY_KEY_INVALID");
        verify(idempotency, never()).claim(anyString(), anyString(), anyString());
    }

    JsonNode answered(Exchange ex) throws Exception {
        assertThat(ex.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo(ApiSupport.PROBLEM_JSON);
        return json.readTree(ex.getMessage().getBody(byte[].class));
    }

    @Test
    void theSharedErrorHandlerAnswersProblemJson() throws Exception {
        Exchange named = exchange(null);
        named.setProperty(Exchange.EXCEPTION_CAUGHT, HubProblem.unprocessable(List.of(
            new HubProblem.FieldError("FIELD_REQUIRED", "domain", "domain is required"),
            new HubProblem.FieldError("CSR_WEAK_KEY", "csr", "RSA 1024 is below 2048 bits"))));
        api.problem(named);
        assertThat(named.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(422);
        JsonNode p = answered(named);
        assertThat(p.get("type").asText()).isEqualTo("https://certhub.io/problems/field-required");
        assertThat(p.get("title").asText()).isEqualTo("Unprocessable request");
        assertThat(p.get("status").asInt()).isEqualTo(422);
        assertThat(p.get("code").asText()).isEqualTo("FIELD_REQUIRED");
        assertThat(p.get("field").asText()).isEqualTo("domain");
        assertThat(p.get("errors")).hasSize(2);
        assertThat(p.get("errors").get(1).get("code").asText()).isEqualTo("CSR_WEAK_KEY");
        assertThat(p.get("instance").asText()).isEqualTo("/api/v1/orders");

        Exchange race = exchange(null);
        race.setProperty(Exchange.EXCEPTION_CAUGHT, new RuntimeException("wrapped", new PessimisticLockingFailureException("row lock")));
        api.problem(race);
        assertThat(race.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(409);
        assertThat(answered(race).get("code").asText()).isEqualTo("CONCURRENT_UPDATE");

        Exchange bug = exchange(null);
        bug.setProperty(Exchange.EXCEPTION_CAUGHT, new NullPointerException("secret internals"));
        api.problem(bug);
        assertThat(bug.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);
        JsonNode internal = answered(bug);
        assertThat(internal.get("code").asText()).isEqualTo("INTERNAL_ERROR");
        assertThat(internal.toString()).doesNotContain("secret internals");
    }
}
