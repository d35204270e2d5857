package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.certhub.support.HubProcess;
import io.certhub.support.OrderJson;
import io.certhub.support.TestCsrs;
import io.certhub.support.TestPostgres;
import io.certhub.support.TestTlsCa;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 §2: the {@code production} profile boots from environment variables only and completes
 * an order across real wires. Three parties:
 * <ul>
 *   <li><b>PostgreSQL</b>: a fresh database on {@link TestPostgres}'s throw-away cluster, owned by
 *       a login role of its own (as in the README's walk-through); the class is skipped when
 *       PostgreSQL's binaries are missing;</li>
 *   <li><b>mail</b>: GreenMail in this JVM with IMAPS and SMTPS (the hub's certificate mailbox
 *       and admin delivery) and plain SMTP (only the vendor's outgoing mail), its certificate
 *       issued for localhost/127.0.0.1 by a private CA made at test time ({@link TestTlsCa}); the
 *       hub trusts that CA through {@code HUB_MAIL_TRUSTED_ROOTS}, host names checked;</li>
 *   <li><b>vendor</b>: a second process of the same jar on its default (sandbox) profile, serving
 *       the OpenSRS protocol over HTTPS ({@code server.ssl.*}, same private CA; the hub trusts it
 *       through {@code HUB_VENDOR_OPENSRS_TRUSTED_ROOTS}) with credentials of its own, no embedded
 *       mail server ({@code hub.sandbox.mail-server=false}) and its issued-certificate emails
 *       sent to the hub's mailbox user on the test mail server; the hub checks the certificates
 *       against the vendor's CA root ({@code HUB_MAILBOX_TRUSTED_ROOTS} = its
 *       {@code sandbox-ca/root.crt}).</li>
 * </ul>
 * The hub process gets {@code SPRING_PROFILES_ACTIVE=production} and {@code HUB_*} variables; its
 * command line is {@code java -Xmx384m -Xlog:class+load… -jar certhub.jar}, no hub setting. The
 * operator opens an account and funds it through the operator API, the account's key places a DV
 * order by REST, and the order must reach COMPLETED with its hold CAPTURED, one delivery SENT at
 * the first attempt and exactly one email at the admin contact; the database is counted after.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ProductionBootIT {

    static final String MAILBOX_USER = "ssl-orders@reseller.test";
    static final String SMTP_USER = "certificates@reseller.test";
    static final String VENDOR_USER = "reseller-it";
    static final String ADMIN = "alex@example.com";
    static final String DOMAIN = "shop.example.com";

    @TempDir
    static Path dir;

    static String jdbcUrl;
    static String dbUser;
    static String dbPassword;
    static String operatorKey;
    static Path classLog;
    static GreenMail mail;
    static HubProcess vendor;
    static HubProcess hub;

    @BeforeAll
    static void start() throws Exception {
        jdbcUrl = TestPostgres.newDatabase("production_boot_it");   // skips the class without PostgreSQL
        dbUser = "certhub_it_" + TestTlsCa.random(4);
        dbPassword = TestTlsCa.random(16);
        String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection(jdbcUrl, TestPostgres.USER, "");
             Statement s = c.createStatement()) {
            s.execute("create role " + dbUser + " login password '" + dbPassword + "'");
            s.execute("alter database " + database + " owner to " + dbUser);
            s.execute("alter schema public owner to " + dbUser);
        }

        TestTlsCa ca = TestTlsCa.create(Files.createDirectories(dir.resolve("tls")));
        // GreenMail's TLS servers read their key store from these (the first TLS server of the JVM)
        System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY, ca.keyStore().toString());
        System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY, ca.password());
        System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY, ca.password());
        int smtpPlain = freePort();
        int smtps = freePort();
        int imaps = freePort();
        mail = new GreenMail(new ServerSetup[] {
            setup(smtpPlain, ServerSetup.PROTOCOL_SMTP), setup(smtps, ServerSetup.PROTOCOL_SMTPS), setup(imaps, ServerSetup.PROTOCOL_IMAPS)});
        mail.start();
        String mailboxPassword = TestTlsCa.random(12);
        String smtpPassword = TestTlsCa.random(12);
        mail.setUser(MAILBOX_USER, MAILBOX_USER, mailboxPassword);
        mail.setUser(SMTP_USER, SMTP_USER, smtpPassword);

        String vendorKey = TestTlsCa.random(16);
        int vendorPort = freePort();
        Path vendorData = dir.resolve("vendor");
        vendor = HubProcess.builder("production-boot-vendor").dataDir(vendorData).port(vendorPort).tls(ca.clientContext())
            .args(List.of(
                "--server.ssl.enabled=true", "--server.ssl.key-store=" + ca.keyStore(), "--server.ssl.key-store-type=PKCS12",
                "--server.ssl.key-store-password=" + ca.password(), "--server.ssl.key-alias=" + ca.alias(),
                "--hub.sandbox.vendor-username=" + VENDOR_USER, "--hub.sandbox.vendor-api-key=" + vendorKey,
                "--hub.sandbox.mail-server=false", "--hub.sandbox.smtp-host=127.0.0.1", "--hub.sandbox.smtp-port=" + smtpPlain,
                "--hub.sandbox.auto-approve=true", "--hub.sandbox.approval-delay=1s",
                // the vendor's issued-certificate emails go to the production hub's mailbox user;
                // its own certificate mailbox stays off (it is the vendor here, not a hub)
                "--hub.mailbox.username=" + MAILBOX_USER, "--hub.mailbox.enabled=false",
                "--hub.mail.smtp.port=" + smtpPlain))
            .start();
        Path vendorRoot = vendorData.resolve("sandbox-ca").resolve("root.crt");
        assertThat(vendorRoot).exists();

        operatorKey = TestTlsCa.random(32);
        classLog = dir.resolve("hub-classes.log");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HUB_DB_URL", jdbcUrl);
        env.put("HUB_DB_USERNAME", dbUser);
        env.put("HUB_DB_PASSWORD", dbPassword);
        env.put("HUB_OPERATOR_KEY", operatorKey);
        env.put("HUB_VENDOR_OPENSRS_URL", "https://localhost:" + vendorPort + "/sandbox/opensrs");
        env.put("HUB_VENDOR_OPENSRS_USERNAME", VENDOR_USER);
        env.put("HUB_VENDOR_OPENSRS_API_KEY", vendorKey);
        env.put("HUB_VENDOR_OPENSRS_TRUSTED_ROOTS", ca.rootPem().toString());
        env.put("HUB_MAILBOX_HOST", "localhost");
        env.put("HUB_MAILBOX_PORT", Integer.toString(imaps));
        env.put("HUB_MAILBOX_USERNAME", MAILBOX_USER);
        env.put("HUB_MAILBOX_PASSWORD", mailboxPassword);
        env.put("HUB_MAILBOX_TRUSTED_ROOTS", vendorRoot.toString());
        env.put("HUB_MAIL_SMTP_HOST", "localhost");
        env.put("HUB_MAIL_SMTP_PORT", Integer.toString(smtps));
        env.put("HUB_MAIL_SMTP_USERNAME", SMTP_USER);
        env.put("HUB_MAIL_SMTP_PASSWORD", smtpPassword);
        env.put("HUB_MAIL_SMTP_FROM", SMTP_USER);
        env.put("HUB_MAIL_TRUSTED_ROOTS", ca.rootPem().toString());
        hub = HubProcess.builder("production-boot-hub").onlyEnvironment().profile("production").env(env)
            .dataDir(Files.createDirectories(dir.resolve("hub"))).port(freePort())
            .jvm("-Xlog:class+load=info:file=" + classLog)
            .start();
    }

    @AfterAll
    static void stop() {
        try {
            if (hub != null) {
                hub.close();
            }
        } finally {
            try {
                if (vendor != null) {
                    vendor.close();
                }
            } finally {
                if (mail != null) {
                    mail.stop();
                }
            }
        }
    }

    @Test
    void anOrderPlacedOnProductionCompletesWithOneDelivery() throws Exception {
        HttpResponse<String> r = hub.call("POST", "/api/v1/accounts", operatorKey,
            "{\"id\":\"acme\",\"currency\":\"USD\",\"openingBalance\":\"0.00\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String apiKey = OrderJson.parse(r.body()).path("apiKey").asText();
        assertThat(apiKey).isNotBlank();

        r = hub.call("POST", "/api/v1/accounts/acme/deposits", operatorKey,
            "{\"amount\":\"100.00\",\"currency\":\"USD\",\"reference\":\"wire 2026-12-06\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(OrderJson.parse(r.body()).path("balance").asText()).isEqualTo("100.00");

        r = hub.call("POST", "/api/v1/orders", apiKey,
            OrderJson.order("PROD-IT-0001", "quickssl_premium", "process", DOMAIN, TestCsrs.ec(DOMAIN)).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode placed = OrderJson.parse(r.body());
        assertThat(placed.path("state").asText()).isEqualTo("IN_PROGRESS");
        assertThat(placed.path("hold").path("state").asText()).isEqualTo("HELD");
        assertThat(placed.path("hold").path("amount").asText()).isEqualTo("49.00");
        String id = placed.path("id").asText();

        // vendor over HTTPS (save, process), auto-approval, issuance, the vendor's email over SMTP,
        // the hub's IMAPS poll, the chain check, capture, delivery over SMTPS
        JsonNode done = await("order " + id + " COMPLETED and delivered (hub log " + hub.log() + ")")
            .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
            .until(() -> hub.getJson("/api/v1/orders/" + id, apiKey),
                o -> "COMPLETED".equals(o.path("state").asText()) && "SENT".equals(o.path("delivery").path("state").asText()));
        assertThat(done.path("hold").path("state").asText()).isEqualTo("CAPTURED");
        assertThat(done.path("delivery").path("attempts").asInt()).isEqualTo(1);
        assertThat(done.path("vendorOrderId").asText()).matches("\\d{7}");

        HttpResponse<String> cert = hub.call("GET", "/api/v1/orders/" + id + "/certificate", apiKey, null);
        assertThat(cert.statusCode()).isEqualTo(200);
        assertThat(cert.body()).startsWith("-----BEGIN CERTIFICATE-----");

        JsonNode account = hub.getJson("/api/v1/account", apiKey);
        assertThat(account.path("balance").asText()).isEqualTo("51.00");
        assertThat(account.path("held").asText()).isEqualTo("0.00");

        // exactly one email at the admin contact, and still one a few seconds later
        await("one certificate email at " + ADMIN).atMost(Duration.ofSeconds(30)).until(() -> toAdmin().size() == 1);
        await("no second email at " + ADMIN).during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
            .until(() -> toAdmin().size() == 1);
        assertThat(toAdmin().get(0).getSubject()).startsWith("Your SSL certificate for " + DOMAIN + " is ready");

        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword)) {
            assertThat(count(c, "select count(*) from orders")).isEqualTo(1);
            assertThat(count(c, "select count(*) from orders where state = 'COMPLETED'")).isEqualTo(1);
            assertThat(count(c, "select count(*) from hold")).isEqualTo(1);
            assertThat(count(c, "select count(*) from hold where state = 'CAPTURED' and amount_minor = 4900")).isEqualTo(1);
            assertThat(strings(c, "select entry_type || ' ' || amount_minor from journal where account_id = 'acme' order by id"))
                .containsExactly("DEPOSIT 10000", "HOLD 4900", "CAPTURE 4900");
            assertThat(count(c, "select count(*) from delivery")).isEqualTo(1);
            assertThat(count(c, "select count(*) from delivery where state = 'SENT' and attempts = 1 and recipient = '" + ADMIN + "'"))
                .isEqualTo(1);
            assertThat(count(c, "select count(*) from certificate where source = 'mailbox'")).isEqualTo(1);
            assertThat(count(c, "select count(*) from mailbox_message where outcome = 'PROCESSED'")).isEqualTo(1);
            assertThat(count(c, "select count(*) from information_schema.tables where table_name like 'sandbox%'")).isZero();
            assertThat(count(c, "select count(*) from account")).isEqualTo(1);
        }
    }

    @Test
    void productionHasNoSandbox() throws IOException {
        assertThat(hub.call("POST", "/sandbox/opensrs", operatorKey, "{}").statusCode()).isEqualTo(404);
        assertThat(hub.call("POST", "/sandbox/faults", operatorKey, "{\"kind\":\"none\"}").statusCode()).isEqualTo(404);
        assertThat(hub.call("GET", "/sandbox/approve/any-token", null, null).statusCode()).isEqualTo(404);
        // no sandbox account or key
        assertThat(hub.call("GET", "/api/v1/account", "demo-key", null).statusCode()).isEqualTo(401);
        assertThat(hub.call("GET", "/api/v1/account", "other-key", null).statusCode()).isEqualTo(401);
        assertThat(hub.call("GET", "/api/v1/vendor/possible-orphans", "operator-key", null).statusCode()).isEqualTo(401);
        // no GreenMail class and no sandbox class was ever loaded by the production JVM
        List<String> classes = Files.readAllLines(classLog);
        assertThat(classes).as("the class-load log works").anyMatch(l -> l.contains(" io.certhub.config.ProductionConfigCheck "));
        assertThat(classes.stream().filter(l -> l.contains(" com.icegreen.") || l.contains(" io.certhub.sandbox.")))
            .as("GreenMail or sandbox classes loaded in production").isEmpty();
    }

    private static List<MimeMessage> toAdmin() throws MessagingException {
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage m : mail.getReceivedMessages()) {
            Address[] to = m.getAllRecipients();
            if (to != null && Arrays.stream(to).anyMatch(a -> a.toString().contains(ADMIN))) {
                out.add(m);
            }
        }
        return out;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static ServerSetup setup(int port, String protocol) {
        ServerSetup s = new ServerSetup(port, "127.0.0.1", protocol);
        s.setServerStartupTimeout(20_000);
        return s;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
