package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.problem.HubProblem.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderFieldLimitsTest {

    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void everyValueOverItsLimitIsNamedByItsDottedPath() {
        ObjectNode order = mapper.createObjectNode();
        order.put("clientReference", "R".repeat(128));
        order.put("domain", "d".repeat(254));
        order.putArray("additionalDomains").add("ok.example.com").add("a".repeat(300));
        order.put("csr", "c".repeat(16_001));
        order.put("period", 1);
        order.putObject("contacts").putObject("admin").put("firstName", "A".repeat(100_000)).put("email", "e".repeat(254));
        List<FieldError> errors = OrderFieldLimits.check(order);
        assertThat(errors).extracting(FieldError::field).containsExactly("domain", "additionalDomains[1]", "csr", "contacts.admin.firstName");
        assertThat(errors).extracting(FieldError::code).containsOnly("FIELD_TOO_LONG");
        assertThat(errors.get(3).detail()).isEqualTo("contacts.admin.firstName has 100000 characters; at most 128 are allowed");
    }

    @Test
    void tooManyAdditionalDomainsAreRefusedWithoutLookingAtEach() {
        ObjectNode order = mapper.createObjectNode();
        var arr = order.putArray("additionalDomains");
        for (int i = 0; i <= OrderFieldLimits.MAX_ADDITIONAL_DOMAINS; i++) {
            arr.add("x".repeat(300));
        }
        assertThat(OrderFieldLimits.check(order)).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("additionalDomains");
            assertThat(e.detail()).contains("251");
        });
        assertThat(OrderFieldLimits.check(mapper.createObjectNode().put("clientReference", "A"))).isEmpty();
    }
}
