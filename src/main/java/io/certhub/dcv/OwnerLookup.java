package io.certhub.dcv;

import java.util.List;
import java.util.Objects;

/**
 * The answer of a WHOIS or RDAP lookup of a registered domain.
 *
 * @param domain           the registered domain asked about (lower-case ACE)
 * @param source           {@value ApproverCandidate#RDAP} or {@value ApproverCandidate#WHOIS}
 * @param status           whether the registry knows the domain
 * @param contacts         the owner contacts with a usable address, without duplicates; often
 *                         empty because gTLD data is redacted
 * @param redactedContacts how many contact addresses were recognised as redacted, a pointer to
 *                         the registrar's RDDS, a URL/web form or a privacy proxy, and dropped
 * @param server           the last server that answered (WHOIS host or RDAP URL)
 * @param partial          {@code true} when a later referral (registrar WHOIS, RDAP "related"
 *                         link) failed and only the earlier answers are reported; such a result
 *                         is not cached
 */
public record OwnerLookup(String domain, String source, Status status, List<OwnerContact> contacts,
                          int redactedContacts, String server, boolean partial) {

    /** Whether the registry knows the domain. */
    public enum Status {
        /** The registry answered with the domain's record (contacts may still be all redacted). */
        FOUND,
        /** The registry says the domain is not registered (WHOIS "No match", RDAP 404). */
        NOT_FOUND,
        /** No registration data service is known for the domain's TLD. */
        NO_SERVICE
    }

    /**
     * Checks and copies the components.
     *
     * @param domain           see the record description
     * @param source           see the record description
     * @param status           see the record description
     * @param contacts         see the record description
     * @param redactedContacts see the record description
     * @param server           see the record description
     * @param partial          see the record description
     * @throws NullPointerException when {@code domain}, {@code source}, {@code status} or
     *                              {@code contacts} is {@code null}
     */
    public OwnerLookup {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(status, "status");
        contacts = List.copyOf(contacts);
    }
}
