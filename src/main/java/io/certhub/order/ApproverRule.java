package io.certhub.order;

import io.certhub.dcv.ApproverCandidate;
import io.certhub.dcv.ApproverDiscovery;
import io.certhub.dcv.ConstructedApprovers;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The order-time approver rule (DCV issue; shared/reference/dcv-rules.md): an email-DCV order's
 * approver must be a usable candidate for every domain it covers. A constructed address
 * (BR 3.2.2.4.4, usable until the 2028-03-15 sunset) is checked without any lookup; anything
 * else goes through full discovery ({@link ApproverDiscovery}: WHOIS/RDAP owners are never
 * usable unless the vendor's own list accepts them).
 */
@Component
public class ApproverRule {

    private final ConstructedApprovers constructed;
    private final ApproverDiscovery discovery;

    /**
     * @param constructed constructed addresses
     * @param discovery   full discovery (owner contacts, vendor list)
     */
    public ApproverRule(ConstructedApprovers constructed, ApproverDiscovery discovery) {
        this.constructed = constructed;
        this.discovery = discovery;
    }

    /**
     * @param email       candidate approver (lower case)
     * @param domains     every ordered name, normalised
     * @param productType product code
     * @return whether {@code email} may approve all of them
     */
    public boolean allowed(String email, List<String> domains, String productType) {
        boolean constructedForAll = domains.stream().allMatch(d -> constructed.forDomain(d).stream()
            .anyMatch(c -> c.usable() && c.email().equals(email)));
        return constructedForAll || discovery.isUsableApprover(email, domains, productType);
    }

    /**
     * @param domains     every ordered name
     * @param productType product code
     * @return the addresses allowed for all of them
     */
    public List<String> allowedList(List<String> domains, String productType) {
        return discovery.allowedApprovers(domains, productType);
    }

    /**
     * @param domain      a domain
     * @param productType product code
     * @return every candidate for the domain (constructed, owner contacts, vendor)
     */
    public List<ApproverCandidate> candidates(String domain, String productType) {
        return discovery.discover(domain, productType);
    }
}
