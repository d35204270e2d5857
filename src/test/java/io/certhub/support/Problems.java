package io.certhub.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Assertions on the hub's {@code application/problem+json} answers (RFC 9457 with the hub's {@code code} and {@code field}). */
public final class Problems {

    private Problems() {
    }

    /**
     * Asserts an answer is a problem with this status, code and field.
     *
     * @param r      the HTTP answer
     * @param status expected HTTP status
     * @param code   expected {@code code}, e.g. {@code FIELD_INVALID}
     * @param field  expected {@code field} (dotted path), or null when the problem names no field
     * @return the problem document, for further assertions
     */
    public static JsonNode assertProblem(HttpResponse<String> r, int status, String code, String field) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = OrderJson.parse(r.body());
        assertThat(p.get("code").asText()).as(r.body()).isEqualTo(code);
        if (field == null) {
            assertThat(p.path("field").isNull()).as(r.body()).isTrue();
        } else {
            assertThat(p.path("field").asText()).as(r.body()).isEqualTo(field);
        }
        return p;
    }
}
