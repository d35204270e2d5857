package io.certhub.dcv;

import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * The {@code hub.dcv.*} configuration: approver discovery (shared/CONTRACT.md, "Properties").
 *
 * <p>Every property has a default here, so the hub runs without any {@code hub.dcv} entry. In
 * production the values come from the environment by Spring's relaxed binding, e.g.
 * {@code HUB_DCV_LOOKUPS_ENABLED=true}, {@code HUB_DCV_RDAP_BOOTSTRAP=file:/etc/certhub/dns.json}.
 *
 * <p>Example ({@code application.yml}); a map key holding dots needs the bracket form in YAML:
 * <pre>
 * hub:
 *   dcv:
 *     lookups-enabled: false
 *     rdap-bootstrap: classpath:dcv/rdap-dns.json
 *     timeout: 5s
 *     cache-ttl: 1h
 *     sandbox-owners:
 *       "[example.com]": owner@example.com
 * </pre>
 */
@ConfigurationProperties("hub.dcv")
public class DcvProperties {

    /** The date from which constructed addresses (BR 3.2.2.4.4) MUST NOT be used (ballot SC-090). */
    public static final LocalDate CONSTRUCTED_SUNSET = LocalDate.of(2028, 3, 15);

    /**
     * Whether WHOIS/RDAP lookups go out to the internet. {@code false} in the sandbox (no
     * internet): the owner comes from {@link #getSandboxOwners()} instead.
     */
    private boolean lookupsEnabled = false;

    /**
     * The RDAP bootstrap file for DNS (RFC 9224, the format of
     * {@code https://data.iana.org/rdap/dns.json}). The default is the hand-written subset shipped
     * in {@code classpath:dcv/rdap-dns.json}; point this at a fresh copy of IANA's file
     * (e.g. {@code file:/var/lib/certhub/dns.json}) to cover every TLD.
     */
    private Resource rdapBootstrap = new ClassPathResource("dcv/rdap-dns.json");

    /** Where every WHOIS lookup starts (RFC 3912; BR 3.2.2.4.2: start at IANA, follow referrals). */
    private String whoisServer = "whois.iana.org";

    /** TCP port of the WHOIS servers (RFC 3912: 43). Used for the start server and every referral. */
    private int whoisPort = 43;

    /** How many WHOIS referrals (or RDAP "related" links) are followed after the first query. */
    private int maxReferrals = 3;

    /** Connect and read time-out of one WHOIS or RDAP exchange. */
    private Duration timeout = Duration.ofSeconds(5);

    /** How long a looked-up owner is remembered (temporary failures are never remembered). */
    private Duration cacheTtl = Duration.ofHours(1);

    /**
     * The first day on which constructed addresses are no longer usable (BR 3.2.2.4.4 "MUST NOT"
     * from 2028-03-15, ballot SC-090).
     */
    private LocalDate constructedSunset = CONSTRUCTED_SUNSET;

    /**
     * The domain owner's email per registered domain, answered instead of WHOIS/RDAP while
     * {@link #isLookupsEnabled() lookups are disabled} (the sandbox). A sub-domain uses the entry
     * of its nearest configured parent.
     */
    private Map<String, String> sandboxOwners = new LinkedHashMap<>();

    /** @return whether WHOIS/RDAP lookups are made (default {@code false}) */
    public boolean isLookupsEnabled() {
        return lookupsEnabled;
    }

    /** @param lookupsEnabled whether WHOIS/RDAP lookups are made */
    public void setLookupsEnabled(boolean lookupsEnabled) {
        this.lookupsEnabled = lookupsEnabled;
    }

    /** @return the RDAP bootstrap file (default {@code classpath:dcv/rdap-dns.json}) */
    public Resource getRdapBootstrap() {
        return rdapBootstrap;
    }

    /** @param rdapBootstrap the RDAP bootstrap file, in the RFC 9224 {@code dns.json} format */
    public void setRdapBootstrap(Resource rdapBootstrap) {
        this.rdapBootstrap = rdapBootstrap;
    }

    /** @return the first WHOIS server asked (default {@code whois.iana.org}) */
    public String getWhoisServer() {
        return whoisServer;
    }

    /** @param whoisServer the first WHOIS server asked, a host name or IP address */
    public void setWhoisServer(String whoisServer) {
        this.whoisServer = whoisServer;
    }

    /** @return the WHOIS TCP port (default 43) */
    public int getWhoisPort() {
        return whoisPort;
    }

    /** @param whoisPort the WHOIS TCP port */
    public void setWhoisPort(int whoisPort) {
        this.whoisPort = whoisPort;
    }

    /** @return the most referrals followed after the first query (default 3) */
    public int getMaxReferrals() {
        return maxReferrals;
    }

    /** @param maxReferrals the most referrals followed after the first query; 0 follows none */
    public void setMaxReferrals(int maxReferrals) {
        this.maxReferrals = maxReferrals;
    }

    /** @return the time-out of one WHOIS or RDAP exchange (default 5 s) */
    public Duration getTimeout() {
        return timeout;
    }

    /** @param timeout the time-out of one WHOIS or RDAP exchange */
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** @return how long looked-up owners are cached (default 1 h) */
    public Duration getCacheTtl() {
        return cacheTtl;
    }

    /** @param cacheTtl how long looked-up owners are cached; zero disables the cache */
    public void setCacheTtl(Duration cacheTtl) {
        this.cacheTtl = cacheTtl;
    }

    /** @return the first day constructed addresses are not usable (default 2028-03-15) */
    public LocalDate getConstructedSunset() {
        return constructedSunset;
    }

    /** @param constructedSunset the first day constructed addresses are not usable */
    public void setConstructedSunset(LocalDate constructedSunset) {
        this.constructedSunset = constructedSunset;
    }

    /** @return the sandbox's owner email per domain (used while lookups are disabled) */
    public Map<String, String> getSandboxOwners() {
        return sandboxOwners;
    }

    /** @param sandboxOwners the sandbox's owner email per domain */
    public void setSandboxOwners(Map<String, String> sandboxOwners) {
        this.sandboxOwners = sandboxOwners;
    }
}
