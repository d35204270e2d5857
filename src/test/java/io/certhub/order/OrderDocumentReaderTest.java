package io.certhub.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.problem.HubProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Binding of order documents: a period with a fraction is refused, never truncated (issue 16, Low). */
class OrderDocumentReaderTest {

    private final OrderDocumentReader reader = new OrderDocumentReader();
    private final ObjectMapper mapper = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"1.9", "\"1.9\"", "1.0", "1e10", "99999999999", "\"one\""})
    void refusesAPeriodThatIsNotAWholeNumber(String period) throws Exception {
        assertThatThrownBy(() -> reader.read(mapper.readTree("{\"period\": " + period + "}")))
            .isInstanceOfSatisfying(HubProblem.class, p -> {
                assertThat(p.status()).isEqualTo(422);
                assertThat(p.code()).isEqualTo("FIELD_INVALID");
                assertThat(p.field()).isEqualTo("period");
            });
    }

    @Test
    void takesWholeNumbersAsGivenAndAsCsvText() throws Exception {
        assertThat(reader.read(mapper.readTree("{\"period\": 2}")).period()).isEqualTo(2);
        assertThat(reader.read(mapper.readTree("{\"period\": \"2\"}")).period()).isEqualTo(2);
    }
}
