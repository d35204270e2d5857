package io.certhub.dcv;

import java.util.Objects;

/**
 * One address offered as a DCV approver: an element of the bare array answered by
 * {@code GET /api/v1/approvers?domain=&productType=} (shared/CONTRACT.md).
 *
 * <p>JSON shape: {@code {"email": "admin@example.com", "type": "constructed", "usable": true,
 * "note": "…"}}.
 *
 * @param email  the address, lower case, its domain part in ACE ({@code xn--}) form
 * @param type   where it comes from: {@value #CONSTRUCTED} (BR 3.2.2.4.4), {@value #WHOIS} or
 *               {@value #RDAP} (the domain owner's registration data, BR 3.2.2.4.2), or
 *               {@value #VENDOR} (the vendor's own list)
 * @param usable whether an email-DCV order may name it as its approver today
 * @param note   a human-readable reason: the rule and the date that make it usable or not
 */
public record ApproverCandidate(String email, String type, boolean usable, String note) {

    /** {@code type} of a constructed address (BR 3.2.2.4.4). */
    public static final String CONSTRUCTED = "constructed";
    /** {@code type} of an owner contact found through WHOIS (RFC 3912). */
    public static final String WHOIS = "whois";
    /** {@code type} of an owner contact found through RDAP (RFC 9083). */
    public static final String RDAP = "rdap";
    /** {@code type} of an address from the vendor's own approver list. */
    public static final String VENDOR = "vendor";

    /**
     * Checks the components.
     *
     * @param email  see the record description
     * @param type   see the record description
     * @param usable see the record description
     * @param note   see the record description
     * @throws NullPointerException when {@code email} or {@code type} is {@code null}
     */
    public ApproverCandidate {
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(type, "type");
    }
}
