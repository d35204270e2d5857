package io.certhub.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code hub.*} configuration (names and defaults: shared/CONTRACT.md, "Properties";
 * defaults live in {@code config/application.yml}).
 */
@ConfigurationProperties("hub")
public class HubProperties {

    /** Root of the hub's files: H2 database, inbox, sandbox CA. Default {@code ./data}. */
    private Path dataDir = Path.of("./data");
    private final Intake intake = new Intake();
    private final Sandbox sandbox = new Sandbox();
    private final Catalog catalog = new Catalog();
    /** Operator API key (deposits, operator endpoints); stored hashed at start-up. */
    private String operatorKey;

    public Path getDataDir() { return dataDir; }
    public void setDataDir(Path dataDir) { this.dataDir = dataDir; }
    public Intake getIntake() { return intake; }
    public Sandbox getSandbox() { return sandbox; }
    public Catalog getCatalog() { return catalog; }
    public String getOperatorKey() { return operatorKey; }
    public void setOperatorKey(String operatorKey) { this.operatorKey = operatorKey; }

    /** The inbox root, {@code <data-dir>/inbox}; each account drops files into {@code inbox/<accountId>/}. */
    public Path inboxDir() { return dataDir.resolve("inbox"); }

    /** {@code hub.intake.*}: the file-drop inbox. */
    public static class Intake {
        /** Largest order file accepted; larger → FILE_TOO_LARGE. */
        private DataSize maxFileSize = DataSize.ofMegabytes(32);
        /** A file is read only after its size and modification time stayed unchanged this long. */
        private Duration quietPeriod = Duration.ofSeconds(2);

        /** Tries of one file (content) before it goes to failed/ with FILE_PROCESSING_FAILED (issue 16, item 4). */
        private int maxAttempts = 3;
        /** Largest single order of a file (a CSV record or JSON order object), in characters; larger → FILE_ORDER_TOO_LARGE. */
        private DataSize maxOrderSize = DataSize.ofMegabytes(1);

        public DataSize getMaxFileSize() { return maxFileSize; }
        public void setMaxFileSize(DataSize maxFileSize) { this.maxFileSize = maxFileSize; }
        public int getMaxAttempts() { return maxAttempts; }
        public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
        public DataSize getMaxOrderSize() { return maxOrderSize; }
        public void setMaxOrderSize(DataSize maxOrderSize) { this.maxOrderSize = maxOrderSize; }
        /** Orders of one file committed at once (each on its own transaction). */
        private int orderThreads = 8;
        /** Files processed at once. */
        private int fileThreads = 4;

        public int getOrderThreads() { return orderThreads; }
        public void setOrderThreads(int orderThreads) { this.orderThreads = orderThreads; }
        public int getFileThreads() { return fileThreads; }
        public void setFileThreads(int fileThreads) { this.fileThreads = fileThreads; }
        public Duration getQuietPeriod() { return quietPeriod; }
        public void setQuietPeriod(Duration quietPeriod) { this.quietPeriod = quietPeriod; }
    }

    /** {@code hub.sandbox.*}: the embedded default's accounts and services. */
    public static class Sandbox {
        private boolean enabled = true;
        /** Base of the links the sandbox vendor puts in its emails (approval links), e.g. {@code http://localhost:8080}. */
        private String publicUrl;
        private List<SandboxAccount> accounts = new ArrayList<>();
        /** Host the sandbox vendor sends its emails to (the embedded GreenMail SMTP). */
        private String smtpHost = "127.0.0.1";
        /** Port of the embedded GreenMail SMTP server (bound to 127.0.0.1). */
        private int smtpPort = 3025;
        /** Port of the embedded GreenMail IMAP server (bound to 127.0.0.1). */
        private int imapPort = 3143;
        /** Whether the embedded GreenMail server runs (false: the sandbox uses a mail server of its own, see SandboxMailServer). */
        private boolean mailServer = true;
        /** Whether the sandbox vendor approves (DCV) awaiting DV orders by itself after {@link #approvalDelay}. */
        private boolean autoApprove = true;
        /** How long after submission the sandbox vendor approves a DV order by itself. */
        private Duration approvalDelay = Duration.ofSeconds(2);
        /** How long the sandbox vendor's organization vetting of an OV/EV order takes. */
        private Duration vettingDelay = Duration.ofSeconds(5);
        /** Added to every reply of the sandbox vendor's protocol endpoint. */
        private Duration vendorLatency = Duration.ZERO;
        /** How the issued-certificate email carries the certificate: {@code zip} or {@code pem}. */
        private String deliveryFormat = "zip";
        /** The {@code X-Username} the sandbox vendor accepts. */
        private String vendorUsername = "sandbox";
        /** The private key the sandbox vendor checks {@code X-Signature} with. */
        private String vendorApiKey = "sandbox-key";
        /** How long a reply is held back under the {@code timeout} fault (the caller should time out first). */
        private Duration faultTimeoutDelay = Duration.ofSeconds(2);

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getPublicUrl() { return publicUrl; }
        public void setPublicUrl(String publicUrl) { this.publicUrl = publicUrl; }
        public List<SandboxAccount> getAccounts() { return accounts; }
        public void setAccounts(List<SandboxAccount> accounts) { this.accounts = accounts; }
        public String getSmtpHost() { return smtpHost; }
        public void setSmtpHost(String smtpHost) { this.smtpHost = smtpHost; }
        public int getSmtpPort() { return smtpPort; }
        public void setSmtpPort(int smtpPort) { this.smtpPort = smtpPort; }
        public boolean isMailServer() { return mailServer; }
        public void setMailServer(boolean mailServer) { this.mailServer = mailServer; }
        public int getImapPort() { return imapPort; }
        public void setImapPort(int imapPort) { this.imapPort = imapPort; }
        public boolean isAutoApprove() { return autoApprove; }
        public void setAutoApprove(boolean autoApprove) { this.autoApprove = autoApprove; }
        public Duration getApprovalDelay() { return approvalDelay; }
        public void setApprovalDelay(Duration approvalDelay) { this.approvalDelay = approvalDelay; }
        public Duration getVettingDelay() { return vettingDelay; }
        public void setVettingDelay(Duration vettingDelay) { this.vettingDelay = vettingDelay; }
        public Duration getVendorLatency() { return vendorLatency; }
        public void setVendorLatency(Duration vendorLatency) { this.vendorLatency = vendorLatency; }
        public String getDeliveryFormat() { return deliveryFormat; }
        public void setDeliveryFormat(String deliveryFormat) { this.deliveryFormat = deliveryFormat; }
        public String getVendorUsername() { return vendorUsername; }
        public void setVendorUsername(String vendorUsername) { this.vendorUsername = vendorUsername; }
        public String getVendorApiKey() { return vendorApiKey; }
        public void setVendorApiKey(String vendorApiKey) { this.vendorApiKey = vendorApiKey; }
        public Duration getFaultTimeoutDelay() { return faultTimeoutDelay; }
        public void setFaultTimeoutDelay(Duration faultTimeoutDelay) { this.faultTimeoutDelay = faultTimeoutDelay; }
    }

