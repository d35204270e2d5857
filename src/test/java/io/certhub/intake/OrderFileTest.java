package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.problem.HubProblem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderFileTest {

    final ObjectMapper mapper = new ObjectMapper();

    List<JsonNode> orders(String name, String text) {
        List<JsonNode> out = new ArrayList<>();
        OrderFile.check(name, text.getBytes(StandardCharsets.UTF_8), mapper).forEachOrder(out::add);
        return out;
    }

    @Test
    void jsonHoldsOneOrderOrAnArray() {
        assertThat(orders("one.json", "{\"clientReference\":\"A\"}")).extracting(n -> n.get("clientReference").asText()).containsExactly("A");
        assertThat(orders("many.json", "[{\"clientReference\":\"A\"},{\"clientReference\":\"B\"}]"))
            .extracting(n -> n.get("clientReference").asText()).containsExactly("A", "B");
    }

    @Test
    void csvColumnsAreDottedPathsAndCellsMayBeMultiLine() {
        String csv = "\uFEFFclientReference,domain,additionalDomains,csr,contacts.admin.email,period\r\n"
            + "R1,a.example.com,\"www.a.example.com  b.example.com\",\"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n\",x@example.com,2\r\n";
        JsonNode row = orders("batch.csv", csv).get(0);
        assertThat(row.get("clientReference").asText()).isEqualTo("R1");
        assertThat(row.get("additionalDomains")).hasSize(2);
        assertThat(row.get("additionalDomains").get(1).asText()).isEqualTo("b.example.com");
        assertThat(row.get("csr").asText()).contains("\nAAAA\n");
        assertThat(row.get("contacts").get("admin").get("email").asText()).isEqualTo("x@example.com");
        assertThat(row.get("period").asText()).isEqualTo("2");
    }

    @Test
    void fileLevelProblemsNameWhereTheyAre() {
        assertThatThrownBy(() -> orders("x.csv", "clientReference,colour\nA,red\n"))
            .isInstanceOfSatisfying(HubProblem.class, p -> {
                assertThat(p.code()).isEqualTo("FILE_UNPARSEABLE");
                assertThat(p.detail()).contains("colour");
            });
        assertThatThrownBy(() -> orders("x.csv", "clientReference,domain\nA,a.example.com,extra\n"))
            .isInstanceOfSatisfying(HubProblem.class, p -> assertThat(p.detail()).contains("line").contains("3 values"));
        assertThatThrownBy(() -> orders("x.json", "[{\"a\":1}, 2]"))
            .isInstanceOfSatisfying(HubProblem.class, p -> assertThat(p.detail()).contains("line 1"));
        assertThatThrownBy(() -> orders("x.json", "{} {}"))
            .isInstanceOfSatisfying(HubProblem.class, p -> assertThat(p.detail()).contains("after the end"));
        assertThatThrownBy(() -> OrderFile.check("x.json", new byte[] {'[', '\n', '"', (byte) 0xC3, '"', ']'}, mapper))
            .isInstanceOfSatisfying(HubProblem.class, p -> {
                assertThat(p.code()).isEqualTo("FILE_NOT_UTF8");
                assertThat(p.detail()).contains("line 2");
            });
        assertThatThrownBy(() -> OrderFile.check("x.txt", new byte[0], mapper))
            .isInstanceOfSatisfying(HubProblem.class, p -> assertThat(p.code()).isEqualTo("FILE_TYPE_UNSUPPORTED"));
    }
}
