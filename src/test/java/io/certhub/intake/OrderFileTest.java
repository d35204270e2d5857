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

    @Test
    void reportsQuoteOnlyAShortSanitisedExcerptOfTheContent() {
        String secret = "DB_PASSWORD=s3cr3t\u0000HUB_OPERATOR_KEY=" + "k".repeat(500) + "\u0000PATH=/usr/bin";
        assertThatThrownBy(() -> orders("env.csv", secret + "\n"))
            .isInstanceOfSatisfying(HubProblem.class, p -> {
                assertThat(p.code()).isEqualTo("FILE_UNPARSEABLE");
                assertThat(p.detail()).contains("unknown column 'DB_PASSWORD=s3cr3tHUB_OPERATOR_KEY=kkkkk")
                    .doesNotContain("\u0000").doesNotContain("PATH=").hasSizeLessThan(200);
            });
        assertThatThrownBy(() -> orders("env.json", "DB_PASSWORD" + "x".repeat(500) + "\u0000PATH=/usr/bin"))
            .isInstanceOfSatisfying(HubProblem.class, p -> {
                assertThat(p.code()).isEqualTo("FILE_UNPARSEABLE");
                assertThat(p.detail()).contains("line 1").doesNotContain("\u0000").doesNotContain("PATH=").hasSizeLessThan(300);
                assertThat(p.detail()).doesNotContain("x".repeat(Excerpt.CONTENT + 1));
            });
        // Commons CSV lists the whole header row when a name is missing: never relayed
        assertThatThrownBy(() -> orders("dup.csv", "clientReference,,SECRET=1\nA,B,C\n"))
            .isInstanceOfSatisfying(HubProblem.class, p -> assertThat(p.detail()).contains("line 1", "empty column name").doesNotContain("SECRET"));
    }

    @Test
    void anOrderOverTheLimitFailsTheFileNamingTheLineAndNothingIsBufferedBeyondIt() {
        long limit = 64 * 1024;
        String header = "clientReference,contacts.admin.firstName\n";
        String csv = header + "A,Alex\n" + "B," + "x".repeat(200_000) + "\n" + "C,Cleo\n";
        assertThatThrownBy(() -> OrderFile.check("big.csv", () -> new java.io.ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
            mapper, limit))
            .isInstanceOfSatisfying(HubProblem.class, p -> {
                assertThat(p.code()).isEqualTo("FILE_ORDER_TOO_LARGE");
                assertThat(p.detail()).contains("line 3", "65536", "hub.intake.max-order-size");
            });
        String json = "[{\"clientReference\":\"A\"},{\"clientReference\":\"" + "y".repeat(200_000) + "\"}]";
        assertThatThrownBy(() -> OrderFile.check("big.json", () -> new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
            mapper, limit))
            .isInstanceOfSatisfying(HubProblem.class, p -> assertThat(p.code()).isEqualTo("FILE_ORDER_TOO_LARGE"));
        // under the limit, a 100 KB value is read (the order is refused later, per field)
        List<JsonNode> out = new ArrayList<>();
        OrderFile.check("ok.csv", () -> new java.io.ByteArrayInputStream((header + "B," + "x".repeat(100_000) + "\n").getBytes(StandardCharsets.UTF_8)),
            mapper, 1 << 20).forEachOrder(out::add);
        assertThat(out.get(0).get("contacts").get("admin").get("firstName").asText()).hasSize(100_000);
    }

    @Test
    void theScanHashesAndChecksUtf8InBlocksAcrossBlockBoundaries() throws Exception {
        byte[] big = ("\n".repeat(70_000) + "caf\u00e9 \uD83D\uDE00").repeat(3).getBytes(StandardCharsets.UTF_8);
        OrderFile.Scan ok = OrderFile.scan(new java.io.ByteArrayInputStream(big));
        assertThat(ok.utf8Problem()).isNull();
        assertThat(ok.bytes()).isEqualTo(big.length);
        assertThat(ok.sha256()).isEqualTo(com.google.common.hash.Hashing.sha256().hashBytes(big).toString());
        byte[] bad = java.util.Arrays.copyOf(big, big.length + 2);
        bad[bad.length - 2] = '\n';
        bad[bad.length - 1] = (byte) 0xC3;       // a sequence cut at the end of the file
        assertThat(OrderFile.scan(new java.io.ByteArrayInputStream(bad)).utf8Problem()).contains("line " + (3 * 70_000 + 2));
    }
}
