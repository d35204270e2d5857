package io.certhub.dcv;

import java.util.Objects;

/**
 * One email address of a domain owner's contact found in public registration data.
 *
 * @param email  the address, lower case, domain part in ACE form; never a redacted value, a URL
 *               or a privacy-proxy address ({@link Redaction})
 * @param role   the contact's role: {@value #REGISTRANT}, {@value #ADMINISTRATIVE} or
 *               {@value #TECHNICAL} (RFC 9083 §10.2.4 role names)
 * @param source where it was found: {@value ApproverCandidate#RDAP} or
 *               {@value ApproverCandidate#WHOIS} (the sandbox's configured owners count as WHOIS)
 */
public record OwnerContact(String email, String role, String source) {

    /** The registrant (holder, owner) of the domain. */
    public static final String REGISTRANT = "registrant";
    /** The administrative contact (Admin-C). */
    public static final String ADMINISTRATIVE = "administrative";
    /** The technical contact (Tech-C). */
    public static final String TECHNICAL = "technical";

    /**
     * Checks the components.
     *
     * @param email  see the record description
     * @param role   see the record description
     * @param source see the record description
     * @throws NullPointerException when a component is {@code null}
     */
    public OwnerContact {
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(source, "source");
    }
}
