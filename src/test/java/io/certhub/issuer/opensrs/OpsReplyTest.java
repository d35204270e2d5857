package io.certhub.issuer.opensrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.issuer.opensrs.OpsReply.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpsReplyTest {

    private static Map<String, Object> top(String isSuccess, String code, String text) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("protocol", "XCP");
        top.put("action", "REPLY");
        top.put("object", "TRUST_SERVICE");
        top.put("is_success", isSuccess);
        top.put("response_code", code);
        top.put("response_text", text);
        top.put("attributes", Map.of("order_id", "3411723"));
        return top;
    }

    @ParameterizedTest(name = "is_success={0} code={1} → {2}")
    @CsvSource({
            "1, 200, SUCCESS",
            "0, 200, AMBIGUOUS",     // HTTP/OPS 200 but is_success=0: never a success
            "1, 210, AMBIGUOUS",
            "0, 435, REFUSED",       // permission denied (product not enabled)
            "0, 440, REFUSED",       // insufficient funds at the vendor
            "1, 440, REFUSED",
            "0, 465, REFUSED",       // any other 4xx with is_success=0: validation refusal
            "0, 480, REFUSED",
            "0, 400, AUTH_FAILED",   // authentication / IP refused
            "1, 400, AUTH_FAILED",
            "0, 486, TRANSIENT",     // entity already being processed
            "0, 500, TRANSIENT",
            "0, 555, TRANSIENT",
            "0, 701, TRANSIENT",     // supplier communication error
            "0, 799, TRANSIENT",
            "0, 705, AMBIGUOUS",     // timed out: look up before resending
            "1, 705, AMBIGUOUS",
            "0, 300, AMBIGUOUS",
            "0, 999, AMBIGUOUS",
    })
    void classifiesEveryOutcome(String isSuccess, String code, Outcome expected) {
        assertThat(OpsReply.from(top(isSuccess, code, "x")).classify()).isEqualTo(expected);
    }

    @Test
    void readsComponentsFromTheTopMap() {
        OpsReply r = OpsReply.from(top("1", " 200 ", "Order created"));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.responseCode()).isEqualTo(200);
        assertThat(r.responseText()).isEqualTo("Order created");
        assertThat(r.action()).isEqualTo("REPLY");
        assertThat(r.attributes()).containsExactly(Map.entry("order_id", "3411723"));
        assertThat(r.attributeText("order_id")).isEqualTo("3411723");
        assertThat(r.attributeText("state")).isNull();
    }

    @Test
    void isSuccessZeroWithCode200DecodedFromTheWireIsAFailure() {
        String xml = """
                <?xml version='1.0' encoding='UTF-8' standalone='no' ?>
                <!DOCTYPE OPS_envelope SYSTEM 'ops.dtd'>
                <OPS_envelope><header><version>0.9</version></header><body><data_block><dt_assoc>
                  <item key="protocol">XCP</item><item key="action">REPLY</item>
                  <item key="object">TRUST_SERVICE</item>
                  <item key="is_success">0</item><item key="response_code">200</item>
                  <item key="response_text">Command completed successfully</item>
                </dt_assoc></data_block></body></OPS_envelope>
                """;
        OpsReply r = OpsReply.from(new OpsCodec().decode(xml.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.responseCode()).isEqualTo(200);
        assertThat(r.attributes()).isEmpty();
        assertThat(r.classify()).isNotEqualTo(Outcome.SUCCESS).isEqualTo(Outcome.AMBIGUOUS);
    }

    @Test
    void missingOrBadFieldsAreProtocolErrors() {
        Map<String, Object> noCode = top("1", "200", "x");
        noCode.remove("response_code");
        assertThatThrownBy(() -> OpsReply.from(noCode))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("response_code is missing");

        assertThatThrownBy(() -> OpsReply.from(top("1", "OK", "x")))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("not an integer: 'OK'");

        assertThatThrownBy(() -> OpsReply.from(top("yes", "200", "x")))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("is_success");

        Map<String, Object> listAttrs = top("1", "200", "x");
        listAttrs.put("attributes", java.util.List.of("a"));
        assertThatThrownBy(() -> OpsReply.from(listAttrs))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("attributes");
    }

    @Test
    void absentTextsAndAttributesBecomeEmpty() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("is_success", "0");
        m.put("response_code", "486");
        OpsReply r = OpsReply.from(m);
        assertThat(r.responseText()).isEmpty();
        assertThat(r.action()).isEmpty();
        assertThat(r.attributes()).isEmpty();
        assertThat(r.classify()).isEqualTo(Outcome.TRANSIENT);
    }
}
