package io.certhub.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.certhub.problem.HubProblem;
import org.springframework.stereotype.Component;

/**
 * Binds a JSON tree (a REST body, one element of a JSON file, or a CSV row turned into a tree)
 * to an {@link OrderDocument}. Unknown fields are refused so a misspelt field is never silently
 * ignored.
 *
 * <p>Errors: 422 {@code FIELD_UNKNOWN} naming the dotted path of an unknown field; 422
 * {@code FIELD_INVALID} naming the path of a value of the wrong type (e.g. {@code period: "x"}, or a
 * number with a fraction such as {@code period: 1.9}, which is never truncated to a whole number).
 */
@Component
public class OrderDocumentReader {

    private final ObjectMapper mapper = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        // period 1.9 is refused, never truncated to 1 (issue 16, Low)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .build();

    /**
     * @param node a JSON object
     * @return the document
     * @throws HubProblem 422 FIELD_UNKNOWN / FIELD_INVALID / MALFORMED_REQUEST (not an object)
     */
    public OrderDocument read(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new HubProblem(422, "FIELD_INVALID", null, "an order must be a JSON object");
        }
        try {
            return mapper.treeToValue(node, OrderDocument.class);
        } catch (UnrecognizedPropertyException e) {
            String path = path(e);
            throw new HubProblem(422, "FIELD_UNKNOWN", path, "unknown field " + path + " (field names are case-sensitive camelCase)");
        } catch (JsonMappingException e) {
            String path = path(e);
            throw new HubProblem(422, "FIELD_INVALID", path, path + " has the wrong type: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new HubProblem(422, "FIELD_INVALID", null, e.getOriginalMessage());
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
