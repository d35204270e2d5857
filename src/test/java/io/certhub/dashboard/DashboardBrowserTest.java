package io.certhub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.pki.CertificateFacts;
import io.certhub.support.OrderJson;
import io.certhub.support.RunningHub;
import io.certhub.support.TestCsrs;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The reseller dashboard (src/main/resources/static) in a real browser against the real hub on
 * its embedded default: sign-in and sign-out, an order saved, submitted and followed to
 * COMPLETED, its certificate downloaded, another order cancelled with its hold released, field
 * errors next to their fields, filters and paging, and one account's key never showing another
 * account's orders. Every page is saved at desktop and phone width in target/screenshots/. The
 * dashboard is native ES modules (served as JavaScript), shows products by name and every time in
 * UTC (the browser runs in another zone, {@link #LOCAL_ZONE}), and never breaks an id, serial,
 * domain or time in a table mid-word, at desktop or phone width.
 *
 * <p>One hub and one browser for the class. DV orders complete by sandbox auto-approve as usual,
 * 8 s after they reach the vendor, while the hub polls the vendor every second, so the DNS record
 * or HTTP file to publish is known before approval; OV/EV vetting takes an hour so an OV order
 * stays in flight (at the vendor) until the test cancels it. Skipped when Debian's
 * chromium/chromium-driver are not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    private static final Duration SHORT = Duration.ofSeconds(15);
    private static final Duration COMPLETION = Duration.ofSeconds(90);
    /** The browser's own time zone (+05:30, no daylight saving): a time shown in it would not read as UTC. */
    private static final String LOCAL_ZONE = "Asia/Kolkata";
    /** How the dashboard shows an instant (ui.js formatInstant). */
    private static final DateTimeFormatter UTC_MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    @TempDir
    static Path tmp;
    static RunningHub hub;
    static Browser browser;
    static WebDriver d;
    static String base;

    @BeforeAll
    static void start() {
        if (!Browser.installed()) {
            return;                     // every test is then skipped by needsTheBrowser()
        }
        hub = RunningHub.start(tmp.resolve("hub"), "--hub.sandbox.vetting-delay=1h", "--hub.sandbox.approval-delay=8s",
            "--hub.vendor.poll-base=1s", "--hub.vendor.poll-cron=0/1 * * * * ?");
        browser = Browser.start(tmp.resolve("browser"));
        browser.timeZone(LOCAL_ZONE);
        d = browser.driver();
        base = "http://127.0.0.1:" + hub.port() + "/";
    }

    @BeforeEach
    void needsTheBrowser() {
        Browser.assumeInstalled();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void signInRefusesAnUnknownKeyAndSignOutForgetsTheKey() {
        d.get(base);
        wait(SHORT).until(ExpectedConditions.urlContains("#/signin"));
        waitText(By.tagName("h1"), "Sign in");
        browser.screenshot("01-sign-in");

        type(By.id("apikey"), "no-such-key");
        click(By.id("signin-button"));
        waitText(By.id("signin-message"), "not accepted");
        assertThat(browser.js("return sessionStorage.getItem('certhub.apiKey')")).isNull();

        signIn("demo-key");
        waitText(By.id("who"), "demo");
        assertThat(browser.js("return sessionStorage.getItem('certhub.apiKey')")).isEqualTo("demo-key");
        assertThat(browser.js("return localStorage.length")).isEqualTo(0L);
        assertThat(browser.js("return document.cookie")).isEqualTo("");

        click(By.id("signout"));
        wait(SHORT).until(ExpectedConditions.urlContains("#/signin"));
        waitText(By.id("signin-message"), "signed out");
        assertThat(browser.js("return sessionStorage.getItem('certhub.apiKey')")).isNull();
        d.get(base + "#/account");
        wait(SHORT).until(ExpectedConditions.urlContains("#/signin"));
    }

    @Test
    @Order(2)
    void anOrderIsSavedSubmittedFollowedToCompletedAndItsCertificateDownloaded() throws Exception {
        signIn("demo-key");
        String domain = "dash-dv.example.com";
        Path csrFile = tmp.resolve("dash-dv.csr");
        Files.writeString(csrFile, TestCsrs.ec(domain, "www." + domain));

        open("#/new");
        waitText(By.tagName("h1"), "New order");
        type(By.id("f-clientReference"), "DASH-DV-1");
        new Select(d.findElement(By.id("f-productType"))).selectByValue("quickssl_premium");
        d.findElement(By.id("f-csr-file")).sendKeys(csrFile.toAbsolutePath().toString());
        // immediate feedback from POST /csr/parse, and the names filled in from the CSR
        waitText(By.id("csr-summary"), "The CSR is fine");
        assertThat(text(By.id("csr-names"))).contains(domain, "www." + domain);
        assertThat(text(By.id("csr-key"))).isEqualTo("EC P-256");
        assertThat(text(By.id("csr-signature"))).isEqualTo("valid");
        wait(SHORT).until(x -> domain.equals(x.findElement(By.id("f-domain")).getDomProperty("value")));
        assertThat(d.findElement(By.id("f-additionalDomains")).getDomProperty("value")).isEqualTo("www." + domain);
        chooseApprover("admin@" + domain);
        assertThat(text(By.id("f-price"))).startsWith("49.00 USD");
        fillAdmin();
        browser.screenshot("03-new-order");

        click(By.id("save-order"));
        waitText(By.id("order-state-text"), "PENDING");
        waitText(By.id("action-message"), "Order saved");
        assertThat(text(By.id("order-hold"))).isEqualTo("No hold");
        assertThat(text(By.id("order-domain"))).isEqualTo(domain);
        assertThat(text(By.id("dcv-approver"))).isEqualTo("admin@" + domain);
        String id = text(By.id("order-id"));
        browser.screenshot("04-order-saved");

        click(By.id("action-submit"));
        waitText(By.id("order-state-text"), "IN_PROGRESS");
        waitText(By.id("order-hold"), "49.00 USD · HELD");

        // the list refreshes by itself while an order is in flight
        click(By.cssSelector("#nav a[data-nav=orders]"));
        By row = By.cssSelector("#orders-table tr[data-id='" + id + "']");
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(row));
        boolean inFlightAtFirst = "IN_PROGRESS".equals(d.findElement(row).getDomAttribute("data-state"));
        if (inFlightAtFirst) {
            assertThat(text(By.id("refresh-status"))).contains("refreshing every");
            browser.screenshot("02-orders");
        }
        wait(COMPLETION).until(x -> "COMPLETED".equals(attr(row, "data-state")));
        if (inFlightAtFirst) {
            assertThat(Integer.parseInt(attr(By.id("refresh-status"), "data-refreshes"))).isGreaterThan(1);
        } else {
            browser.screenshot("02-orders");
        }
        // the product by its name from the catalog (GET /products), its code only in the title
        String productName = productName("quickssl_premium");
        assertThat(productName).isEqualTo("GeoTrust QuickSSL Premium");
        assertThat(text(row)).contains(domain, productName, "49.00 USD", "CAPTURED").doesNotContain("quickssl_premium");
        assertThat(attr(By.cssSelector("#orders-table tr[data-id='" + id + "'] .product"), "title")).isEqualTo("quickssl_premium");
        // every time in UTC, labelled, though the browser's own zone is +05:30
        assertThat(browser.js("return new Date().getTimezoneOffset()")).isEqualTo(-330L);
        By rowTime = By.cssSelector("#orders-table tr[data-id='" + id + "'] time");
        wait(SHORT).ignoring(StaleElementReferenceException.class).until(x -> {
            WebElement t = x.findElement(rowTime);
            return t.getText().equals(UTC_MINUTES.format(Instant.parse(t.getDomAttribute("datetime"))));
        });
        assertThat(text(rowTime)).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC");
        assertThat(text(By.id("refresh-status"))).matches("(.* )?Updated \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC\\.");
        assertTimesShownInUtc();

        click(By.cssSelector("#orders-table tr[data-id='" + id + "'] a.order-link"));
        waitText(By.id("order-state-text"), "COMPLETED");
        assertThat(text(By.id("order-hold"))).isEqualTo("49.00 USD · CAPTURED");
        assertThat(text(By.id("order-vendor-id"))).matches("\\d{7,}");
        assertThat(text(By.id("order-product"))).isEqualTo(productName);
        assertThat(attr(By.cssSelector("#order-product .product"), "title")).isEqualTo("quickssl_premium");
        String history = text(By.id("history"));
        assertThat(history).contains("PENDING → IN PROGRESS", "IN PROGRESS → COMPLETED", "vendor: awaiting-approval");
        assertThat(d.findElements(By.cssSelector("#history li")).size()).isGreaterThanOrEqualTo(3);

        // download: fetched with the key header, handed to the browser as a Blob
        click(By.id("action-download"));
        waitText(By.id("action-message"), "Certificate downloaded");
        String pem = (String) browser.jsAsync("const done = arguments[arguments.length - 1];"
            + "fetch(document.getElementById('certificate-link').href).then(r => r.text()).then(done, e => done('ERROR ' + e));");
        assertThat(attr(By.id("certificate-link"), "download")).isEqualTo(domain + ".pem");
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----").isEqualTo(hub.get("/api/v1/orders/" + id + "/certificate", "demo-key").body());
        List<X509Certificate> chain = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            chain.add((X509Certificate) c);
        }
        assertThat(chain).hasSizeGreaterThanOrEqualTo(2);
        List<String> sans = chain.get(0).getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        assertThat(sans).contains(domain, "www." + domain);

        // the certificate's facts on the order page (issue 13 §1), as JCA reads them from the PEM the order API serves
        X509Certificate leaf = chain.get(0);
        waitText(By.id("cert-serial"), CertificateFacts.serialHex(leaf.getSerialNumber()));
        assertThat(text(By.id("cert-serial"))).isEqualTo(CertificateFacts.serialHex(leaf.getSerialNumber()));
        assertThat(text(By.id("cert-sha256"))).isEqualTo(CertificateFacts.of(leaf).sha256());
        assertThat(text(By.id("cert-issuer"))).isEqualTo(leaf.getIssuerX500Principal().getName("RFC2253")).contains("CN=Certhub Sandbox DV CA");
        assertThat(text(By.id("cert-subject"))).isEqualTo("CN=" + domain);
        assertThat(text(By.id("cert-sans"))).isEqualTo(domain + ", www." + domain);
        assertThat(text(By.id("cert-key"))).isEqualTo("EC 256 bit");
        assertThat(attr(By.cssSelector("#cert-not-after time"), "datetime")).isEqualTo(leaf.getNotAfter().toInstant().toString());
        assertThat(attr(By.cssSelector("#cert-not-before time"), "datetime")).isEqualTo(leaf.getNotBefore().toInstant().toString());
        assertThat(text(By.id("cert-not-after"))).isEqualTo(UTC_MINUTES.format(leaf.getNotAfter().toInstant()));
        assertThat(text(By.id("cert-not-before"))).isEqualTo(UTC_MINUTES.format(leaf.getNotBefore().toInstant()));
        assertTimesShownInUtc();
        assertThat(text(By.id("cert-state"))).isEqualTo("ACTIVE");
        // the paid term (issue 13 §2): a 1-year order, its first certificate; paid until notBefore + 365 days, the next
        // certificate due at the renewal point (30 days before notAfter) while the certificate ends before that
        java.time.Instant paidUntil = leaf.getNotBefore().toInstant().plus(java.time.Duration.ofDays(365));
        assertThat(attr(By.cssSelector("#term-paid-until time"), "datetime")).isEqualTo(paidUntil.toString());
        assertThat(text(By.id("term-certificates-issued"))).isEqualTo("1");
        if (leaf.getNotAfter().toInstant().isBefore(paidUntil)) {
            assertThat(attr(By.cssSelector("#term-next-reissue time"), "datetime")).isEqualTo(new io.certhub.term.ValidityCaps(
                new io.certhub.term.LifecycleProperties()).renewalPoint(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()).toString());
        } else {
            assertThat(text(By.id("term-next-reissue"))).startsWith("None");
        }
        Path saved = browser.downloads().resolve(domain + ".pem");
        wait(SHORT).until(x -> Files.exists(saved));
        assertThat(Files.readString(saved)).isEqualTo(pem);

        // the same chain as DER PKCS#7 (IIS, Tomcat)
        click(By.id("action-download-p7b"));
        waitText(By.id("action-message"), "Certificate downloaded as " + domain + ".p7b");
        Path p7b = browser.downloads().resolve(domain + ".p7b");
        wait(SHORT).until(x -> Files.exists(p7b) && p7b.toFile().length() > 0);
        List<X509Certificate> fromP7b = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(p7b)))) {
            fromP7b.add((X509Certificate) c);
        }
        assertThat(fromP7b).containsExactlyInAnyOrderElementsOf(chain);

        click(By.id("action-resend-certificate"));
        waitText(By.id("action-message"), "queued to be sent again");
        browser.screenshot("05-order-completed");
    }

    @Test
    @Order(3)
    void theDnsRecordAndHttpFileToPublishAreShown() {
        String dnsId = placeDv("DASH-DNS-1", "dash-dns.example.com", "dns");
        String httpId = placeDv("DASH-HTTP-1", "dash-http.example.com", "http");
        signIn("demo-key");

        open("#/orders/" + dnsId);
        waitText(By.id("order-ref"), "DASH-DNS-1");
        // the page follows the order until the hub has polled the vendor's DCV details
        browser.waitUpTo(COMPLETION).ignoring(StaleElementReferenceException.class)
            .until(x -> !x.findElements(By.id("dcv-dns-name")).isEmpty());
        var dns = OrderJson.parse(hub.get("/api/v1/orders/" + dnsId, "demo-key").body()).get("dcv").get("dns");
        assertThat(text(By.id("dcv-dns-name"))).isEqualTo(dns.get("name").asText()).endsWith("dash-dns.example.com");
        assertThat(text(By.id("dcv-dns-value"))).isEqualTo(dns.get("value").asText()).isNotBlank();
        assertThat(text(By.id("dcv-dns-type"))).isEqualTo("TXT");
        browser.screenshot("06-order-dns-validation");

        open("#/orders/" + httpId);
        waitText(By.id("order-ref"), "DASH-HTTP-1");
        browser.waitUpTo(COMPLETION).ignoring(StaleElementReferenceException.class)
            .until(x -> !x.findElements(By.id("dcv-http-url")).isEmpty());
        var http = OrderJson.parse(hub.get("/api/v1/orders/" + httpId, "demo-key").body()).get("dcv").get("http");
        assertThat(text(By.id("dcv-http-url"))).isEqualTo(http.get("url").asText())
            .startsWith("http://dash-http.example.com/.well-known/pki-validation/");
        assertThat(text(By.id("dcv-http-content"))).isEqualTo(http.get("content").asText()).isNotBlank();
    }

    @Test
    @Order(4)
    void cancellingAnOrderInFlightReleasesItsHold() {
        signIn("demo-key");
        open("#/account");
        String available = waitNonEmpty(By.id("account-available"));
        long before = cents(available);

        String domain = "dash-ov.example.com";
        open("#/new");
        waitText(By.tagName("h1"), "New order");
        type(By.id("f-clientReference"), "DASH-OV-1");
        new Select(d.findElement(By.id("f-productType"))).selectByValue("sslwebserver");
        assertThat(d.findElement(By.id("org-fieldset")).isDisplayed()).isTrue();
        // pasted (typed) rather than uploaded this time
        type(By.id("f-csr"), TestCsrs.rsa(domain));
        waitText(By.id("csr-key"), "RSA 2048 bits");
        wait(SHORT).until(x -> domain.equals(x.findElement(By.id("f-domain")).getDomProperty("value")));
        chooseApprover("admin@" + domain);
        fillAdmin();
        type(By.id("f-contacts-organization-orgName"), "Example Inc");
        type(By.id("f-contacts-organization-address1"), "1 Main St");
        type(By.id("f-contacts-organization-city"), "Springfield");
        type(By.id("f-contacts-organization-state"), "IL");
        type(By.id("f-contacts-organization-postalCode"), "62701");
        type(By.id("f-contacts-organization-country"), "US");
        type(By.id("f-contacts-organization-phone"), "+1.5555550100");
        click(By.id("submit-order"));

        waitText(By.id("order-state-text"), "IN_PROGRESS");
        waitText(By.id("order-hold"), "199.00 USD · HELD");
        waitText(By.id("action-message"), "199.00 USD held");
        String url = d.getCurrentUrl();
        // the page follows the order by itself until the vendor has it
        wait(COMPLETION).until(x -> Pattern.matches("\\d{7,}", text(By.id("order-vendor-id"))));

        open("#/account");
        assertThat(cents(waitNonEmpty(By.id("account-available")))).isEqualTo(before - 19900);

        d.get(url);
        click(By.id("action-cancel"));
        wait(SHORT).until(x -> (Boolean) browser.js("return document.getElementById('confirm').open"));
        assertThat(text(By.id("confirm-text"))).contains("The hold of 199.00 USD will be released");
        assertThat(text(By.id("confirm-yes"))).isEqualTo("Cancel and release 199.00 USD");
        browser.screenshot("07-cancel-confirmation");
        click(By.id("confirm-yes"));
        waitText(By.id("order-state-text"), "CANCELLED");
        assertThat(text(By.id("order-hold"))).isEqualTo("199.00 USD · RELEASED");
        assertThat(text(By.id("action-message"))).contains("Order cancelled", "199.00 USD released");
        assertThat(d.findElements(By.id("action-cancel"))).isEmpty();

        open("#/account");
        assertThat(cents(waitNonEmpty(By.id("account-available")))).isEqualTo(before);
        String orderId = url.substring(url.lastIndexOf('/') + 1);
        By rows = By.cssSelector("#ledger-table tr[data-order='" + orderId + "']");
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(rows));
        assertThat(d.findElements(rows)).extracting(e -> e.getDomAttribute("data-type")).containsExactlyInAnyOrder("HOLD", "RELEASE");
        assertTimesShownInUtc();
        browser.screenshot("08-account");
    }

    @Test
    @Order(5)
    void theApiFieldErrorsAreShownNextToTheirFields() {
        signIn("demo-key");
        open("#/new");
        waitText(By.tagName("h1"), "New order");
        type(By.id("f-clientReference"), "DASH-BAD-1");
        type(By.id("f-csr"), "this is not a CSR");
        waitText(By.id("csr-problems"), "CSR_UNPARSEABLE");
        type(By.id("f-domain"), "bad..example.com");
        type(By.id("f-contacts-admin-firstName"), "Alex");
        type(By.id("f-contacts-admin-email"), "not-an-email");
        type(By.id("f-contacts-admin-phone"), "+1.5555550100");
        click(By.id("save-order"));

        waitText(By.id("form-errors"), "The order was not accepted");
        assertThat(text(By.id("f-contacts-admin-email-error"))).contains("not an email address");
        assertThat(attr(By.id("f-contacts-admin-email"), "aria-invalid")).isEqualTo("true");
        assertThat(attr(By.id("f-contacts-admin-email"), "aria-describedby")).contains("f-contacts-admin-email-error");
        assertThat(text(By.id("f-contacts-admin-lastName-error"))).contains("contacts.admin.lastName is required");
        assertThat(text(By.id("f-csr-error"))).contains("CSR_UNPARSEABLE");
        assertThat(text(By.id("f-domain-error"))).contains("DOMAIN_INVALID");
        assertThat(text(By.id("f-contacts-admin-firstName-error"))).isEmpty();
        browser.screenshot("09-new-order-errors");
        assertThat(hub.get("/api/v1/orders?clientReference=DASH-BAD-1", "demo-key").body()).contains("\"totalElements\":0");
    }

    @Test
    @Order(6)
    void filtersSearchAndPagingUseTheListQuery() {
        String csr = TestCsrs.ec("page.example.org");
        for (int i = 0; i < 22; i++) {
            var doc = OrderJson.order(String.format("PAGE-%02d", i), "rapidssl", "save", "page.example.org", csr);
            doc.put("approverEmail", "admin@example.org");
            var r = hub.post("/api/v1/orders", "other-key", doc.toString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
        signIn("other-key");
        waitText(By.cssSelector("#orders-table caption"), "22 orders · page 1 of 2");
        assertThat(d.findElements(By.cssSelector("#orders-table tbody tr"))).hasSize(20);
        click(By.id("page-next"));
        waitText(By.cssSelector("#orders-table caption"), "page 2 of 2");
        assertThat(d.findElements(By.cssSelector("#orders-table tbody tr"))).hasSize(2);

        new Select(d.findElement(By.id("filter-by"))).selectByValue("clientReference");
        type(By.id("filter-q"), "PAGE-07");
        click(By.id("filter-apply"));
        waitText(By.cssSelector("#orders-table caption"), "1 order · page 1 of 1");
        assertThat(attr(By.cssSelector("#orders-table tbody tr"), "data-ref")).isEqualTo("PAGE-07");

        // the search box finds parts of references and names (issue 11 §5): "page-1" is PAGE-10..PAGE-19
        new Select(d.findElement(By.id("filter-by"))).selectByValue("any");
        type(By.id("filter-q"), "page-1");
        click(By.id("filter-apply"));
        waitText(By.cssSelector("#orders-table caption"), "10 orders · page 1 of 1");
        assertThat(allListedRefs()).allMatch(r -> r.startsWith("PAGE-1")).hasSize(10);

        new Select(d.findElement(By.id("filter-state"))).selectByValue("COMPLETED");    // applies at once
        waitText(By.id("orders-empty"), "No orders match");
        open("#/orders?state=PENDING&by=domain&q=PAGE.example.org");
        waitText(By.cssSelector("#orders-table caption"), "22 orders");
    }

    @Test
    @Order(7)
    void oneAccountsKeyNeverShowsAnotherAccountsOrders() {
        var demo = hub.post("/api/v1/orders", "demo-key",
            OrderJson.order("DEMO-ONLY-1", "rapidssl", "save", "secret.example.com", TestCsrs.ec("secret.example.com"))
                .put("approverEmail", "admin@example.com").toString());
        assertThat(demo.statusCode()).as(demo.body()).isEqualTo(201);
        String demoId = OrderJson.parse(demo.body()).get("id").asText();
        var other = hub.post("/api/v1/orders", "other-key",
            OrderJson.order("OTHER-ONLY-1", "rapidssl", "save", "mine.example.net", TestCsrs.ec("mine.example.net"))
                .put("approverEmail", "admin@example.net").toString());
        assertThat(other.statusCode()).as(other.body()).isEqualTo(201);
        String otherId = OrderJson.parse(other.body()).get("id").asText();

        signIn("other-key");
        waitText(By.id("who"), "other");
        open("#/orders");
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#orders-table tr[data-id='" + otherId + "']")));
        List<String> refs = allListedRefs();
        assertThat(refs).contains("OTHER-ONLY-1").noneMatch(r -> r.startsWith("DASH-") || r.startsWith("DEMO-"));
        assertThat(d.findElement(By.id("main")).getText()).doesNotContain("secret.example.com", "dash-dv.example.com");

        open("#/orders?by=clientReference&q=DEMO-ONLY-1");
        waitText(By.id("orders-empty"), "No orders match");
        open("#/orders/" + demoId);
        waitText(By.tagName("h1"), "Order not found");
        open("#/account");
        waitText(By.id("account-id"), "other");
        assertThat(d.findElements(By.cssSelector("#ledger-table tr[data-order='" + demoId + "']"))).isEmpty();

        signIn("demo-key");
        open("#/orders/" + otherId);
        waitText(By.tagName("h1"), "Order not found");
        open("#/orders");
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#orders-table tr[data-id='" + demoId + "']")));
        assertThat(allListedRefs()).contains("DEMO-ONLY-1").noneMatch(r -> r.startsWith("OTHER-") || r.startsWith("PAGE-"));
    }

    @Test
    @Order(8)
    void theCertificatesPageListsTheAccountsCertificatesWithTheExpiringFilterAndADomainSearch() throws Exception {
        signIn("demo-key");
        var all = OrderJson.parse(hub.get("/api/v1/certificates", "demo-key").body());
        long total = all.get("totalElements").asLong();
        assertThat(total).isGreaterThanOrEqualTo(1);               // DASH-DV-1 of test 2, and any other DV order completed since
        String soonId = all.get("items").get(0).get("id").asText();
        String soonDomain = all.get("items").get(0).get("domain").asText();
        // one certificate ends in 10 days (its row moved; the sandbox issues for about 200 days)
        hub.jdbc().update("update certificate set not_after = ? where id = ?",
            java.sql.Timestamp.from(java.time.Instant.now().plus(Duration.ofDays(10))), soonId);

        open("#/certificates");
        waitText(By.tagName("h1"), "Certificates");
        wait(SHORT).until(x -> "false".equals(attr(By.id("cert-results"), "aria-busy")));
        assertThat(d.findElements(By.cssSelector("#cert-table tbody tr"))).hasSize((int) total);
        assertThat(text(By.cssSelector("#cert-table caption"))).startsWith(total + " certificate");
        assertThat(text(By.cssSelector("#cert-table tr[data-id='" + soonId + "']"))).contains(soonDomain, "(9 days)", "ACTIVE");
        assertTimesShownInUtc();
        browser.screenshot("10-certificates");

        // "expiring within 30 days": only the one that ends in 10 days
        click(By.id("filter-expiring"));
        wait(SHORT).until(x -> x.getCurrentUrl().contains("expiring=30"));
        wait(SHORT).until(x -> "false".equals(attr(By.id("cert-results"), "aria-busy")) && !x.findElements(By.cssSelector("#cert-table")).isEmpty());
        assertThat(d.findElements(By.cssSelector("#cert-table tbody tr"))).extracting(r -> r.getDomAttribute("data-id")).containsExactly(soonId);
        browser.screenshot("11-certificates-expiring");

        // domain search: any part of a name, case-insensitive; the link opens the order with its facts
        click(By.id("filter-expiring"));
        wait(SHORT).until(x -> !x.getCurrentUrl().contains("expiring"));
        type(By.id("filter-domain"), "DASH-DV.EXAMPLE");
        click(By.id("cert-filter-apply"));
        wait(SHORT).until(x -> x.getCurrentUrl().contains("domain=DASH-DV.EXAMPLE"));
        wait(SHORT).until(x -> "false".equals(attr(By.id("cert-results"), "aria-busy")) && !x.findElements(By.cssSelector("#cert-table")).isEmpty());
        assertThat(d.findElements(By.cssSelector("#cert-table tbody tr a.cert-order-link"))).extracting(WebElement::getText)
            .containsExactly("dash-dv.example.com");
        // Export CSV: the filtered list, fetched with the key header and saved as certificates.csv
        click(By.id("cert-export"));
        waitText(By.id("cert-message"), "Exported as certificates.csv");
        String csv = (String) browser.jsAsync("const done = arguments[arguments.length - 1];"
            + "fetch(document.getElementById('cert-export-link').href).then(r => r.text()).then(done, e => done('ERROR ' + e));");
        String api = hub.call("GET", "/api/v1/certificates?domain=DASH-DV.EXAMPLE", "demo-key", null, "Accept", "text/csv").body();
        // (WebDriver hands the script's string back with its CRLFs as LFs; the saved file keeps the bytes)
        assertThat(csv).startsWith("id,orderId,clientReference,domain,serialNumber,").contains("DASH-DV-1", "dash-dv.example.com www.dash-dv.example.com")
            .isEqualToNormalizingNewlines(api);
        assertThat(api.split("\r\n")).hasSize(2);
        Path savedCsv = browser.downloads().resolve("certificates.csv");
        wait(SHORT).until(x -> Files.exists(savedCsv) && savedCsv.toFile().length() == api.getBytes(StandardCharsets.UTF_8).length);
        assertThat(Files.readString(savedCsv)).isEqualTo(api);

        type(By.id("filter-domain"), "no-such-name");
        click(By.id("cert-filter-apply"));
        waitText(By.id("cert-empty"), "No certificates match");

        // another account sees none of them
        signIn("other-key");
        open("#/certificates");
        wait(SHORT).until(x -> "false".equals(attr(By.id("cert-results"), "aria-busy")));
        assertThat(d.findElement(By.id("main")).getText()).doesNotContain("dash-dv.example.com", soonDomain);
        assertThat(d.findElements(By.cssSelector("#cert-table tr[data-id='" + soonId + "']"))).isEmpty();
        signIn("demo-key");
    }

    @Test
    @Order(9)
    void aCompletedOrderIsRenewedFromItsPageWithItsOwnHoldAndBothAreLinked() {
        signIn("demo-key");
        var list = OrderJson.parse(hub.get("/api/v1/orders?clientReference=DASH-DV-1", "demo-key").body());
        assertThat(list.get("items")).hasSize(1);
        String id = list.get("items").get(0).get("id").asText();
        open("#/account");
        long before = cents(waitNonEmpty(By.id("account-available")));

        open("#/orders/" + id);
        waitText(By.id("order-state-text"), "COMPLETED");
        assertThat(d.findElements(By.id("order-renewals"))).isEmpty();
        click(By.id("action-renew"));
        wait(SHORT).until(x -> (Boolean) browser.js("return document.getElementById('confirm').open"));
        assertThat(text(By.id("confirm-text"))).contains("Renew order DASH-DV-1 for dash-dv.example.com", "49.00 USD will be held");
        assertThat(text(By.id("confirm-yes"))).isEqualTo("Renew and hold 49.00 USD");
        browser.screenshot("12-renew-confirmation");
        click(By.id("confirm-yes"));

        // the renewal's own page: submitted, its own hold, linked to the renewed order
        waitText(By.id("order-ref"), "renew-" + id);
        waitText(By.id("action-message"), "Renewal of DASH-DV-1 placed");
        assertThat(text(By.id("order-state-text"))).isEqualTo("IN_PROGRESS");
        assertThat(text(By.id("order-hold"))).isEqualTo("49.00 USD · HELD");
        assertThat(text(By.id("order-renewal-of"))).isEqualTo(id);
        String renewalId = text(By.id("order-id"));
        var renewal = OrderJson.parse(hub.get("/api/v1/orders/" + renewalId, "demo-key").body());
        assertThat(renewal.get("renewalOf").asText()).isEqualTo(id);
        assertThat(renewal.get("domain").asText()).isEqualTo("dash-dv.example.com");
        browser.screenshot("13-renewal");

        // back on the renewed order: the renewal is listed; renewing again finds the same renewal, no second hold
        click(By.cssSelector("#order-renewal-of a"));
        waitText(By.id("order-renewals"), renewalId);
        click(By.id("action-renew"));
        wait(SHORT).until(x -> (Boolean) browser.js("return document.getElementById('confirm').open"));
        click(By.id("confirm-yes"));
        waitText(By.id("action-message"), "Renewal of DASH-DV-1 already placed");
        assertThat(text(By.id("order-id"))).isEqualTo(renewalId);
        var renewals = OrderJson.parse(hub.get("/api/v1/orders/" + id, "demo-key").body()).get("renewals");
        assertThat(renewals).hasSize(1);
        assertThat(renewals.get(0).asText()).isEqualTo(renewalId);
        open("#/account");
        assertThat(cents(waitNonEmpty(By.id("account-available")))).isEqualTo(before - 4900);
    }

    @Test
    @Order(10)
    void aCertificateIsReissuedForANewKeyAndThenRevokedFromTheOrderPage() {
        signIn("demo-key");
        String id = OrderJson.parse(hub.get("/api/v1/orders?clientReference=DASH-DV-1", "demo-key").body()).get("items").get(0).get("id").asText();
        String domain = "dash-dv.example.com";
        long journal = hub.count("select count(*) from journal where order_id = ?", id);
        open("#/orders/" + id);
        waitText(By.id("order-state-text"), "COMPLETED");
        waitText(By.id("cert-key"), "EC 256 bit");
        String firstSerial = text(By.id("cert-serial"));
        int issued = Integer.parseInt(text(By.id("term-certificates-issued")));

        // reissue for a new (RSA) key: free, the vendor emails the new certificate, the page shows it
        click(By.id("action-reissue"));
        wait(SHORT).until(x -> (Boolean) browser.js("return document.getElementById('confirm').open"));
        assertThat(text(By.id("confirm-text"))).contains("Free within the paid term");
        type(By.id("reissue-csr"), TestCsrs.rsa(domain, "www." + domain));
        type(By.id("reissue-reason"), "key rotation");
        browser.screenshot("14-reissue-dialog");
        click(By.id("confirm-yes"));
        waitText(By.id("action-message"), "Reissue requested");
        waitText(By.id("reissue-state"), "key rotation");
        wait(COMPLETION).ignoring(StaleElementReferenceException.class)
            .until(x -> String.valueOf(issued + 1).equals(x.findElement(By.id("term-certificates-issued")).getText().trim()));
        waitText(By.id("reissue-state"), "COMPLETED");
        waitText(By.id("cert-key"), "RSA 2048 bit");
        assertThat(text(By.id("cert-serial"))).isNotEqualTo(firstSerial);
        assertThat(text(By.id("cert-state"))).isEqualTo("ACTIVE");
        assertThat(hub.count("select count(*) from journal where order_id = ?", id)).as("a reissue is free").isEqualTo(journal);
        browser.screenshot("15-reissued");

        // revoke it: the reason chosen in the dialog, the facts show REVOKED, the button is gone
        String certId = OrderJson.parse(hub.get("/api/v1/certificates?orderId=" + id + "&size=1", "demo-key").body())
            .get("items").get(0).get("id").asText();
        click(By.id("action-revoke"));
        wait(SHORT).until(x -> (Boolean) browser.js("return document.getElementById('confirm').open"));
        assertThat(text(By.id("confirm-text"))).contains("cannot be undone", domain);
        new Select(d.findElement(By.id("revoke-reason"))).selectByValue("keyCompromise");
        click(By.id("confirm-yes"));
        waitText(By.id("action-message"), "Certificate revoked (keyCompromise)");
        waitText(By.id("cert-state"), "REVOKED");
        assertThat(text(By.id("cert-revoked"))).endsWith("keyCompromise");
        assertThat(d.findElements(By.id("action-revoke"))).isEmpty();
        var cert = OrderJson.parse(hub.get("/api/v1/certificates/" + certId, "demo-key").body());
        assertThat(cert.get("state").asText()).isEqualTo("REVOKED");
        assertThat(cert.get("revocationReason").asText()).isEqualTo("keyCompromise");
        browser.screenshot("16-revoked");
    }

    @Test
    @Order(10)
    void theAcmePageMakesAKeyShowsItsHmacKeyOnceAndRevokesIt() {
        signIn("demo-key");
        open("#/acme");
        waitText(By.tagName("h1"), "ACME");
        assertThat(text(By.id("acme-directory"))).isEqualTo(base + "acme/directory");

        // nothing filled in: the API's field error is shown, nothing is made
        long before = hub.count("select count(*) from acme_eab_key where account_id = 'demo'");
        click(By.id("eab-submit"));
        waitText(By.id("eab-errors"), "customer");
        assertThat(hub.count("select count(*) from acme_eab_key where account_id = 'demo'")).isEqualTo(before);

        type(By.id("eab-customer"), "Browser Shop");
        click(By.cssSelector("#eab-products input[data-product='quickssl_premium']"));
        type(By.id("eab-admin-firstName"), "Bea");
        type(By.id("eab-admin-lastName"), "Rowser");
        type(By.id("eab-admin-email"), "bea@browser.example");
        type(By.id("eab-admin-phone"), "+1.5555550100");
        click(By.id("eab-submit"));
        String kid = waitNonEmpty(By.id("eab-new-kid"));
        String hmac = text(By.id("eab-new-hmac"));
        assertThat(kid).matches("kid_[A-Za-z0-9_-]{22}");
        assertThat(hmac).matches("[A-Za-z0-9_-]{43}");
        assertThat(hub.jdbc().queryForObject("select hmac_key from acme_eab_key where kid = ? and account_id = 'demo' and customer = 'Browser Shop'"
            + " and products = 'quickssl_premium'", String.class, kid)).isEqualTo(hmac);
        assertThat(OrderJson.parse(hub.jdbc().queryForObject("select contacts from acme_eab_key where kid = ?", String.class, kid)).toString())
            .isEqualTo("{\"admin\":{\"firstName\":\"Bea\",\"lastName\":\"Rowser\",\"phone\":\"+1.5555550100\",\"email\":\"bea@browser.example\"}}");
        By row = By.cssSelector("#eab-table tr[data-kid='" + kid + "']");
        wait(SHORT).until(ExpectedConditions.attributeToBe(row, "data-state", "ACTIVE"));
        assertThat(d.findElement(row).getText()).contains("Browser Shop").contains(productName("quickssl_premium"));
        browser.screenshot("17-acme-key-made");

        // the HMAC key is shown once: not after the page is loaded again
        open("#/acme");
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(row));
        assertThat(d.findElements(By.id("eab-secret"))).isEmpty();
        assertThat(d.getPageSource()).doesNotContain(hmac);

        // the customer's ACME client binds an account and opens an order: both are listed, the order
        // not yet a Certhub order (nothing is held before finalize)
        String acmeAccount;
        String acmeOrder;
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            org.shredzone.acme4j.Account account = new org.shredzone.acme4j.AccountBuilder().agreeToTermsOfService()
                .withKeyIdentifier(kid, hmac).useKeyPair(g.generateKeyPair())
                .create(new org.shredzone.acme4j.Session(URI.create(base + "acme/directory")));
            acmeAccount = account.getLocation().toString().substring(account.getLocation().toString().lastIndexOf('/') + 1);
            String location = account.newOrder().domains("browser-acme.example.com").create().getLocation().toString();
            acmeOrder = location.substring(location.lastIndexOf('/') + 1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        open("#/acme");
        By accountRow = By.cssSelector("#acme-accounts tr[data-account='" + acmeAccount + "']");
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(accountRow));
        assertThat(d.findElement(accountRow).getText()).contains("Browser Shop").contains(kid);
        By orderRow = By.cssSelector("#acme-orders tr[data-acme-order='" + acmeOrder + "']");
        wait(SHORT).until(ExpectedConditions.attributeToBe(orderRow, "data-status", "pending"));
        assertThat(d.findElement(orderRow).getText()).contains("browser-acme.example.com").contains(productName("quickssl_premium"));
        browser.screenshot("17b-acme-account-and-order");

        click(By.cssSelector("button[data-revoke='" + kid + "']"));
        wait(SHORT).until(x -> (Boolean) browser.js("return document.getElementById('confirm').open"));
        assertThat(text(By.id("confirm-text"))).contains(kid, "Browser Shop");
        click(By.id("confirm-yes"));
        wait(SHORT).ignoring(StaleElementReferenceException.class).until(ExpectedConditions.attributeToBe(row, "data-state", "REVOKED"));
        assertThat(d.findElements(By.cssSelector("button[data-revoke='" + kid + "']"))).isEmpty();
        assertThat(OrderJson.parse(hub.get("/api/v1/acme/eab-keys/" + kid, "demo-key").body()).get("state").asText()).isEqualTo("REVOKED");
        browser.screenshot("18-acme-key-revoked");
    }

    @Test
    @Order(11)
    void theDashboardIsNativeEsModulesServedAsJavaScript() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script type=\"module\" src=\"js/main.js\"></script>").doesNotContain("app.js");
        // every module main.js imports, and theirs: served as JavaScript (a module served as text/plain is refused
        // by browsers, more so under X-Content-Type-Options: nosniff), with the dashboard's security headers
        Pattern imports = Pattern.compile("^import\\s*\\{[^}]*}\\s*from\\s*'([^']+)';", Pattern.MULTILINE);
        Set<URI> seen = new LinkedHashSet<>();
        Deque<URI> todo = new ArrayDeque<>(List.of(URI.create(base).resolve("js/main.js")));
        while (!todo.isEmpty()) {
            URI module = todo.pop();
            if (!seen.add(module)) {
                continue;
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(module).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(module.toString()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(module.toString()).matches("(text|application)/javascript(;.*)?");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(module.toString()).hasValue("nosniff");
            assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).as(module.toString()).contains("script-src 'self'");
            Matcher m = imports.matcher(r.body());
            while (m.find()) {
                assertThat(m.group(1)).as("relative import in " + module).startsWith(".");
                todo.add(module.resolve(m.group(1)));
            }
        }
        assertThat(seen).extracting(u -> u.getPath().substring(1)).contains("js/main.js", "js/api.js", "js/ui.js", "js/products.js",
            "js/pages/orders.js", "js/pages/order.js", "js/pages/new-order.js", "js/pages/certificates.js", "js/pages/account.js",
            "js/pages/signin.js");
        HttpResponse<String> css = http.send(HttpRequest.newBuilder(URI.create(base).resolve("app.css")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(css.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
        assertThat(css.body()).doesNotContain("break-all");
    }

    @Test
    @Order(12)
    void idsSerialsDomainsAndTimesInTablesNeverBreakMidWord() {
        signIn("demo-key");
        // the check finds a mid-word break where there is one (a narrow box with word-break: break-all)
        @SuppressWarnings("unchecked")
        Map<String, Object> probe = (Map<String, Object>) browser.js("const p = document.createElement('div');"
            + "p.className = 'break-probe'; p.style.width = '6em'; p.style.wordBreak = 'break-all';"
            + "p.textContent = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'; document.body.append(p);"
            + MID_WORD_BREAKS + "const found = midWordBreaks('.break-probe'); p.remove(); return found;");
        assertThat((List<?>) probe.get("bad")).isNotEmpty();

        // the orders (client references like renew-<id>, domains, times), the certificates (serials) and the ledger (order ids)
        for (String[] page : List.of(new String[] {"#/orders", "#orders-table"}, new String[] {"#/certificates", "#cert-table"},
            new String[] {"#/account", "#ledger-table"})) {
            open(page[0]);
            wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(page[1] + " tbody tr")));
            String tokens = page[1] + " .ident, " + page[1] + " .name, " + page[1] + " time";
            for (boolean phone : new boolean[] {false, true}) {
                @SuppressWarnings("unchecked")
                Map<String, Object> found = phone
                    ? browser.atViewport(Browser.PHONE, true, () -> (Map<String, Object>) browser.js(MID_WORD_BREAKS + "return midWordBreaks(arguments[0]);", tokens))
                    : (Map<String, Object>) browser.js(MID_WORD_BREAKS + "return midWordBreaks(arguments[0]);", tokens);
                assertThat((Long) found.get("checked")).as(page[0] + (phone ? " at phone width" : "")).isGreaterThanOrEqualTo(3);
                assertThat((List<?>) found.get("bad")).as(page[0] + (phone ? " at phone width" : "")).isEmpty();
            }
            assertThat(breakAllUsers()).as(page[0]).isEmpty();
        }
        // a cut id keeps its whole value in the title: the serial numbers of the certificates page
        open("#/certificates");
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#cert-table .serial")));
        var first = OrderJson.parse(hub.get("/api/v1/certificates?size=1", "demo-key").body()).get("items").get(0);
        By serial = By.cssSelector("#cert-table tr[data-id='" + first.get("id").asText() + "'] .serial");
        assertThat(attr(serial, "title")).isEqualTo(first.get("serialNumber").asText());
        assertThat(browser.js("return getComputedStyle(arguments[0]).whiteSpace", d.findElement(serial))).isEqualTo("nowrap");

        // the order page's long tokens (SHA-256, DNS value) wrap only where they must, never by break-all
        String dv = OrderJson.parse(hub.get("/api/v1/orders?clientReference=DASH-DV-1", "demo-key").body()).get("items").get(0).get("id").asText();
        open("#/orders/" + dv);
        waitNonEmpty(By.id("cert-sha256"));
        assertThat(browser.js("return getComputedStyle(arguments[0]).overflowWrap", d.findElement(By.cssSelector("#cert-sha256 code"))))
            .isEqualTo("anywhere");
        assertThat(breakAllUsers()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /**
     * midWordBreaks(selector): lays out each matching element's text character by character and
     * returns {checked: elements, bad: [where a line ends inside a word]}; a line may end only after
     * a space, a dot or an @ (where a domain or email wraps).
     */
    private static final String MID_WORD_BREAKS = "function midWordBreaks(selector) {"
        + "  const bad = []; const r = document.createRange(); let checked = 0;"
        + "  for (const el of document.querySelectorAll(selector)) {"
        + "    if (!el.getClientRects().length) continue;"
        + "    checked++; let top = null; let prev = '';"
        + "    const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);"
        + "    for (let n = w.nextNode(); n; n = w.nextNode()) {"
        + "      for (let i = 0; i < n.length; i++) {"
        + "        r.setStart(n, i); r.setEnd(n, i + 1);"
        + "        const b = r.getBoundingClientRect();"
        + "        if (!b.width && !b.height) continue;"
        + "        if (top !== null && b.top >= top + b.height / 2 && !/[\\s.@]/.test(prev) && !/\\s/.test(n.data[i])) {"
        + "          bad.push(el.textContent + ': a line ends after \"' + prev + '\"');"
        + "        }"
        + "        top = b.top; prev = n.data[i];"
        + "      }"
        + "    }"
        + "  }"
        + "  return {checked: checked, bad: bad};"
        + "}";

    /** The elements whose computed word-break is break-all, and the style rules that say break-all. */
    @SuppressWarnings("unchecked")
    private List<String> breakAllUsers() {
        return (List<String>) browser.js("const found = [];"
            + "for (const el of document.querySelectorAll('*')) if (getComputedStyle(el).wordBreak === 'break-all')"
            + "  found.push(el.tagName + '#' + el.id + '.' + el.className);"
            + "for (const sheet of document.styleSheets) for (const rule of sheet.cssRules)"
            + "  if (rule.cssText.includes('break-all')) found.push(rule.cssText);"
            + "return found;");
    }

    /** Every time on the page reads as its instant (the datetime attribute, from the API) in UTC: "2026-12-07 15:40 UTC". */
    private void assertTimesShownInUtc() {
        @SuppressWarnings("unchecked")
        List<List<String>> times = (List<List<String>>) browser.js(
            "return Array.from(document.querySelectorAll('#main time')).map(t => [t.getAttribute('datetime'), t.textContent]);");
        assertThat(times).isNotEmpty().allSatisfy(t -> assertThat(t.get(1)).as(t.get(0)).isEqualTo(UTC_MINUTES.format(Instant.parse(t.get(0)))));
    }

    /** A product's name in the hub's catalog (GET /api/v1/products). */
    private static String productName(String productType) {
        for (var p : OrderJson.parse(hub.get("/api/v1/products", "demo-key").body())) {
            if (p.get("productType").asText().equals(productType)) {
                return p.get("name").asText();
            }
        }
        throw new AssertionError("no product " + productType);
    }


    /** Places a DV order through the API (submitted at once) and returns its id. */
    private static String placeDv(String ref, String domain, String dcvMethod) {
        var doc = OrderJson.order(ref, "rapidssl", "process", domain, TestCsrs.ec(domain));
        doc.put("dcvMethod", dcvMethod);
        doc.remove("approverEmail");
        var r = hub.post("/api/v1/orders", "demo-key", doc.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return OrderJson.parse(r.body()).get("id").asText();
    }

    /** Signs out if needed and signs in with the key; waits for the orders page. */
    private void signIn(String key) {
        d.get(base + "#/signin");
        browser.js("sessionStorage.clear()");
        d.navigate().refresh();
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(By.id("apikey")));
        type(By.id("apikey"), key);
        click(By.id("signin-button"));
        waitText(By.tagName("h1"), "Orders");
        wait(SHORT).until(x -> "false".equals(attr(By.id("orders-results"), "aria-busy")));
    }

    /** Loads the dashboard afresh at a hash route (the key stays in the tab) and waits for its heading. */
    private void open(String hash) {
        d.get(base + hash);
        d.navigate().refresh();
        wait(SHORT).until(x -> !x.findElements(By.tagName("h1")).isEmpty());
    }

    private List<String> allListedRefs() {
        List<String> refs = new ArrayList<>();
        while (true) {
            wait(SHORT).until(x -> !x.findElements(By.cssSelector("#orders-table caption, #orders-empty")).isEmpty());
            d.findElements(By.cssSelector("#orders-table tbody tr")).forEach(r -> refs.add(r.getDomAttribute("data-ref")));
            List<WebElement> next = d.findElements(By.cssSelector("#page-next:not([disabled])"));
            if (next.isEmpty()) {
                return refs;
            }
            String caption = text(By.cssSelector("#orders-table caption"));
            next.get(0).click();
            wait(SHORT).until(x -> !caption.equals(text(By.cssSelector("#orders-table caption"))));
        }
    }

    private void chooseApprover(String email) {
        By option = By.cssSelector("#f-approverEmail option[value='" + email + "']");
        wait(SHORT).until(ExpectedConditions.presenceOfElementLocated(option));
        new Select(d.findElement(By.id("f-approverEmail"))).selectByValue(email);
        waitText(By.id("approver-note"), "BR 3.2.2.4.4");
    }

    private void fillAdmin() {
        type(By.id("f-contacts-admin-firstName"), "Alex");
        type(By.id("f-contacts-admin-lastName"), "Admin");
        type(By.id("f-contacts-admin-email"), "alex@example.com");
        type(By.id("f-contacts-admin-phone"), "+1.5555550100");
    }

    private org.openqa.selenium.support.ui.WebDriverWait wait(Duration timeout) {
        return browser.waitUpTo(timeout);
    }

    private void type(By by, String value) {
        WebElement e = wait(SHORT).until(ExpectedConditions.elementToBeClickable(by));
        e.clear();
        e.sendKeys(value);
    }

    /** Clicks, retrying when an auto-refresh replaced the element in between. */
    private void click(By by) {
        wait(SHORT).ignoring(StaleElementReferenceException.class).until(x -> {
            WebElement e = x.findElement(by);
            if (!e.isDisplayed() || !e.isEnabled()) {
                return false;
            }
            e.click();
            return true;
        });
    }

    private String text(By by) {
        return wait(SHORT).ignoring(StaleElementReferenceException.class).until(x -> x.findElement(by).getText().trim());
    }

    private String attr(By by, String name) {
        return wait(SHORT).ignoring(StaleElementReferenceException.class).until(x -> String.valueOf(x.findElement(by).getDomAttribute(name)));
    }

    private void waitText(By by, String part) {
        wait(SHORT).ignoring(StaleElementReferenceException.class)
            .withMessage(() -> "waiting for \"" + part + "\" in " + by + "; page: " + d.findElement(By.tagName("body")).getText())
            .until(x -> x.findElements(by).stream().anyMatch(e -> e.getText().contains(part)));
    }

    private String waitNonEmpty(By by) {
        return wait(SHORT).ignoring(StaleElementReferenceException.class).until(x -> {
            List<WebElement> es = x.findElements(by);
            return es.isEmpty() || es.get(0).getText().isBlank() ? null : es.get(0).getText().trim();
        });
    }

    private static long cents(String money) {
        String amount = money.trim().split(" ")[0];
        return Math.round(Double.parseDouble(amount) * 100);
    }
}
