package io.certhub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The API's OpenAPI document ({@code src/main/resources/openapi.yaml}, issue 14 §1) is a valid
 * OpenAPI 3.1 document by two standard checks — swagger-parser's OpenAPI 3 parser (references
 * resolved, no message) and the official OpenAPI 3.1 JSON Schema ({@code openapi/oas-3.1-schema.yaml},
 * validated with networknt json-schema-validator, JSON Schema 2020-12) — and keeps the hub's own
 * rules: the {@code X-Api-Key} scheme applied globally, every error answer problem+json, no sandbox
 * path, no {@code 0.0.0.0} server. What the running hub answers: {@link OpenApiConformanceTest}.
 */
class OpenApiDocumentTest {

    static final YAMLMapper YAML = new YAMLMapper();
    static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    static String text(String resource) {
        try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** @return the document as a tree */
    static JsonNode document() {
        try {
            return YAML.readTree(text(OpenApiDocument.RESOURCE));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> swaggerParserMessages(String yaml) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml, null, options);
        List<String> messages = new ArrayList<>(result.getMessages() == null ? List.of() : result.getMessages());
        if (result.getOpenAPI() == null) {
            messages.add("no document parsed");
        }
        return messages;
    }

    static List<String> officialSchemaErrors(JsonNode doc) {
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(text("openapi/oas-3.1-schema.yaml"), InputFormat.YAML);
        return schema.validate(doc).stream().map(Object::toString).toList();
    }

    @Test
    void swaggerParserReadsItAsOpenApi31WithoutAMessage() {
        String yaml = text(OpenApiDocument.RESOURCE);
        assertThat(swaggerParserMessages(yaml)).isEmpty();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        var api = new OpenAPIV3Parser().readContents(yaml, null, options).getOpenAPI();
        assertThat(api.getOpenapi()).startsWith("3.1.");
        assertThat(api.getSpecVersion()).isEqualTo(io.swagger.v3.oas.models.SpecVersion.V31);
        assertThat(api.getComponents().getSecuritySchemes().get("ApiKey").getName()).isEqualTo("X-Api-Key");
        // the parser does find faults: a dangling reference and a response without description
        String broken = yaml.replace("'#/components/schemas/OrderPage'", "'#/components/schemas/NoSuchPage'")
            .replaceFirst("description: the OpenAPI 3.1 document\n", "");
        assertThat(swaggerParserMessages(broken)).isNotEmpty();
    }

    @Test
    void itValidatesAgainstTheOfficialOpenApi31JsonSchema() {
        JsonNode doc = document();
        assertThat(officialSchemaErrors(doc)).isEmpty();
        // the schema does refuse what is not OpenAPI 3.1
        ObjectNode wrongVersion = doc.deepCopy();
        wrongVersion.put("openapi", "3.0.3");
        assertThat(officialSchemaErrors(wrongVersion)).isNotEmpty();
        ObjectNode noInfo = doc.deepCopy();
        noInfo.remove("info");
        assertThat(officialSchemaErrors(noInfo)).isNotEmpty();
    }

    @Test
    void theApiKeySchemeIsGlobalAndOnlyTheDocumentItselfIsOpen() {
        JsonNode doc = document();
        JsonNode scheme = doc.at("/components/securitySchemes/ApiKey");
        assertThat(scheme.path("type").asText()).isEqualTo("apiKey");
        assertThat(scheme.path("in").asText()).isEqualTo("header");
        assertThat(scheme.path("name").asText()).isEqualTo("X-Api-Key");
        assertThat(doc.at("/security/0").has("ApiKey")).isTrue();
        List<String> open = new ArrayList<>();
        operations(doc).forEach((key, op) -> {
            if (op.has("security")) {
                assertThat(op.get("security").isEmpty()).as(key).isTrue();
                open.add(key);
            } else {
                assertThat(op.at("/responses/401").isMissingNode()).as(key + " documents 401").isFalse();
                assertThat(op.at("/responses/403").isMissingNode()).as(key + " documents 403").isFalse();
            }
        });
        assertThat(open).containsExactlyInAnyOrder("GET /api/v1/openapi.json", "GET /api/v1/openapi.yaml");
    }

    @Test
    void everyErrorAnswerIsProblemJsonAndEveryOperationIsNamedAndUnderApiV1() {
        JsonNode doc = document();
        Set<String> ids = new HashSet<>();
        Map<String, JsonNode> ops = operations(doc);
        assertThat(ops).isNotEmpty();
        ops.forEach((key, op) -> {
            String path = key.substring(key.indexOf(' ') + 1);
            assertThat(path).as(key).startsWith("/api/v1/").doesNotContain("sandbox");
            assertThat(ids.add(op.path("operationId").asText())).as(key + " has a unique operationId").isTrue();
            assertThat(op.path("operationId").asText()).as(key).isNotBlank();
            op.get("responses").fields().forEachRemaining(r -> {
                int status = Integer.parseInt(r.getKey());
                if (status >= 400) {
                    JsonNode response = resolve(doc, r.getValue());
                    assertThat(response.path("content").size()).as(key + " " + status).isEqualTo(1);
                    assertThat(response.at("/content/application~1problem+json/schema/$ref").asText()).as(key + " " + status)
                        .isEqualTo("#/components/schemas/Problem");
                    assertThat(response.path("description").asText()).as(key + " " + status + " names its codes")
                        .containsPattern("`[A-Z][A-Z0-9_]+`");
                }
            });
            // every {name} in the path is a declared path parameter
            Set<String> declared = new HashSet<>();
            for (JsonNode params : List.of(doc.at("/paths/" + pointer(path) + "/parameters"), op.path("parameters"))) {
                params.forEach(p -> {
                    JsonNode param = resolve(doc, p);
                    if (param.path("in").asText().equals("path")) {
                        declared.add(param.path("name").asText());
                    }
                });
            }
            Set<String> inPath = new HashSet<>();
            Matcher m = Pattern.compile("\\{([^}]+)}").matcher(path);
            while (m.find()) {
                inPath.add(m.group(1));
            }
            assertThat(declared).as(key).isEqualTo(inPath);
        });
        assertThat(doc.path("servers").toString()).doesNotContain("0.0.0.0");
        assertThat(doc.at("/servers/0/url").asText()).isEqualTo("/");
        assertThat(doc.at("/components/schemas/Problem/required").toString())
            .contains("\"type\"", "\"title\"", "\"status\"", "\"detail\"", "\"code\"", "\"field\"");
    }

    /** JSON Schema 2020-12 keywords the document's schemas may use (anything else is a typo or a YAML flow-mapping slip). */
    static final Set<String> SCHEMA_KEYWORDS = Set.of("$ref", "type", "properties", "required", "items", "allOf", "oneOf", "anyOf",
        "enum", "const", "description", "default", "examples", "format", "pattern", "minimum", "maximum", "minLength", "maxLength",
        "minItems", "additionalProperties", "contentMediaType");

    @Test
    void everySchemaUsesOnlyKnownKeywords() {
        JsonNode doc = document();
        List<String> unknown = new ArrayList<>();
        doc.at("/components/schemas").fields().forEachRemaining(e -> keywords(e.getValue(), "#/components/schemas/" + e.getKey(), unknown));
        List<JsonNode> inline = new ArrayList<>(doc.findValues("schema"));
        inline.forEach(s -> keywords(s, "(inline) " + s, unknown));
        assertThat(unknown).isEmpty();
    }

    static void keywords(JsonNode schema, String where, List<String> unknown) {
        schema.fieldNames().forEachRemaining(k -> {
            if (!SCHEMA_KEYWORDS.contains(k)) {
                unknown.add(where + ": " + k);
            }
        });
        schema.path("properties").fields().forEachRemaining(p -> keywords(p.getValue(), where + "/" + p.getKey(), unknown));
        if (schema.path("items").isObject()) {
            keywords(schema.get("items"), where + "/items", unknown);
        }
        if (schema.path("additionalProperties").isObject()) {
            keywords(schema.get("additionalProperties"), where + "/additionalProperties", unknown);
        }
        for (String list : List.of("allOf", "oneOf", "anyOf")) {
            schema.path(list).forEach(s -> keywords(s, where + "/" + list, unknown));
        }
    }

    /** @return every operation as "METHOD /path" → the operation object, in document order */
    static Map<String, JsonNode> operations(JsonNode doc) {
        Map<String, JsonNode> ops = new java.util.LinkedHashMap<>();
        doc.path("paths").fields().forEachRemaining(p -> METHODS.forEach(method -> {
            if (p.getValue().has(method)) {
                ops.put(method.toUpperCase() + " " + p.getKey(), p.getValue().get(method));
            }
        }));
        return ops;
    }

    /** @return the node a local {@code $ref} points at, or the node itself */
    static JsonNode resolve(JsonNode doc, JsonNode node) {
        JsonNode n = node;
        while (n.has("$ref") && n.get("$ref").asText().startsWith("#/")) {
            n = doc.at(n.get("$ref").asText().substring(1));
        }
        return n;
    }

    /** @return a JSON pointer token (RFC 6901) */
    static String pointer(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
