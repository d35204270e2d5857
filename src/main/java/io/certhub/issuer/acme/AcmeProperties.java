package io.certhub.issuer.acme;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code hub.vendor.acme.*}: the ACME CA the {@code acme} vendor adapter orders from (issue 15 §1;
 * RFC 8555). A product is sold through it with {@code hub.catalog.products.<code>.issuer: acme}.
 */
@Validated
@ConfigurationProperties("hub.vendor.acme")
public class AcmeProperties {

    /** The CA's directory URL (RFC 8555 §7.1.1), e.g. {@code https://acme.example-ca.com/directory}; empty: not configured. */
    private String directoryUrl = "";
    /** External Account Binding key id the CA gave the reseller (RFC 8555 §7.3.4); empty when the CA needs none. */
    private String eabKid = "";
    /** The EAB HMAC key, base64url as the CA gives it. */
    private String eabHmacKey = "";
    /** Contact address of the hub's account at the CA (optional). */
    private String contactEmail = "";
    /** PEM roots (paths, comma-separated) the CA's HTTPS certificate must chain to; empty: the JVM's trust store. */
    private String trustedRoots = "";
    /**
     * DNS server ({@code host:port}) the hub asks for a customer's {@code _acme-challenge} TXT record
     * before it tells the CA to validate (a validation tried too early fails the whole ACME order);
     * empty: the system's resolver.
     */
    private String dnsResolver = "";
    /**
     * Port of the http-01 check: 80, the only port a CA validates on (RFC 8555 §8.3); another only
     * for a test CA validating elsewhere (pebble's {@code httpPort}).
     */
    @jakarta.validation.constraints.Min(1)
    @jakarta.validation.constraints.Max(65535)
    private int httpPort = 80;
    /**
     * Whether the http-01 check may connect to addresses that are not public (loopback, RFC 1918,
     * link-local, unique local, …): off, so a customer's name cannot point the hub into its own
     * network; on only for a test CA and web server on loopback.
     */
    private boolean httpCheckPrivateAddresses;
    /**
     * Per reseller account (key: the account id): its own External Account Binding at the CA, and
     * contact address; an account not named here uses {@code eab-kid}/{@code eab-hmac-key} and
     * {@code contact-email}. Each reseller account gets its own ACME account either way.
     */
    @jakarta.validation.Valid
    private java.util.Map<String, Account> accounts = new java.util.LinkedHashMap<>();
    /** Quartz cron of the route {@code acme-renewal-info} (RFC 9773 renewal information of ACME certificates). */
    @jakarta.validation.constraints.NotBlank
    private String renewalInfoCron = "0 0/10 * * * ?";
    /** Least time between two reads of one certificate's renewal information, whatever the CA's Retry-After; default 1 h. */
    @NotNull
    private Duration renewalInfoMinInterval = Duration.ofHours(1);
    /** Most time between two reads (RFC 9773 §4.3: at least daily); default 24 h. */
    @NotNull
    private Duration renewalInfoMaxInterval = Duration.ofHours(24);
    /** Timeout of each call to the CA; default 30 s. */
    @NotNull
    private Duration timeout = Duration.ofSeconds(30);

    /** @return {@code hub.vendor.acme.directory-url} */
    public String getDirectoryUrl() { return directoryUrl; }
    /** @param directoryUrl {@code hub.vendor.acme.directory-url} */
    public void setDirectoryUrl(String directoryUrl) { this.directoryUrl = directoryUrl; }
    /** @return {@code hub.vendor.acme.eab-kid} */
    public String getEabKid() { return eabKid; }
    /** @param eabKid {@code hub.vendor.acme.eab-kid} */
    public void setEabKid(String eabKid) { this.eabKid = eabKid; }
    /** @return {@code hub.vendor.acme.eab-hmac-key} */
    public String getEabHmacKey() { return eabHmacKey; }
    /** @param eabHmacKey {@code hub.vendor.acme.eab-hmac-key} */
    public void setEabHmacKey(String eabHmacKey) { this.eabHmacKey = eabHmacKey; }
    /** @return {@code hub.vendor.acme.contact-email} */
    public String getContactEmail() { return contactEmail; }
    /** @param contactEmail {@code hub.vendor.acme.contact-email} */
    public void setContactEmail(String contactEmail) { this.contactEmail = contactEmail; }
    /** @return {@code hub.vendor.acme.trusted-roots} */
    public String getTrustedRoots() { return trustedRoots; }
    /** @param trustedRoots {@code hub.vendor.acme.trusted-roots} */
    public void setTrustedRoots(String trustedRoots) { this.trustedRoots = trustedRoots; }
    /** @return {@code hub.vendor.acme.dns-resolver} */
    public String getDnsResolver() { return dnsResolver; }
    /** @param dnsResolver {@code hub.vendor.acme.dns-resolver} */
    public void setDnsResolver(String dnsResolver) { this.dnsResolver = dnsResolver; }
    /** @return {@code hub.vendor.acme.http-port} */
    public int getHttpPort() { return httpPort; }
    /** @param httpPort {@code hub.vendor.acme.http-port} */
    public void setHttpPort(int httpPort) { this.httpPort = httpPort; }
    /** @return {@code hub.vendor.acme.http-check-private-addresses} */
    public boolean isHttpCheckPrivateAddresses() { return httpCheckPrivateAddresses; }
    /** @param allowed {@code hub.vendor.acme.http-check-private-addresses} */
    public void setHttpCheckPrivateAddresses(boolean allowed) { this.httpCheckPrivateAddresses = allowed; }
    /** @return {@code hub.vendor.acme.accounts}: reseller account id → its EAB and contact */
    public java.util.Map<String, Account> getAccounts() { return accounts; }
    /** @param accounts {@code hub.vendor.acme.accounts} */
    public void setAccounts(java.util.Map<String, Account> accounts) { this.accounts = accounts; }

