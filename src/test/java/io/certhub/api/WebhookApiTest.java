package io.certhub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.certhub.problem.HubProblem;
import io.certhub.webhook.WebhookProperties;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/**
 * The rules of {@link WebhookApi} that need no running hub: https is required with the
 * {@code production} profile (the profile {@code ProductionConfigCheck} looks for) or
 * {@code hub.webhooks.require-https}, and which URLs and event lists are refused with which code.
 * The same codes across the wire: {@code io.certhub.flow.WebhookFlowTest}, {@code WebhookHttpsRequiredTest}.
 */
class WebhookApiTest {

    private static WebhookApi api(boolean requireHttpsProperty, String... profiles) {
        MockEnvironment env = new MockEnvironment();
        env.setActiveProfiles(profiles);
        WebhookProperties props = new WebhookProperties();
        props.setRequireHttps(requireHttpsProperty);
        return new WebhookApi(null, null, props, null, null, env);
    }

    @Test
    void theProductionProfileRequiresHttpsEvenWithThePropertyOff() {
        assertThat(api(false, "production").requiresHttps()).isTrue();
        assertThat(api(false).requiresHttps()).isFalse();
        assertThat(api(false, "default", "bench").requiresHttps()).isFalse();
        assertThat(api(true).requiresHttps()).isTrue();
    }

    private static List<HubProblem.FieldError> urlErrors(String url, boolean requireHttps) {
        List<HubProblem.FieldError> errors = new ArrayList<>();
        String kept = WebhookApi.url(url == null ? null : TextNode.valueOf(url), requireHttps, errors);
        assertThat(kept == null).isEqualTo(!errors.isEmpty());
        return errors;
    }

    @Test
    void urlsAreAbsoluteHttpOrHttpsWithAHost() {
        assertThat(urlErrors("https://billing.example.com/certhub/events?x=1", true)).isEmpty();
        assertThat(urlErrors("http://127.0.0.1:8099/hook", false)).isEmpty();
        for (String bad : List.of("ftp://billing.example.com/x", "/relative/path", "billing.example.com/hook", "https:///nohost",
            "javascript:alert(1)", "https://user:pw@billing.example.com/", "https://billing.example.com/#frag", "http://exa mple.com/")) {
            assertThat(urlErrors(bad, false)).as(bad).extracting(HubProblem.FieldError::code, HubProblem.FieldError::field)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("WEBHOOK_URL_INVALID", "url"));
        }
        assertThat(urlErrors("http://billing.example.com/hook", true)).extracting(HubProblem.FieldError::code)
            .containsExactly("WEBHOOK_URL_NOT_HTTPS");
        assertThat(urlErrors(null, false)).extracting(HubProblem.FieldError::code).containsExactly("FIELD_REQUIRED");
        assertThat(urlErrors("https://e.example/" + "a".repeat(2100), false)).extracting(HubProblem.FieldError::code).containsExactly("FIELD_TOO_LONG");
    }

    @Test
    void eachUnknownEventTypeIsNamedByItsIndex() {
        var arr = JsonNodeFactory.instance.arrayNode().add("order.submitted").add("order.shipped").add("hold.released").add(7).add("order.submitted");
        List<HubProblem.FieldError> errors = new ArrayList<>();
        List<String> events = WebhookApi.events(arr, errors);
        assertThat(errors).extracting(HubProblem.FieldError::code, HubProblem.FieldError::field).containsExactly(
            org.assertj.core.groups.Tuple.tuple("WEBHOOK_EVENT_UNKNOWN", "events[1]"), org.assertj.core.groups.Tuple.tuple("WEBHOOK_EVENT_UNKNOWN", "events[3]"));
        assertThat(events).containsExactly("order.submitted", "hold.released");
        List<HubProblem.FieldError> none = new ArrayList<>();
        WebhookApi.events(JsonNodeFactory.instance.arrayNode(), none);
        assertThat(none).extracting(HubProblem.FieldError::code, HubProblem.FieldError::field)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("FIELD_REQUIRED", "events"));
    }
}
