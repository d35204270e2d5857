package io.certhub.sandbox;

import static io.certhub.sandbox.SandboxWire.HUB_MAILBOX;
import static io.certhub.sandbox.SandboxWire.attrs;
import static io.certhub.sandbox.SandboxWire.inbox;
import static io.certhub.sandbox.SandboxWire.ops;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.certhub.config.HubProperties;
import io.certhub.issuer.opensrs.OpsReply;
import io.certhub.pki.Certificates;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox vendor across the wire: the real hub on a random port with its embedded GreenMail
 * on free ports; signed OPS requests over HTTP to {@code /sandbox/opensrs}, the operator
 * endpoints over HTTP, mail read over IMAP. Auto-approve is off unless a test turns it on (and
 * back off), so each flow is driven by the test.
 */
class SandboxVendorTest {

    @TempDir
    static Path dataDir;
    static RunningHub hub;
    static int smtpPort;
    static int imapPort;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        smtpPort = SandboxWire.freePort();
        imapPort = SandboxWire.freePort();
        hub = RunningHub.start(dataDir,
            "--hub.sandbox.smtp-port=" + smtpPort,
            "--hub.sandbox.imap-port=" + imapPort,
            "--hub.mailbox.port=" + imapPort,
            "--hub.mail.smtp.port=" + smtpPort,
            // the hub's own certificate-mailbox consumer (once present) would move the vendor's mails
            // out of INBOX while this test reads them: this test looks at the vendor alone
            "--hub.mailbox.enabled=false",
            "--hub.sandbox.auto-approve=false",
            "--hub.sandbox.approval-delay=300ms",
            "--hub.sandbox.vetting-delay=1s",
            "--hub.sandbox.fault-timeout-delay=1500ms");
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    static HubProperties.Sandbox sandboxProps() {
        return hub.context().getBean(HubProperties.class).getSandbox();
    }

    /** A DV registration of {@code domain} + {@code www.domain} on the shared EC test key. */
    static Map<String, Object> register(String productType, String handle, String domain, String method, String approver) {
        Map<String, Object> admin = attrs("first_name", "Zoë", "last_name", "Ådmin &amp; <Co>", "email", "alex@example.com",
            "phone", "+1.5555550100");
        Map<String, Object> org = attrs("org_name", "Example Inc", "address1", "1 Main St", "city", "Springfield",
            "state", "IL", "postal_code", "62701", "country", "US", "phone", "+1.5555550100");
        Map<String, Object> contacts = attrs("admin", admin, "organization", org, "tech", admin, "billing", admin);
        boolean single = productType.equals("symantec_ssl_lite");
        String csr = single ? TestCsrs.ec(domain) : TestCsrs.ec(domain, "www." + domain);
        return attrs("reg_type", "new", "product_type", productType, "handle", handle, "domain", domain,
            "additional_domains", single ? List.of() : List.of("www." + domain), "csr", csr, "period", "1",
            "server_type", "nginx", "approver_email", approver, "dv_auth_method", method, "contact_set", contacts);
    }

    static OpsReply info(String orderId) {
        return ops(hub, "get_order_info", attrs("order_id", orderId));
    }

    static String state(String orderId) {
        return info(orderId).attributeText("state");
    }

    static HttpResponse<String> http(String method, String path, String key, String body) {
        return hub.call(method, path, key, body);
    }

    static Optional<SandboxWire.Mail> mailWithSubject(String address, String subjectPart) {
        return inbox(imapPort, address).stream().filter(m -> m.subject() != null && m.subject().contains(subjectPart)).findFirst();
    }

    static List<X509Certificate> certs(String pem) {
        return Certificates.parsePem(pem);
    }

    // ------------------------------------------------------------------ authentication

