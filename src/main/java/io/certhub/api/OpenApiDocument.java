package io.certhub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * Serves the API's OpenAPI 3.1 document, the hand-written {@code src/main/resources/openapi.yaml}
 * (contract-first, issue 14 §1): {@code GET /api/v1/openapi.yaml} answers the file as it is,
 * {@code GET /api/v1/openapi.json} the same document as JSON (converted once, at start-up, with
 * Jackson's YAML module). Both need no API key ({@link ApiGuardFilter}); routes/openapi-rest-api.camel.yaml.
 */
@Component("openApiDocument")
public class OpenApiDocument {

    /** Where the document is on the class path. */
    public static final String RESOURCE = "openapi.yaml";

    private final byte[] yaml;
    private final byte[] json;

    /** Reads and converts the document; a missing or broken document stops start-up. */
    public OpenApiDocument() {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is not on the class path");
            }
            this.yaml = in.readAllBytes();
            JsonNode tree = new YAMLMapper().readTree(yaml);
            this.json = new ObjectMapper().writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document " + RESOURCE + " cannot be read", e);
        }
    }

    /** {@code GET /api/v1/openapi.json}. @param ex exchange */
    public void json(Exchange ex) {
        answer(ex, "application/json", json);
    }

    /** {@code GET /api/v1/openapi.yaml} (media type {@code application/yaml}, RFC 9512). @param ex exchange */
    public void yaml(Exchange ex) {
        answer(ex, "application/yaml", yaml);
    }

    private static void answer(Exchange ex, String type, byte[] body) {
        Message m = ex.getMessage();
        m.removeHeaders("*", "CamelHttp*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(Exchange.CONTENT_TYPE, type);
        m.setBody(body);
    }
}
