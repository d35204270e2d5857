package io.certhub.order;

import io.certhub.names.DomainNames;
import java.util.Locale;

/**
 * Email addresses as the hub stores them and sends them to the vendor (issue 11 §5): an
 * RFC 5322 {@code addr-spec} whose domain part is brought to its canonical DNS form by
 * {@link DomainNames#normalise} (so {@code admin@Bücher.example.org} becomes
 * {@code admin@xn--bcher-kva.example.org}, the A-label form RFC 5890 §2.3.2.1 prescribes on the
 * wire) and whose local part is ASCII (SMTPUTF8 local parts, RFC 6531, are not accepted by the
 * vendor API nor by every mail system on the way), lower-cased as a whole.
 *
 * <p>Thread-safe; all methods static.
 */
public final class EmailAddresses {

    private EmailAddresses() {
    }

    /**
     * @param raw an address as typed (surrounding white space allowed)
     * @return the address lower-cased with an A-label domain, e.g. {@code admin@xn--bcher-kva.example.org}
     * @throws IllegalArgumentException when it is not a plain {@code local@domain} address with an
     *                                  ASCII local part and a valid, fully qualified, non-wildcard
     *                                  domain; the message says which part is wrong
     */
    public static String normalise(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("the address is empty");
        }
        String s = raw.strip();
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            throw new IllegalArgumentException("'" + s + "' is not an email address (local@domain)");
        }
        String local = s.substring(0, at);
        if (!local.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("the local part of '" + s + "' must be ASCII without spaces");
        }
        String domain;
        try {
            domain = DomainNames.normalise(s.substring(at + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the domain of '" + s + "' is not valid: " + e.getMessage(), e);
        }
        if (DomainNames.isWildcard(domain)) {
            throw new IllegalArgumentException("the domain of '" + s + "' is a wildcard");
        }
        String address = (local + "@" + domain).toLowerCase(Locale.ROOT);
        if (!OrderValidator.validEmail(address)) {
            throw new IllegalArgumentException("'" + s + "' is not an email address");
        }
        return address;
    }

    /**
     * @param raw an address as typed, or null
     * @return {@link #normalise(String)}'s result, or null when the address is missing or invalid
     */
    public static String normaliseOrNull(String raw) {
        try {
            return raw == null ? null : normalise(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