    @Test
    void badSignatureOrUserIsRefusedWith400() {
        Map<String, Object> a = attrs("order_id", "7730001");
        OpsReply wrongKey = SandboxWire.decode(SandboxWire.post(hub, SandboxWire.sign("get_order_info", a, "sandbox", "not-the-key"),
            Duration.ofSeconds(10)).body());
        assertThat(wrongKey.isSuccess()).isFalse();
        assertThat(wrongKey.responseCode()).isEqualTo(400);
        assertThat(wrongKey.responseText()).isEqualTo("Authentication failed");
        assertThat(wrongKey.action()).isEqualTo("REPLY");

        OpsReply wrongUser = SandboxWire.decode(SandboxWire.post(hub, SandboxWire.sign("get_order_info", a, "someone", "sandbox-key"),
            Duration.ofSeconds(10)).body());
        assertThat(wrongUser.responseCode()).isEqualTo(400);

        // a body altered after signing
        SandboxWire.Signed s = SandboxWire.sign("get_order_info", a, "sandbox", "sandbox-key");
        byte[] altered = new String(s.body(), StandardCharsets.UTF_8).replace("7730001", "7730002").getBytes(StandardCharsets.UTF_8);
        OpsReply tampered = SandboxWire.decode(SandboxWire.post(hub, new SandboxWire.Signed(altered, s.username(), s.signature()),
            Duration.ofSeconds(10)).body());
        assertThat(tampered.responseCode()).isEqualTo(400);
    }

    // ------------------------------------------------------------------ DV email: the whole path

    @Test
    void dvEmailOrderIsApprovedByLinkIssuedAndMailed() throws Exception {
        String domain = "flow.example.com";
        String approver = "admin@flow.example.com";
        OpsReply saved = ops(hub, "sw_register", register("quickssl_premium", "save", domain, "email", approver));
        assertThat(saved.isSuccess()).as(saved.responseText()).isTrue();
        String orderId = saved.attributeText("order_id");
        assertThat(orderId).matches("\\d{7,}");
        assertThat(Long.parseLong(orderId)).isGreaterThanOrEqualTo(7730001L);
        assertThat(saved.attributeText("state")).isEqualTo("pending");
        assertThat(state(orderId)).isEqualTo("pending");

        OpsReply processed = ops(hub, "process_pending", attrs("order_id", orderId));
        assertThat(processed.isSuccess()).as(processed.responseText()).isTrue();
        assertThat(processed.attributeText("state")).isEqualTo("awaiting-approval");
        assertThat(processed.attributeText("order_id")).isEqualTo(orderId);

        OpsReply details = info(orderId);
        assertThat(details.attributeText("product_type")).isEqualTo("quickssl_premium");
        assertThat(details.attributeText("domain")).isEqualTo(domain);
        assertThat(details.attributes().get("additional_domains")).isEqualTo(List.of("www." + domain));
        assertThat(details.attributeText("approver_email")).isEqualTo(approver);
        assertThat(details.attributeText("period")).isEqualTo("1");
        assertThat(details.attributeText("server_type")).isEqualTo("nginx");
        assertThat(details.attributeText("dv_auth_method")).isEqualTo("email");
        assertThat(details.attributeText("product_id")).isNull();
        // non-ASCII and markup in the signed body survive: the signature is over the exact bytes
        @SuppressWarnings("unchecked")
        Map<String, Object> contactSet = (Map<String, Object>) details.attributes().get("contact_set");
        assertThat(contactSet.get("admin")).isEqualTo(register("quickssl_premium", "save", domain, "email", approver)
            .get("contact_set") instanceof Map<?, ?> m ? m.get("admin") : null);

        // the approval email reaches the approver's mailbox (login = password = the address)
        String subject = "Approve SSL certificate order " + orderId + " for " + domain;
        SandboxWire.Mail approval = await().atMost(Duration.ofSeconds(60))
            .until(() -> mailWithSubject(approver, subject), Optional::isPresent).get();
        assertThat(approval.to()).containsExactly(approver);
        Matcher link = Pattern.compile("(http://\\S+/sandbox/approve/[0-9a-f]+)").matcher(approval.text());
        assertThat(link.find()).as(approval.text()).isTrue();
        assertThat(link.group(1)).startsWith("http://localhost:" + hub.port() + "/sandbox/approve/");

        // the certificate is not there before completion
        OpsReply early = ops(hub, "get_cert", attrs("order_id", orderId));
        assertThat(early.isSuccess()).isFalse();
        assertThat(early.responseCode()).isEqualTo(465);

        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(link.group(1))).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("approved").contains(orderId);

