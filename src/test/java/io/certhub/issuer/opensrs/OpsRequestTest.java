package io.certhub.issuer.opensrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpsRequestTest {

    @Test
    void topMapHasProtocolActionObjectAttributesInOrder() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("order_id", "3411723");
        attrs.put("dv_auth_method", "email");
        Map<String, Object> top = OpsRequest.of("process_pending", attrs);

        assertThat(top).containsExactly(
                Map.entry("protocol", "XCP"),
                Map.entry("action", "process_pending"),
                Map.entry("object", "trust_service"),
                Map.entry("attributes", Map.of("order_id", "3411723", "dv_auth_method", "email")));
        assertThat(List.<Object>copyOf(((Map<?, ?>) top.get("attributes")).keySet())).containsExactly("order_id", "dv_auth_method");
    }

    @Test
    void attributesAreCopiedAndNullMeansEmpty() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("domain", "www.example.com");
        Map<String, Object> top = OpsRequest.of("query_approver_list", attrs);
        attrs.put("domain", "changed.example.com");
        assertThat(((Map<?, ?>) top.get("attributes")).get("domain")).isEqualTo("www.example.com");

        assertThat(OpsRequest.of("get_product_info", null).get("attributes")).isEqualTo(Map.of());
        assertThatThrownBy(() -> top.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void nullAttributeValuesAreKeptUntilEncodingDropsThem() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("order_id", "3411723");
        attrs.put("approver_email", null);
        Map<String, Object> top = OpsRequest.of("process_pending", attrs);
        Map<String, Object> decoded = new OpsCodec().decode(new OpsCodec().encode(top));
        assertThat(decoded.get("attributes")).isEqualTo(Map.of("order_id", "3411723"));
        assertThat(List.copyOf(decoded.keySet())).containsExactly("protocol", "action", "object", "attributes");
    }

    @Test
    void blankActionIsRefused() {
        assertThatThrownBy(() -> OpsRequest.of(" ", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpsRequest.of(null, Map.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
