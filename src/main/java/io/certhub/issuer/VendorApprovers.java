package io.certhub.issuer;

import io.certhub.dcv.ApproverCandidate;
import io.certhub.dcv.VendorApproverSource;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * The vendor's own approver list ({@link VendorAdapter#approvers}, OpenSRS
 * {@code query_approver_list}) for approver discovery: every address the vendor lists is one it
 * accepts ({@code type: vendor}, usable). A wildcard is asked for without its {@code *.}.
 */
@Component
public class VendorApprovers implements VendorApproverSource {

    private final Vendors vendors;

    /** @param vendors the configured adapter */
    public VendorApprovers(Vendors vendors) {
        this.vendors = vendors;
    }

    @Override
    public List<ApproverCandidate> approvers(String domain, String productType) {
        String name = domain.startsWith("*.") ? domain.substring(2) : domain;
        return (productType == null ? vendors.active() : vendors.forProduct(productType)).approvers(name, productType == null ? "" : productType).stream()
            .map(a -> new ApproverCandidate(a.email().toLowerCase(Locale.ROOT), ApproverCandidate.VENDOR, true,
                "accepted by the vendor for " + a.domain() + " (" + a.type() + ")"))
            .toList();
    }
}