        await().atMost(Duration.ofSeconds(60)).until(() -> state(orderId), "completed"::equals);
        OpsReply done = info(orderId);
        String productId = done.attributeText("product_id");
        assertThat(productId).matches("\\d+");

        // opening the link again changes nothing and still answers 200
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(link.group(1))).GET().build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        OpsReply cert = ops(hub, "get_cert", attrs("product_id", productId, "return_ca_certs", "1", "return_pkcs7_cert", "1"));
        assertThat(cert.isSuccess()).as(cert.responseText()).isTrue();
        X509Certificate leaf = certs(cert.attributeText("cert")).get(0);
        assertThat(leaf.getPublicKey().getEncoded()).isEqualTo(TestCsrs.ecKey().getPublic().getEncoded());
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        assertThat(sans.stream().map(l -> (String) l.get(1)).toList()).containsExactly(domain, "www." + domain);
        assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
            .isLessThanOrEqualTo(Duration.ofDays(200).plusMinutes(2));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cas = (List<Map<String, Object>>) cert.attributes().get("ca_certs");
        assertThat(cas).extracting(m -> m.get("type")).containsExactly("INTERMEDIATE", "ROOT");
        X509Certificate intermediate = certs((String) cas.get(0).get("cert")).get(0);
        X509Certificate root = certs(Files.readString(dataDir.resolve("sandbox-ca").resolve("root.crt"))).get(0);
        assertThat(certs((String) cas.get(1).get("cert")).get(0)).isEqualTo(root);
        assertChains(leaf, intermediate, root);

        String pkcs7 = cert.attributeText("pkcs7");
        assertThat(pkcs7).startsWith("-----BEGIN PKCS7-----");
        String b64 = pkcs7.replaceAll("-----[A-Z0-9 ]+-----", "").replaceAll("\\s", "");
        CMSSignedData p7 = new CMSSignedData(java.util.Base64.getDecoder().decode(b64));
        assertThat(p7.getCertificates().getMatches(null)).hasSize(2);
        assertThat(p7.getSignerInfos().size()).isZero();

        // the issuance email reaches the hub's certificate mailbox with the ZIP bundle
        String issuedSubject = "Your SSL certificate for " + domain + " is issued - Order " + orderId;
        SandboxWire.Mail issued = await().atMost(Duration.ofSeconds(60))
            .until(() -> mailWithSubject(HUB_MAILBOX, issuedSubject), Optional::isPresent).get();
        assertThat(issued.to()).containsExactly(HUB_MAILBOX);
        assertThat(issued.text()).contains(orderId).contains("flow_example_com.crt");
        assertThat(issued.attachments()).containsOnlyKeys("flow_example_com.zip");
        Map<String, String> zip = unzip(issued.attachments().get("flow_example_com.zip"));
        assertThat(zip).containsOnlyKeys("flow_example_com.crt", "flow_example_com.ca-bundle");
        assertThat(certs(zip.get("flow_example_com.crt"))).containsExactly(leaf);
        assertThat(certs(zip.get("flow_example_com.ca-bundle"))).containsExactly(intermediate, root);

        // sent once: the outbox row is marked, and no second mail follows
        assertThat(hub.count("select count(*) from sandbox_mail_outbox where order_id = ? and kind = 'ISSUED' and sent_at is not null", orderId))
            .isEqualTo(1);
        assertThat(inbox(imapPort, HUB_MAILBOX).stream().filter(m -> issuedSubject.equals(m.subject())).count()).isEqualTo(1);

        // a completed order cannot be cancelled
        OpsReply cancel = ops(hub, "cancel_order", attrs("order_id", orderId));
        assertThat(cancel.isSuccess()).isFalse();
        assertThat(cancel.responseCode()).isEqualTo(465);
    }

    static void assertChains(X509Certificate leaf, X509Certificate intermediate, X509Certificate root) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        CertPath path = cf.generateCertPath(List.of(leaf, intermediate));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    static Map<String, String> unzip(byte[] zip) {
        Map<String, String> out = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                out.put(e.getName(), new String(z.readAllBytes(), StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Test
    void resendApproveEmailSendsItAgain() {
        String approver = "webmaster@resend.example.com";
        OpsReply r = ops(hub, "sw_register", register("rapidssl", "process", "resend.example.com", "email", approver));
        assertThat(r.attributeText("state")).isEqualTo("awaiting-approval");
        String orderId = r.attributeText("order_id");
        String subject = "Approve SSL certificate order " + orderId;
        await().atMost(Duration.ofSeconds(60)).until(() -> inbox(imapPort, approver).size() == 1);
        assertThat(ops(hub, "resend_approve_email", attrs("order_id", orderId)).isSuccess()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> inbox(imapPort, approver).stream()
            .filter(m -> m.subject().startsWith(subject)).count() == 2);
        ops(hub, "cancel_order", attrs("order_id", orderId));
        OpsReply again = ops(hub, "resend_approve_email", attrs("order_id", orderId));
        assertThat(again.isSuccess()).isFalse();
        assertThat(again.responseCode()).isEqualTo(465);
    }

    // ------------------------------------------------------------------ instant, OV, auto-approve, pem

    @Test
    void sslLiteIsCompletedInTheReply() {
        OpsReply r = ops(hub, "sw_register", register("symantec_ssl_lite", "process", "lite.example.com", "email", null));
        assertThat(r.isSuccess()).as(r.responseText()).isTrue();
        assertThat(r.attributeText("state")).isEqualTo("completed");
        assertThat(r.attributeText("product_id")).matches("\\d+");
        OpsReply cert = ops(hub, "get_cert", attrs("order_id", r.attributeText("order_id")));
        assertThat(certs(cert.attributeText("cert")).get(0).getPublicKey().getEncoded())
            .isEqualTo(TestCsrs.ecKey().getPublic().getEncoded());
        assertThat(cert.attributes()).doesNotContainKeys("ca_certs", "pkcs7");
    }

    /** The sandbox extensions of the protocol (issue 13 §5): reissue_cert and revoke_cert, their refusals (465/404). */
    @Test
    void reissueCertAndRevokeCertOfACompletedOrder() throws Exception {
        OpsReply r = ops(hub, "sw_register", register("symantec_ssl_lite", "process", "relife.example.com", "email", null));
        String orderId = r.attributeText("order_id");
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair fresh = g.generateKeyPair();
        String csr = TestCsrs.csr(fresh, "SHA256withECDSA", "relife.example.com");
        String firstSerial = serial(ops(hub, "get_cert", attrs("order_id", orderId)).attributeText("cert"));

        // refused: a CSR without the order's name, an unknown order, an order not completed
        OpsReply wrongName = ops(hub, "reissue_cert", attrs("order_id", orderId, "csr", TestCsrs.ec("other.example.com")));
        assertThat(wrongName.isSuccess()).isFalse();
        assertThat(wrongName.responseCode()).isEqualTo(465);
        assertThat(wrongName.responseText()).contains("relife.example.com");
        assertThat(ops(hub, "reissue_cert", attrs("order_id", "1", "csr", csr)).responseCode()).isEqualTo(404);
        String pending = ops(hub, "sw_register", register("symantec_ssl_lite", "save", "relife2.example.com", "email", null)).attributeText("order_id");
        assertThat(ops(hub, "reissue_cert", attrs("order_id", pending, "csr", csr)).responseCode()).isEqualTo(465);

        OpsReply re = ops(hub, "reissue_cert", attrs("order_id", orderId, "csr", csr, "reason", "keyCompromise"));
        assertThat(re.isSuccess()).as(re.responseText()).isTrue();
        assertThat(re.attributeText("state")).isEqualTo("completed");
        X509Certificate second = certs(ops(hub, "get_cert", attrs("order_id", orderId)).attributeText("cert")).get(0);
        assertThat(second.getPublicKey().getEncoded()).isEqualTo(fresh.getPublic().getEncoded());
        String secondSerial = io.certhub.pki.CertificateFacts.serialHex(second.getSerialNumber());
        assertThat(ops(hub, "get_order_info", attrs("order_id", orderId)).attributeText("csr").strip()).isEqualTo(csr.strip());

        // revoke_cert: any certificate of the order by serial, with a subscriber's RFC 5280 reason; again is no error
        assertThat(ops(hub, "revoke_cert", attrs("order_id", orderId, "serial", firstSerial, "reason", "cACompromise")).responseCode()).isEqualTo(465);
        assertThat(ops(hub, "revoke_cert", attrs("order_id", orderId, "serial", "0badc0de", "reason", "keyCompromise")).responseCode()).isEqualTo(465);
        assertThat(ops(hub, "revoke_cert", attrs("order_id", orderId, "serial", "not-hex", "reason", "keyCompromise")).responseCode()).isEqualTo(465);
        OpsReply v = ops(hub, "revoke_cert", attrs("order_id", orderId, "serial", firstSerial, "reason", "superseded"));
        assertThat(v.isSuccess()).as(v.responseText()).isTrue();
        assertThat(v.attributeText("state")).isEqualTo("revoked");
        assertThat(ops(hub, "revoke_cert", attrs("order_id", orderId, "serial", firstSerial.toUpperCase(), "reason", "superseded")).isSuccess()).isTrue();
        assertThat(ops(hub, "revoke_cert", attrs("order_id", orderId, "serial", secondSerial, "reason", "keyCompromise")).isSuccess()).isTrue();
        assertThat(hub.count("select count(*) from sandbox_certificate where order_id = ? and revoked_at is not null", orderId)).isEqualTo(2);
        assertThat(hub.jdbc().queryForObject("select revocation_reason from sandbox_certificate where serial_hex = ?", String.class, firstSerial))
            .isEqualTo("superseded");
    }

    private static String serial(String pem) {
        return io.certhub.pki.CertificateFacts.serialHex(certs(pem).get(0).getSerialNumber());
    }

    @Test
    void ovOrderCompletesAfterVetting() {
        OpsReply r = ops(hub, "sw_register", register("sslwebserver", "process", "vetted.example.com", "email", null));
        assertThat(r.isSuccess()).as(r.responseText()).isTrue();
        assertThat(r.attributeText("state")).isEqualTo("awaiting-approval");
        await().atMost(Duration.ofSeconds(60)).until(() -> state(r.attributeText("order_id")), "completed"::equals);
    }

    @Test
    void autoApproveAndPemDelivery() {
        HubProperties.Sandbox s = sandboxProps();
        s.setAutoApprove(true);
        s.setDeliveryFormat("pem");
        try {
            OpsReply r = ops(hub, "sw_register", register("comodo_ssl", "process", "auto.example.com", "email", "admin@auto.example.com"));
            String orderId = r.attributeText("order_id");
            assertThat(r.attributeText("state")).isEqualTo("awaiting-approval");
            await().atMost(Duration.ofSeconds(60)).until(() -> state(orderId), "completed"::equals);
            SandboxWire.Mail issued = await().atMost(Duration.ofSeconds(60))
                .until(() -> mailWithSubject(HUB_MAILBOX, "Order " + orderId), Optional::isPresent).get();
            assertThat(issued.attachments()).containsOnlyKeys("auto_example_com.crt", "ca-bundle.crt");
            X509Certificate leaf = certs(new String(issued.attachments().get("auto_example_com.crt"), StandardCharsets.US_ASCII)).get(0);
            assertThat(leaf.getPublicKey().getEncoded()).isEqualTo(TestCsrs.ecKey().getPublic().getEncoded());
            assertThat(certs(new String(issued.attachments().get("ca-bundle.crt"), StandardCharsets.US_ASCII))).hasSize(2);
        } finally {
            s.setAutoApprove(false);
            s.setDeliveryFormat("zip");
        }
    }

    // ------------------------------------------------------------------ DNS / file DCV

    @Test
    void dnsTokenIsCheckedByTheOperatorEndpoint() {
        String domain = "dns.example.com";
        OpsReply r = ops(hub, "sw_register", register("quickssl_premium", "process", domain, "dns", null));
        assertThat(r.isSuccess()).as(r.responseText()).isTrue();
        String orderId = r.attributeText("order_id");
        assertThat(r.attributeText("state")).isEqualTo("awaiting-approval");
        OpsReply i = info(orderId);
        assertThat(i.attributeText("dv_auth_method")).isEqualTo("dns");
        assertThat(i.attributeText("dv_auth_dns_name")).isEqualTo("_dnsauth." + domain);
        assertThat(i.attributeText("dv_auth_dns_type")).isEqualTo("TXT");
        String token = i.attributeText("dv_auth_dns_value");
        assertThat(token).matches("[0-9a-f]{32}");

        // switch to file: new token, file URL
        OpsReply file = ops(hub, "update_dv_auth", attrs("order_id", orderId, "dv_auth_method", "file"));
        assertThat(file.isSuccess()).as(file.responseText()).isTrue();
        OpsReply fi = info(orderId);
        assertThat(fi.attributeText("dv_auth_file_url")).matches("http://" + Pattern.quote(domain) + "/\\.well-known/pki-validation/[0-9a-f]+\\.txt");
        assertThat(fi.attributeText("dv_auth_file_content")).matches("[0-9a-f]{32}").isNotEqualTo(token);
        assertThat(fi.attributes()).doesNotContainKey("dv_auth_dns_value");

        // back to dns, then the operator says the record is there
        ops(hub, "update_dv_auth", attrs("order_id", orderId, "dv_auth_method", "dns"));
        assertThat(http("POST", "/sandbox/dcv/" + orderId + "/check", null, null).statusCode()).isEqualTo(401);
        assertThat(http("POST", "/sandbox/dcv/" + orderId + "/check", "demo-key", null).statusCode()).isEqualTo(403);
        HttpResponse<String> check = http("POST", "/sandbox/dcv/" + orderId + "/check", "operator-key", null);
        assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
        assertThat(OrderJson.parse(check.body()).get("state").asText()).isIn("approver-confirmed", "completed");
        await().atMost(Duration.ofSeconds(60)).until(() -> state(orderId), "completed"::equals);
        assertThat(http("POST", "/sandbox/dcv/9999999/check", "operator-key", null).statusCode()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ decline / cancel

    @Test
    void operatorDeclinesAndCancels() {
        OpsReply r = ops(hub, "sw_register", register("rapidssl", "process", "decline.example.com", "dns", null));
        String orderId = r.attributeText("order_id");

        HttpResponse<String> declined = http("POST", "/sandbox/orders/" + orderId + "/decline", "operator-key", null);
        assertThat(declined.statusCode()).as(declined.body()).isEqualTo(200);
        assertThat(OrderJson.parse(declined.body()).get("state").asText()).isEqualTo("declined");
        assertThat(state(orderId)).isEqualTo("declined");

        // a declined order may be processed again
        OpsReply again = ops(hub, "process_pending", attrs("order_id", orderId));
        assertThat(again.attributeText("state")).isEqualTo("awaiting-approval");
        // process_pending on an order in progress is refused
        OpsReply twice = ops(hub, "process_pending", attrs("order_id", orderId));
        assertThat(twice.isSuccess()).isFalse();
        assertThat(twice.responseCode()).isEqualTo(465);

        HttpResponse<String> cancelled = http("POST", "/sandbox/orders/" + orderId + "/cancel", "operator-key", null);
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(state(orderId)).isEqualTo("cancelled");
        assertThat(ops(hub, "cancel_order", attrs("order_id", orderId)).attributeText("state")).isEqualTo("cancelled");
        assertThat(http("POST", "/sandbox/orders/" + orderId + "/decline", "operator-key", null).statusCode()).isEqualTo(409);
        assertThat(http("POST", "/sandbox/orders/" + orderId + "/cancel", null, null).statusCode()).isEqualTo(401);
        assertThat(http("POST", "/sandbox/orders/12345678/cancel", "operator-key", null).statusCode()).isEqualTo(404);

        // cancel_order by protocol, and process_pending command=cancel on a saved order
        OpsReply other = ops(hub, "sw_register", register("rapidssl", "process", "cancel.example.com", "dns", null));
        assertThat(ops(hub, "cancel_order", attrs("order_id", other.attributeText("order_id"))).attributeText("state"))
            .isEqualTo("cancelled");
        OpsReply saved = ops(hub, "sw_register", register("rapidssl", "save", "cancel2.example.com", "dns", null));
        assertThat(ops(hub, "process_pending", attrs("order_id", saved.attributeText("order_id"), "command", "cancel"))
            .attributeText("state")).isEqualTo("cancelled");
    }

    // ------------------------------------------------------------------ validation, lookups

    @Test
    void invalidRegistrationsAreRefusedWith465NamingTheAttribute() {
        Map<String, Object> unknownProduct = register("quickssl_premium", "save", "bad.example.com", "email", "admin@bad.example.com");
        unknownProduct.put("product_type", "no_such_product");
        assertRefused(ops(hub, "sw_register", unknownProduct), 465, "product_type");

        Map<String, Object> badCsr = register("quickssl_premium", "save", "bad.example.com", "email", "admin@bad.example.com");
        badCsr.put("csr", "-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n");
        assertRefused(ops(hub, "sw_register", badCsr), 465, "csr");

        Map<String, Object> foreignName = register("quickssl_premium", "save", "bad.example.com", "email", "admin@bad.example.com");
        foreignName.put("additional_domains", List.of("other.example.org"));
        assertRefused(ops(hub, "sw_register", foreignName), 465, "additional_domains");

        Map<String, Object> otherDomain = register("quickssl_premium", "save", "bad.example.com", "email", "admin@bad.example.com");
        otherDomain.put("domain", "elsewhere.example.com");
        assertRefused(ops(hub, "sw_register", otherDomain), 465, "domain");

        assertRefused(ops(hub, "get_order_info", attrs("order_id", "1234567")), 404, "1234567");
        assertRefused(ops(hub, "no_such_action", attrs()), 465, "action");
    }

    static void assertRefused(OpsReply r, int code, String textPart) {
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.responseCode()).as(r.responseText()).isEqualTo(code);
        assertThat(r.responseText()).contains(textPart);
    }

    @Test
    void approverListHasConstructedAddressesDownToTheRegistrableDomain() {
        OpsReply r = ops(hub, "query_approver_list", attrs("domain", "*.shop.eu.example.co.uk", "product_type", "quickssl_premium"));
        assertThat(r.isSuccess()).as(r.responseText()).isTrue();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) r.attributes().get("approver_list");
        assertThat(list).hasSize(15);
        assertThat(list.get(0)).containsEntry("domain", "shop.eu.example.co.uk")
            .containsEntry("email", "admin@shop.eu.example.co.uk").containsEntry("type", "constructed");
        assertThat(list).extracting(m -> m.get("email")).contains("postmaster@example.co.uk", "hostmaster@eu.example.co.uk")
            .doesNotContain("admin@co.uk");
    }

    // ------------------------------------------------------------------ faults

    @Test
    void faultsFailTheNextCallsTheWayAsked() {
        long before = hub.count("select count(*) from sandbox_order");

        // http-503: HTML, nothing processed
        // each fault names the action it is for, so no call of the hub's own workers can use it up
        setFault("{\"kind\":\"http-503\",\"count\":1,\"action\":\"sw_register\"}");
        HttpResponse<byte[]> unavailable = SandboxWire.post(hub, SandboxWire.sign("sw_register",
            register("rapidssl", "save", "fault.example.com", "dns", null), "sandbox", "sandbox-key"), Duration.ofSeconds(10));
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(new String(unavailable.body(), StandardCharsets.UTF_8)).contains("<html>");
        assertThat(hub.count("select count(*) from sandbox_order")).isEqualTo(before);

        // is-success-0: HTTP 200, is_success=0 with response_code 200, nothing processed
        setFault("{\"kind\":\"is-success-0\",\"count\":1,\"action\":\"sw_register\"}");
        OpsReply notDone = ops(hub, "sw_register", register("rapidssl", "save", "fault.example.com", "dns", null));
        assertThat(notDone.isSuccess()).isFalse();
        assertThat(notDone.responseCode()).isEqualTo(200);
        assertThat(notDone.classify()).isEqualTo(OpsReply.Outcome.AMBIGUOUS);
        assertThat(hub.count("select count(*) from sandbox_order")).isEqualTo(before);

        // the count is used up: the next call works
        OpsReply saved = ops(hub, "sw_register", register("rapidssl", "save", "fault.example.com", "dns", null));
        assertThat(saved.isSuccess()).isTrue();
        String orderId = saved.attributeText("order_id");

        // timeout: processed, but the reply comes too late for the caller
        setFault("{\"kind\":\"timeout\",\"count\":1,\"action\":\"process_pending\"}");
        assertThatThrownBy(() -> SandboxWire.post(hub, SandboxWire.sign("process_pending", attrs("order_id", orderId),
            "sandbox", "sandbox-key"), Duration.ofMillis(500)))
            .hasRootCauseInstanceOf(HttpTimeoutException.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> state(orderId), "awaiting-approval"::equals);

        // rate 1: every call fails until kind none
        setFault("{\"kind\":\"http-503\",\"rate\":1}");
        for (int i = 0; i < 3; i++) {
            assertThat(SandboxWire.post(hub, SandboxWire.sign("get_order_info", attrs("order_id", orderId), "sandbox", "sandbox-key"),
                Duration.ofSeconds(10)).statusCode()).isEqualTo(503);
        }
        HttpResponse<String> none = setFault("{\"kind\":\"none\"}");
        assertThat(OrderJson.parse(none.body()).get("kind").asText()).isEqualTo("none");
        assertThat(info(orderId).isSuccess()).isTrue();

        // the endpoint is the operator's and checks its body
        assertThat(hub.post("/sandbox/faults", "demo-key", "{\"kind\":\"timeout\",\"count\":1}").statusCode()).isEqualTo(403);
        HttpResponse<String> bad = hub.post("/sandbox/faults", "operator-key", "{\"kind\":\"explode\",\"count\":1}");
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(OrderJson.parse(bad.body()).get("field").asText()).isEqualTo("kind");
    }

    static HttpResponse<String> setFault(String json) {
        HttpResponse<String> r = hub.post("/sandbox/faults", "operator-key", json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    @Test
    void vendorOrderIdsComeFromTheSequence() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ids.add(Long.parseLong(ops(hub, "sw_register", register("rapidssl", "save", "seq" + i + ".example.com", "dns", null))
                .attributeText("order_id")));
        }
        assertThat(ids.get(1)).isGreaterThan(ids.get(0));
        assertThat(ids.get(0)).isGreaterThanOrEqualTo(7730001L);
    }
}
