package io.certhub.dcv;

import java.util.List;

/**
 * The vendor's own approver list for a domain, merged by {@link ApproverDiscovery} after the
 * constructed addresses and the owner contacts (e.g. OpenSRS {@code query_approver_list}).
 *
 * <p>Optional: declare one Spring bean implementing it (or call
 * {@link ApproverDiscovery#setVendorSource(java.util.function.BiFunction)}). An implementation
 * may call the vendor over the network; it should cache what it needs to, and may throw: a
 * failure is logged and the vendor's list is left out, it never fails discovery.
 */
@FunctionalInterface
public interface VendorApproverSource {

    /**
     * The vendor's candidates for one domain.
     *
     * @param domain      the domain as ordered, normalised (lower-case ACE, {@code *.} kept for a
     *                    wildcard)
     * @param productType the vendor product type of the order (e.g. {@code quickssl_premium}),
     *                    {@code null} when not known
     * @return the candidates; {@code type} is normally {@value ApproverCandidate#VENDOR} and
     *         {@code usable} is whether the vendor accepts the address; never {@code null}
     */
    List<ApproverCandidate> approvers(String domain, String productType);
}