    /** A sandbox account created at start-up when absent. */
    public static class SandboxAccount {
        private String id;
        private String apiKey;
        private String currency = "USD";
        /** Decimal string in the account currency, e.g. {@code "1000.00"}. */
        private String openingBalance = "0.00";

        public String getId() { return id; }
        public void setId(String id) { this.id = id; }
        public String getApiKey() { return apiKey; }
        public void setApiKey(String apiKey) { this.apiKey = apiKey; }
        public String getCurrency() { return currency; }
        public void setCurrency(String currency) { this.currency = currency; }
        public String getOpeningBalance() { return openingBalance; }
        public void setOpeningBalance(String openingBalance) { this.openingBalance = openingBalance; }
    }

    /** {@code hub.catalog.*}: products keyed by OpenSRS {@code product_type}. */
    public static class Catalog {
        /** ISO 4217 currency of every catalog price. */
        private String currency = "USD";
        private Map<String, ProductProperties> products = new LinkedHashMap<>();

        public String getCurrency() { return currency; }
        public void setCurrency(String currency) { this.currency = currency; }
        public Map<String, ProductProperties> getProducts() { return products; }
        public void setProducts(Map<String, ProductProperties> products) { this.products = products; }
    }

    /** One catalog entry. */
    public static class ProductProperties {
        private String name;
        /** DV, OV or EV. */
        private String validation = "DV";
        private boolean wildcard;
        /** Issued at once by the vendor (SSL Lite). */
        private boolean instant;
        /** Most names on one certificate, the main domain included. */
        private int maxDomains = 1;
        /** Allowed subscription periods in years. */
        private List<Integer> periods = List.of(1);
        /** Decimal string in the catalog currency, e.g. {@code "49.00"}. */
        private String pricePerYear;
        /** The vendor adapter that serves the product ({@code opensrs}, {@code acme}); empty: {@code hub.vendor.name}. */
        private String issuer;
        /** The DCV methods its vendor takes; default email, dns, http. */
        private List<String> dcvMethods = List.of("email", "dns", "http");
        /** The ACME profile its certificates are ordered with (an {@code acme} issuer whose directory offers it); empty: the CA's default. */
        private String acmeProfile = "";

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getValidation() { return validation; }
        public void setValidation(String validation) { this.validation = validation; }
        public boolean isWildcard() { return wildcard; }
        public void setWildcard(boolean wildcard) { this.wildcard = wildcard; }
        public boolean isInstant() { return instant; }
        public void setInstant(boolean instant) { this.instant = instant; }
        public int getMaxDomains() { return maxDomains; }
        public void setMaxDomains(int maxDomains) { this.maxDomains = maxDomains; }
        public List<Integer> getPeriods() { return periods; }
        public void setPeriods(List<Integer> periods) { this.periods = periods; }
        public String getPricePerYear() { return pricePerYear; }
        public void setPricePerYear(String pricePerYear) { this.pricePerYear = pricePerYear; }
        /** @return the vendor adapter serving the product, or null for {@code hub.vendor.name} */
        public String getIssuer() { return issuer; }
        /** @param issuer the vendor adapter serving the product */
        public void setIssuer(String issuer) { this.issuer = issuer; }
        /** @return the DCV methods its vendor takes */
        public List<String> getDcvMethods() { return dcvMethods; }
        /** @param dcvMethods the DCV methods its vendor takes */
        public void setDcvMethods(List<String> dcvMethods) { this.dcvMethods = dcvMethods; }
        /** @return the ACME profile to order with, empty for the CA's default */
        public String getAcmeProfile() { return acmeProfile; }
        /** @param acmeProfile the ACME profile to order with */
        public void setAcmeProfile(String acmeProfile) { this.acmeProfile = acmeProfile; }
    }
}
