package io.certhub.acme;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The one form of an ACME problem document (RFC 8555 §6.7). */
class AcmeProblemTest {

    @Test
    void theDocumentNamesTheTypeAndEscapesTheDetail() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(new AcmeProblem(400, "malformed", "the \"url\" is not\nthis one").toJson());
        assertThat(doc.get("type").asText()).isEqualTo("urn:ietf:params:acme:error:malformed");
        assertThat(doc.get("detail").asText()).isEqualTo("the \"url\" is not\nthis one");
        assertThat(doc.get("status").asInt()).isEqualTo(400);
    }
}