    /**
     * @param accountId a reseller account id
     * @return the EAB key id to register that account's ACME account with ({@code accounts.<id>.eab-kid},
     *         else {@code eab-kid}); empty: none
     */
    public String eabKidFor(String accountId) {
        Account a = accounts.get(accountId);
        return a != null && !a.getEabKid().isBlank() ? a.getEabKid() : eabKid;
    }

    /** @param accountId a reseller account id @return the HMAC key that goes with {@link #eabKidFor} */
    public String eabHmacKeyFor(String accountId) {
        Account a = accounts.get(accountId);
        return a != null && !a.getEabKid().isBlank() ? a.getEabHmacKey() : eabHmacKey;
    }

    /** @param accountId a reseller account id @return its ACME contact address ({@code accounts.<id>.contact-email}, else {@code contact-email}) */
    public String contactEmailFor(String accountId) {
        Account a = accounts.get(accountId);
        return a != null && !a.getContactEmail().isBlank() ? a.getContactEmail() : contactEmail;
    }

    /** {@code hub.vendor.acme.accounts.<account>.*}: one reseller account's binding at the CA. */
    public static class Account {
        /** EAB key id the CA gave this reseller account. */
        private String eabKid = "";
        /** Its HMAC key, base64url. */
        private String eabHmacKey = "";
        /** Contact address of its ACME account (optional). */
        private String contactEmail = "";

        /** @return {@code eab-kid} */
        public String getEabKid() { return eabKid; }
        /** @param eabKid {@code eab-kid} */
        public void setEabKid(String eabKid) { this.eabKid = eabKid; }
        /** @return {@code eab-hmac-key} */
        public String getEabHmacKey() { return eabHmacKey; }
        /** @param eabHmacKey {@code eab-hmac-key} */
        public void setEabHmacKey(String eabHmacKey) { this.eabHmacKey = eabHmacKey; }
        /** @return {@code contact-email} */
        public String getContactEmail() { return contactEmail; }
        /** @param contactEmail {@code contact-email} */
        public void setContactEmail(String contactEmail) { this.contactEmail = contactEmail; }
    }

    /** @return {@code hub.vendor.acme.renewal-info-cron} */
    public String getRenewalInfoCron() { return renewalInfoCron; }
    /** @param cron {@code hub.vendor.acme.renewal-info-cron} */
    public void setRenewalInfoCron(String cron) { this.renewalInfoCron = cron; }
    /** @return {@code hub.vendor.acme.renewal-info-min-interval} */
    public Duration getRenewalInfoMinInterval() { return renewalInfoMinInterval; }
    /** @param interval {@code hub.vendor.acme.renewal-info-min-interval} */
    public void setRenewalInfoMinInterval(Duration interval) { this.renewalInfoMinInterval = interval; }
    /** @return {@code hub.vendor.acme.renewal-info-max-interval} */
    public Duration getRenewalInfoMaxInterval() { return renewalInfoMaxInterval; }
    /** @param interval {@code hub.vendor.acme.renewal-info-max-interval} */
    public void setRenewalInfoMaxInterval(Duration interval) { this.renewalInfoMaxInterval = interval; }

    /** @return {@code hub.vendor.acme.timeout} */
    public Duration getTimeout() { return timeout; }
    /** @param timeout {@code hub.vendor.acme.timeout} */
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
}
