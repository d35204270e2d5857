package io.certhub.issuer.opensrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpsCodecTest {

    private final OpsCodec codec = new OpsCodec();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String envelope(String dataBlockContent) {
        return "<?xml version='1.0' encoding='UTF-8' standalone='no' ?>\n"
                + "<!DOCTYPE OPS_envelope SYSTEM 'ops.dtd'>\n"
                + "<OPS_envelope><header><version>0.9</version></header><body><data_block>"
                + dataBlockContent + "</data_block></body></OPS_envelope>";
    }

    // ------------------------------------------------------------------ encode

    @Test
    void encodeWritesTheExactEnvelope() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("handle", "save");
        attrs.put("domain", "www.example.com");
        attrs.put("period", 1);
        attrs.put("additional_domains", List.of("example.com", "shop.example.com"));
        attrs.put("special_instructions", null);
        attrs.put("server_count", Boolean.TRUE);

        String xml = new String(codec.encode(OpsRequest.of("sw_register", attrs)), StandardCharsets.UTF_8);

        assertThat(xml).isEqualTo("<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n"
                + "<!DOCTYPE OPS_envelope SYSTEM 'ops.dtd'>\n"
                + "<OPS_envelope><header><version>0.9</version></header><body><data_block>"
                + "<dt_assoc>"
                + "<item key=\"protocol\">XCP</item>"
                + "<item key=\"action\">sw_register</item>"
                + "<item key=\"object\">trust_service</item>"
                + "<item key=\"attributes\"><dt_assoc>"
                + "<item key=\"handle\">save</item>"
                + "<item key=\"domain\">www.example.com</item>"
                + "<item key=\"period\">1</item>"
                + "<item key=\"additional_domains\"><dt_array>"
                + "<item key=\"0\">example.com</item><item key=\"1\">shop.example.com</item>"
                + "</dt_array></item>"
                + "<item key=\"server_count\">1</item>"
                + "</dt_assoc></item>"
                + "</dt_assoc>"
                + "</data_block></body></OPS_envelope>");
    }

    @Test
    void encodeEscapesMarkupInTextAndKeys() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("org_name", "Smith & Sons <Ltd> \"quoted\" 'single'");
        m.put("a\"b<c", "x\r\ny");
        String xml = new String(codec.encode(m), StandardCharsets.UTF_8);
        assertThat(xml).contains("<item key=\"org_name\">Smith &amp; Sons &lt;Ltd&gt; \"quoted\" 'single'</item>");
        assertThat(xml).contains("<item key=\"a&quot;b&lt;c\">x&#13;\ny</item>");
    }

    @Test
    void encodeRefusesWhatXmlCannotCarry() {
        assertThatThrownBy(() -> codec.encode(Map.of("k", "a\u0000b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+0000");
        assertThatThrownBy(() -> codec.encode(Map.of("k", "a\uD800b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> codec.encode(Map.of("k", new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        Map<String, Object> cyclic = new LinkedHashMap<>();
        cyclic.put("self", cyclic);
        assertThatThrownBy(() -> codec.encode(cyclic))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deeper than 64");
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void roundTripsNestedMapsAndLists() {
        String csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END CERTIFICATE REQUEST-----\n";
        Map<String, Object> admin = new LinkedHashMap<>();
        admin.put("first_name", "Jörg");
        admin.put("last_name", "O'Brien & Co <x>");
        admin.put("email", "admin@example.com");
        admin.put("fax", null);
        Map<String, Object> contactSet = new LinkedHashMap<>();
        contactSet.put("admin", admin);
        contactSet.put("tech", Map.of("email", "tech@example.com"));

        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("csr", csr);
        attrs.put("period", 2);
        attrs.put("price", new java.math.BigDecimal("49.00"));
        attrs.put("auto_renew", false);
        attrs.put("additional_domains", Arrays.asList("a.example.com", null, "b.example.com"));
        attrs.put("matrix", List.of(List.of("x", "y"), List.of(), List.of(Map.of("k", "v"))));
        attrs.put("empty_map", Map.of());
        attrs.put("empty_text", "");
        attrs.put("emoji", "🔒 ✓");
        attrs.put("contact_set", contactSet);

        Map<String, Object> decoded = codec.decode(codec.encode(OpsRequest.of("sw_register", attrs)));

        Map<String, Object> expectedAdmin = new LinkedHashMap<>();
        expectedAdmin.put("first_name", "Jörg");
        expectedAdmin.put("last_name", "O'Brien & Co <x>");
        expectedAdmin.put("email", "admin@example.com");
        Map<String, Object> expectedAttrs = new LinkedHashMap<>();
        expectedAttrs.put("csr", csr);
        expectedAttrs.put("period", "2");
        expectedAttrs.put("price", "49.00");
        expectedAttrs.put("auto_renew", "0");
        expectedAttrs.put("additional_domains", List.of("a.example.com", "b.example.com"));
        expectedAttrs.put("matrix", List.of(List.of("x", "y"), List.of(), List.of(Map.of("k", "v"))));
        expectedAttrs.put("empty_map", Map.of());
        expectedAttrs.put("empty_text", "");
        expectedAttrs.put("emoji", "🔒 ✓");
        expectedAttrs.put("contact_set", Map.of("admin", expectedAdmin, "tech", Map.of("email", "tech@example.com")));

        assertThat(decoded).containsExactly(
                Map.entry("protocol", "XCP"),
                Map.entry("action", "sw_register"),
                Map.entry("object", "trust_service"),
                Map.entry("attributes", expectedAttrs));
        @SuppressWarnings("unchecked")
        Map<String, Object> attrsOut = (Map<String, Object>) decoded.get("attributes");
        assertThat(attrsOut).isInstanceOf(LinkedHashMap.class);
        assertThat(List.copyOf(attrsOut.keySet())).containsExactlyElementsOf(expectedAttrs.keySet());
        assertThat(List.<Object>copyOf(((Map<?, ?>) ((Map<?, ?>) attrsOut.get("contact_set")).get("admin")).keySet()))
                .containsExactly("first_name", "last_name", "email");
        assertThat(attrsOut.get("csr")).isEqualTo(csr); // newlines kept byte for byte
    }

    @Test
    void roundTripKeepsCarriageReturns() {
        Map<String, Object> decoded = codec.decode(codec.encode(Map.of("csr", "line1\r\nline2\r\n")));
        assertThat(decoded.get("csr")).isEqualTo("line1\r\nline2\r\n");
    }

    // ------------------------------------------------------------------ realistic replies

    @Test
    void decodesASwRegisterReply() {
        String reply = """
                <?xml version='1.0' encoding='UTF-8' standalone='no' ?>
                <!DOCTYPE OPS_envelope SYSTEM 'ops.dtd'>
                <OPS_envelope>
                 <header>
                  <version>0.9</version>
                 </header>
                 <body>
                  <data_block>
                   <dt_assoc>
                    <item key="protocol">XCP</item>
                    <item key="action">REPLY</item>
                    <item key="object">TRUST_SERVICE</item>
                    <item key="response_text">Order created</item>
                    <item key="is_success">1</item>
                    <item key="response_code">200</item>
                    <item key="attributes">
                     <dt_assoc>
                      <item key="order_id">3411723</item>
                      <item key="state">pending</item>
                     </dt_assoc>
                    </item>
                   </dt_assoc>
                  </data_block>
                 </body>
                </OPS_envelope>
                """;
        Map<String, Object> top = codec.decode(utf8(reply));

        assertThat(top).containsEntry("protocol", "XCP").containsEntry("action", "REPLY")
                .containsEntry("is_success", "1").containsEntry("response_code", "200")
                .containsEntry("response_text", "Order created");
        assertThat(top.get("attributes")).isEqualTo(Map.of("order_id", "3411723", "state", "pending"));

        OpsReply r = OpsReply.from(top);
        assertThat(r.classify()).isEqualTo(OpsReply.Outcome.SUCCESS);
        assertThat(r.attributeText("order_id")).isEqualTo("3411723");
        assertThat(r.attributeText("state")).isEqualTo("pending");
    }

    @Test
    void decodesAGetOrderInfoReply() {
        String reply = """
                <?xml version='1.0' encoding='UTF-8' standalone='no' ?>
                <!DOCTYPE OPS_envelope SYSTEM 'ops.dtd'>
                <OPS_envelope>
                 <header><version>0.9</version></header>
                 <body>
                  <data_block>
                   <dt_assoc>
                    <item key="protocol">XCP</item>
                    <item key="action">REPLY</item>
                    <item key="object">TRUST_SERVICE</item>
                    <item key="is_success">1</item>
                    <item key="response_code">200</item>
                    <item key="response_text">Query successful</item>
                    <item key="attributes">
                     <dt_assoc>
                      <item key="order_id">3411723</item>
                      <item key="state">awaiting-approval</item>
                      <item key="product_type">rapidssl</item>
                      <item key="reg_type">new</item>
                      <item key="domain">www.example.com</item>
                      <item key="period">1</item>
                      <item key="server_type">apachessl</item>
                      <item key="price">49.00</item>
                      <item key="approver_email">admin@example.com</item>
                      <item key="supplier_order_id">98765432</item>
                      <item key="product_id"></item>
                      <item key="csr">-----BEGIN CERTIFICATE REQUEST-----
                MIIBWzCCAQECAQAwGjEYMBYGA1UEAwwPd3d3LmV4YW1wbGUuY29t
                -----END CERTIFICATE REQUEST-----</item>
                      <item key="contact_set">
                       <dt_assoc>
                        <item key="admin">
                         <dt_assoc>
                          <item key="first_name">Ada</item>
                          <item key="last_name">Lovelace</item>
                          <item key="org_name">Example &amp; Co</item>
                          <item key="email">admin@example.com</item>
                          <item key="country">GB</item>
                         </dt_assoc>
                        </item>
                       </dt_assoc>
                      </item>
                      <item key="notes_list">
                       <dt_array>
                        <item key="1">
                         <dt_assoc>
                          <item key="note">Approval email sent</item>
                          <item key="timestamp">2026-11-29 10:02:00</item>
                         </dt_assoc>
                        </item>
                        <item key="0">
                         <dt_assoc>
                          <item key="note">Order submitted</item>
                          <item key="timestamp">2026-11-29 10:00:00</item>
                         </dt_assoc>
                        </item>
                       </dt_array>
                      </item>
                     </dt_assoc>
                    </item>
                   </dt_assoc>
                  </data_block>
                 </body>
                </OPS_envelope>
                """;
        OpsReply r = OpsReply.from(codec.decode(utf8(reply)));

        assertThat(r.classify()).isEqualTo(OpsReply.Outcome.SUCCESS);
        assertThat(r.responseText()).isEqualTo("Query successful");
        assertThat(r.attributeText("state")).isEqualTo("awaiting-approval");
        assertThat(r.attributeText("price")).isEqualTo("49.00");
        assertThat(r.attributeText("product_id")).isEmpty();
        assertThat(r.attributeText("supplier_order_id")).isEqualTo("98765432");
        assertThat(r.attributeText("csr")).isEqualTo("-----BEGIN CERTIFICATE REQUEST-----\n"
                + "MIIBWzCCAQECAQAwGjEYMBYGA1UEAwwPd3d3LmV4YW1wbGUuY29t\n"
                + "-----END CERTIFICATE REQUEST-----");
        @SuppressWarnings("unchecked")
        Map<String, Object> admin = (Map<String, Object>) ((Map<?, ?>) r.attributes().get("contact_set")).get("admin");
        assertThat(admin).containsEntry("org_name", "Example & Co").containsEntry("country", "GB");
        assertThat(r.attributes().get("notes_list")).isEqualTo(List.of(
                Map.of("note", "Order submitted", "timestamp", "2026-11-29 10:00:00"),
                Map.of("note", "Approval email sent", "timestamp", "2026-11-29 10:02:00")));
    }

    // ------------------------------------------------------------------ malformed

    @Test
    void malformedXmlIsAProtocolErrorWithPosition() {
        String truncated = envelope("<dt_assoc><item key=\"protocol\">XCP</item>").replace("</OPS_envelope>", "");
        assertThatThrownBy(() -> codec.decode(utf8(truncated)))
                .isInstanceOf(OpsProtocolException.class)
                .hasMessageStartingWith("OPS message is not well-formed XML (line 3, column");
        assertThatThrownBy(() -> codec.decode(new byte[0]))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("not well-formed");
        assertThatThrownBy(() -> codec.decode(utf8("<OPS_envelope><body><data_block><dt_assoc><item key=\"a\">x</dt_assoc>")))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("not well-formed");
    }

    @Test
    void anHtmlErrorPageIsNotAnEnvelope() {
        assertThatThrownBy(() -> codec.decode(utf8("<html><body><h1>503 Service Unavailable</h1></body></html>")))
                .isInstanceOf(OpsProtocolException.class)
                .hasMessage("OPS message root element is <html>, expected <OPS_envelope>");
    }

    @Test
    void missingDataBlockIsAProtocolError() {
        String noDataBlock = "<?xml version='1.0' encoding='UTF-8' standalone='no' ?>"
                + "<!DOCTYPE OPS_envelope SYSTEM 'ops.dtd'>"
                + "<OPS_envelope><header><version>0.9</version></header><body></body></OPS_envelope>";
        assertThatThrownBy(() -> codec.decode(utf8(noDataBlock)))
                .isInstanceOf(OpsProtocolException.class)
                .hasMessage("OPS message has no OPS_envelope/body/data_block");
        assertThatThrownBy(() -> codec.decode(utf8(envelope(""))))
                .isInstanceOf(OpsProtocolException.class)
                .hasMessage("OPS data_block must hold one dt_assoc, found none");
        assertThatThrownBy(() -> codec.decode(utf8(envelope("<dt_array></dt_array>"))))
                .isInstanceOf(OpsProtocolException.class)
                .hasMessage("OPS data_block must hold one dt_assoc, found <dt_array>");
    }

    @Test
    void structuralViolationsAreProtocolErrors() {
        assertThatThrownBy(() -> codec.decode(utf8(envelope("<dt_assoc><item>x</item></dt_assoc>"))))
                .isInstanceOf(OpsProtocolException.class).hasMessage("OPS dt_assoc item has no key attribute");
        assertThatThrownBy(() -> codec.decode(utf8(envelope(
                "<dt_assoc><item key=\"a\">1</item><item key=\"a\">2</item></dt_assoc>"))))
                .isInstanceOf(OpsProtocolException.class).hasMessage("OPS dt_assoc repeats the key 'a'");
        assertThatThrownBy(() -> codec.decode(utf8(envelope(
                "<dt_assoc><item key=\"l\"><dt_array><item key=\"x\">1</item></dt_array></item></dt_assoc>"))))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("'x' is not an index");
        assertThatThrownBy(() -> codec.decode(utf8(envelope(
                "<dt_assoc><item key=\"l\"><dt_array><item key=\"0\">1</item><item key=\"0\">2</item></dt_array></item></dt_assoc>"))))
                .isInstanceOf(OpsProtocolException.class).hasMessage("OPS dt_array item key 0 is repeated");
        assertThatThrownBy(() -> codec.decode(utf8(envelope("<dt_assoc><item key=\"a\"><blob/></item></dt_assoc>"))))
                .isInstanceOf(OpsProtocolException.class).hasMessage("OPS item holds an unknown element <blob>");
        assertThatThrownBy(() -> codec.decode(utf8(envelope("<dt_assoc><entry key=\"a\"/></dt_assoc>"))))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("holds <entry>, only <item> is allowed");
        assertThatThrownBy(() -> codec.decode(utf8(envelope(
                "<dt_assoc><item key=\"a\">text<dt_assoc/></item></dt_assoc>"))))
                .isInstanceOf(OpsProtocolException.class).hasMessage("OPS <item> mixes text with <dt_assoc>");
    }

    @Test
    void deepNestingIsRefused() {
        StringBuilder sb = new StringBuilder("<dt_assoc>");
        for (int i = 0; i < 100; i++) {
            sb.append("<item key=\"n\"><dt_assoc>");
        }
        for (int i = 0; i < 100; i++) {
            sb.append("</dt_assoc></item>");
        }
        sb.append("</dt_assoc>");
        assertThatThrownBy(() -> codec.decode(utf8(envelope(sb.toString()))))
                .isInstanceOf(OpsProtocolException.class).hasMessageContaining("deeper than 64");
    }

    // ------------------------------------------------------------------ hostile input

    @Test
    void xxeDoesNotLeakTheFile(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-MARKER-4711");
        for (String target : List.of("file:///etc/passwd", secret.toUri().toString())) {
            String xml = "<?xml version='1.0' encoding='UTF-8'?>\n"
                    + "<!DOCTYPE x [<!ENTITY e SYSTEM \"" + target + "\">]>\n"
                    + "<OPS_envelope><header><version>0.9</version></header><body><data_block>"
                    + "<dt_assoc><item key=\"response_text\">&e;</item><item key=\"is_success\">1</item></dt_assoc>"
                    + "</data_block></body></OPS_envelope>";
            assertThatThrownBy(() -> codec.decode(utf8(xml)))
                    .isInstanceOf(OpsProtocolException.class)
                    .hasMessageContaining("internal subset")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("root:").doesNotContain("TOP-SECRET"));
        }
    }

    @Test
    void parameterEntityXxeDoesNotLeakTheFile(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-MARKER-4712");
        String xml = "<?xml version='1.0'?>\n"
                + "<!DOCTYPE OPS_envelope [<!ENTITY % p SYSTEM \"" + secret.toUri() + "\"> %p;]>\n"
                + envelope("<dt_assoc><item key=\"a\">b</item></dt_assoc>").substring(
                        envelope("").indexOf("<OPS_envelope>"));
        assertThatThrownBy(() -> codec.decode(utf8(xml)))
                .isInstanceOf(OpsProtocolException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("TOP-SECRET"));
    }

    @Test
    void theDoctypeDtdIsNeverFetched() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(300);
            String xml = "<?xml version='1.0' encoding='UTF-8' standalone='no' ?>\n"
                    + "<!DOCTYPE OPS_envelope SYSTEM 'http://127.0.0.1:" + server.getLocalPort() + "/ops.dtd'>\n"
                    + "<OPS_envelope><header><version>0.9</version></header><body><data_block>"
                    + "<dt_assoc><item key=\"response_code\">200</item></dt_assoc></data_block></body></OPS_envelope>";
            assertThat(codec.decode(utf8(xml))).isEqualTo(Map.of("response_code", "200"));
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void billionLaughsFailsFast() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE OPS_envelope [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            String prev = "&lol" + (i - 1) + ";";
            dtd.append("<!ENTITY lol").append(i).append(" \"").append(prev.repeat(10)).append("\">");
        }
        dtd.append("]>");
        String xml = "<?xml version='1.0'?>\n" + dtd
                + "<OPS_envelope><header><version>0.9</version></header><body><data_block>"
                + "<dt_assoc><item key=\"response_text\">&lol9;</item></dt_assoc></data_block></body></OPS_envelope>";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(() -> codec.decode(utf8(xml)))
                        .isInstanceOf(OpsProtocolException.class)
                        .hasMessageContaining("internal subset"));
    }

    @Test
    void predefinedEntitiesAndCharacterReferencesStillWork() {
        String many = "&amp;".repeat(5000);
        Map<String, Object> top = codec.decode(utf8(envelope(
                "<dt_assoc><item key=\"t\">" + many + "&#233;&lt;&gt;&quot;&apos;</item>"
                        + "<item key=\"c\"><![CDATA[a<b]]></item></dt_assoc>")));
        assertThat(top.get("t")).isEqualTo("&".repeat(5000) + "é<>\"'");
        assertThat(top.get("c")).isEqualTo("a<b");
    }

    // ------------------------------------------------------------------ misc

    @Test
    void arraysAreOrderedByKeyAndScalarElementsAreRead() {
        Map<String, Object> top = codec.decode(utf8(envelope(
                "<dt_assoc><item key=\"l\"><dt_array>"
                        + "<item key=\"2\">c</item><item key=\"0\">a</item><item key=\"1\"><dt_scalar>b</dt_scalar></item>"
                        + "</dt_array></item><item key=\"e\"/></dt_assoc>")));
        assertThat(top).containsExactly(Map.entry("l", List.of("a", "b", "c")), Map.entry("e", ""));
    }

    @Test
    void isSafeToShareAcrossThreads() throws Exception {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("domain", "www.example.com");
        attrs.put("additional_domains", List.of("a.example.com", "b.example.com"));
        byte[] wire = codec.encode(OpsRequest.of("sw_register", attrs));
        Map<String, Object> expected = codec.decode(wire);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> {
                    for (int i = 0; i < 200; i++) {
                        if (!expected.equals(codec.decode(codec.encode(OpsRequest.of("sw_register", attrs))))) {
                            return false;
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
