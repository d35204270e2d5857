package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.issuer.Vendors;
import io.certhub.pki.Certificates;
import io.certhub.support.Mailboxes;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vendor integration across the wire on the embedded default: REST → hub → camel-http with
 * a checked signature → sandbox vendor; approval mails through SMTP → GreenMail → IMAP; the
 * status poll fetching the certificate with get_cert (the certificate mailbox is off here so the
 * vendor path is the one that completes). Sandbox auto-approve is off: a person approves.
 */
class VendorFlowTest {

    @TempDir
    static Path dataDir;
    @AutoClose
    static RunningHub hub;

    @BeforeAll
    static void start() {
        hub = RunningHub.start(dataDir, "--hub.sandbox.auto-approve=false", "--hub.mailbox.enabled=false",
            "--hub.vendor.poll-cron=* * * * * ?", "--hub.vendor.poll-base=200ms", "--hub.vendor.poll-max=1s",
            "--hub.vendor.retry-base=200ms", "--hub.vendor.retry-max=1s");
        hub.post("/api/v1/accounts/demo/deposits", "operator-key", "{\"amount\":\"5000.00\",\"currency\":\"USD\"}");
    }

    static JsonNode awaitOrder(String id, Predicate<JsonNode> until) {
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> until.test(hub.order(id)));
        return hub.order(id);
    }

    static String place(String ref, String product, String dcv) {
        String domain = ref.toLowerCase() + ".example.com";
        ObjectNode doc = OrderJson.order(ref, product, "process", domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", dcv);
        doc.put("approverEmail", "admin@" + domain);
        HttpResponse<String> r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return OrderJson.parse(r.body()).get("id").asText();
    }

    static String available() {
        return OrderJson.parse(hub.get("/api/v1/account", "demo-key").body()).get("available").asText();
    }

    @Test
    void dvOrderIsApprovedByTheLinkInTheApproverMailAndCompletedByTheStatusPoll() throws Exception {
        String id = place("FLOW-DV", "quickssl_premium", "email");
        JsonNode o = awaitOrder(id, n -> "awaiting-approval".equals(n.path("vendorStatus").asText()));
        assertThat(o.get("vendorOrderId").asText()).matches("\\d{7,}");
        assertThat(o.get("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(o.get("hold").get("state").asText()).isEqualTo("HELD");

        await().atMost(Duration.ofSeconds(60)).until(() -> !Mailboxes.read(hub.imapPort(), "admin@flow-dv.example.com", "INBOX").isEmpty());
        Mailboxes.Mail approval = Mailboxes.read(hub.imapPort(), "admin@flow-dv.example.com", "INBOX").get(0);
        assertThat(approval.subject()).contains(o.get("vendorOrderId").asText());
        Matcher link = Pattern.compile("http://\\S+/sandbox/approve/\\S+").matcher(approval.text());
        assertThat(link.find()).as(approval.text()).isTrue();
        HttpResponse<String> opened = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link.group())).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(opened.statusCode()).isEqualTo(200);

        o = awaitOrder(id, n -> n.get("state").asText().equals("COMPLETED"));
        assertThat(o.get("hold").get("state").asText()).isEqualTo("CAPTURED");
        assertThat(o.get("history").findValuesAsText("vendorStatus")).contains("awaiting-approval", "completed");
        HttpResponse<String> pem = hub.get("/api/v1/orders/" + id + "/certificate", "demo-key");
        assertThat(pem.statusCode()).isEqualTo(200);
        assertThat(pem.headers().firstValue("Content-Type").orElse("")).startsWith("application/pem-certificate-chain");
        List<X509Certificate> chain = Certificates.parseAny(pem.body().getBytes(StandardCharsets.US_ASCII));
        assertThat(chain).hasSize(2);                           // leaf + intermediate, no root
        assertThat(chain.get(0).getPublicKey().getEncoded()).isEqualTo(TestCsrs.ecKey().getPublic().getEncoded());
        assertThat(hub.count("select count(*) from certificate where order_id = ? and source = 'vendor-api'", id)).isEqualTo(1);
        assertThat(hub.count("select count(*) from delivery where order_id = ?", id)).isEqualTo(1);
    }

    @Test
    void sslLiteIsIssuedAtOnce() {
        String id = place("FLOW-LITE", "symantec_ssl_lite", "email");
        JsonNode o = awaitOrder(id, n -> n.get("state").asText().equals("COMPLETED"));
        assertThat(o.get("hold").get("state").asText()).isEqualTo("CAPTURED");
    }

    @Test
    void dnsAndHttpMethodsReachTheVendorAndCompleteAfterTheDcvCheck() {
        for (String method : List.of("dns", "http")) {
            String id = place("FLOW-" + method.toUpperCase(), "comodo_ssl", method);
            JsonNode o = awaitOrder(id, n -> "awaiting-approval".equals(n.path("vendorStatus").asText())
                && (!n.path("dcv").path("dns").isNull() || !n.path("dcv").path("http").isNull()));
            assertThat(o.get("dcv").get("method").asText()).isEqualTo(method);
            if (method.equals("dns")) {
                assertThat(o.get("dcv").get("dns").get("type").asText()).isEqualTo("TXT");
                assertThat(o.get("dcv").get("dns").get("name").asText()).endsWith("flow-dns.example.com");
                assertThat(o.get("dcv").get("dns").get("value").asText()).isNotBlank();
            } else {
                assertThat(o.get("dcv").get("http").get("url").asText()).startsWith("http://flow-http.example.com/.well-known/pki-validation/");
                assertThat(o.get("dcv").get("http").get("content").asText()).isNotBlank();
            }
            String vid = o.get("vendorOrderId").asText();
            assertThat(hub.post("/sandbox/dcv/" + vid + "/check", "operator-key", null).statusCode()).isEqualTo(200);
            assertThat(awaitOrder(id, n -> n.get("state").asText().equals("COMPLETED")).get("hold").get("state").asText()).isEqualTo("CAPTURED");
        }
    }

    @Test
    void vendorDeclineAndVendorCancelReleaseTheHold() {
        String before = available();
        for (String action : List.of("decline", "cancel")) {
            String id = place("FLOW-V" + action.toUpperCase(), "comodo_ssl", "email");
            String vid = awaitOrder(id, n -> "awaiting-approval".equals(n.path("vendorStatus").asText())).get("vendorOrderId").asText();
            assertThat(hub.post("/sandbox/orders/" + vid + "/" + action, "operator-key", null).statusCode()).isEqualTo(200);
            String expected = action.equals("decline") ? "DECLINED" : "CANCELLED";
            JsonNode o = awaitOrder(id, n -> n.get("state").asText().equals(expected));
            assertThat(o.get("hold").get("state").asText()).isEqualTo("RELEASED");
            assertThat(o.get("history").findValuesAsText("actor")).contains("vendor");
        }
        assertThat(available()).isEqualTo(before);
    }

    @Test
    void resellerCancelGoesThroughTheVendorAndIsRetriedWhenTheVendorIsDown() {
        String before = available();
        String id = place("FLOW-RCANCEL", "comodo_ssl", "email");
        String vid = awaitOrder(id, n -> "awaiting-approval".equals(n.path("vendorStatus").asText())).get("vendorOrderId").asText();
        HttpResponse<String> cancel = hub.post("/api/v1/orders/" + id + "/cancel", "demo-key", null);
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(OrderJson.parse(cancel.body()).get("state").asText()).isEqualTo("CANCELLED");
        assertThat(OrderJson.parse(cancel.body()).get("hold").get("state").asText()).isEqualTo("RELEASED");
        assertThat(hub.context().getBean(Vendors.class).active().info(vid).state()).isEqualTo("cancelled");

        String id2 = place("FLOW-RCANCEL2", "comodo_ssl", "email");
        awaitOrder(id2, n -> "awaiting-approval".equals(n.path("vendorStatus").asText()));
        // the fault hits the cancel itself, never a status poll that happens to run first
        assertThat(hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"http-503\",\"count\":1,\"action\":\"cancel_order\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> requested = hub.post("/api/v1/orders/" + id2 + "/cancel", "demo-key", null);
        assertThat(requested.statusCode()).isEqualTo(202);
        assertThat(OrderJson.parse(requested.body()).get("vendorStatus").asText()).isEqualTo("cancel-requested");
        assertThat(OrderJson.parse(requested.body()).get("hold").get("state").asText()).isEqualTo("HELD");
        JsonNode o = awaitOrder(id2, n -> n.get("state").asText().equals("CANCELLED"));
        assertThat(o.get("hold").get("state").asText()).isEqualTo("RELEASED");
        assertThat(available()).isEqualTo(before);
    }

    @Test
    void resendApprovalAndDcvChangeGoThroughTheVendor() {
        String id = place("FLOW-RESEND", "comodo_ssl", "email");
        awaitOrder(id, n -> "awaiting-approval".equals(n.path("vendorStatus").asText()));
        HttpResponse<String> resend = hub.post("/api/v1/orders/" + id + "/resend-approval", "demo-key", null);
        assertThat(resend.statusCode()).as(resend.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> Mailboxes.read(hub.imapPort(), "admin@flow-resend.example.com", "INBOX").size() >= 2);
        HttpResponse<String> changed = hub.call("PATCH", "/api/v1/orders/" + id + "/dcv", "demo-key", "{\"dcvMethod\":\"dns\"}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        JsonNode o = awaitOrder(id, n -> !n.path("dcv").path("dns").isNull());
        assertThat(o.get("dcv").get("method").asText()).isEqualTo("dns");
        assertThat(o.get("history").findValuesAsText("reason")).anyMatch(r -> r.contains("approval email re-sent"))
            .anyMatch(r -> r.contains("DCV method changed to dns"));
        HttpResponse<String> bad = hub.call("PATCH", "/api/v1/orders/" + id + "/dcv", "demo-key", "{\"dcvMethod\":\"email\",\"approverEmail\":\"boss@gmail.com\"}");
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(OrderJson.parse(bad.body()).get("code").asText()).isEqualTo("APPROVER_NOT_ALLOWED");
    }
}
