package io.certhub.dcv;

import io.certhub.names.DomainNames;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Email addresses as approvers are compared: lower case, the domain part in ACE ({@code xn--})
 * form as {@link DomainNames#normalise(String)} gives it.
 *
 * <p>Only plain {@code local@domain} addresses are accepted: an ASCII dot-atom local part
 * (RFC 5322 §3.4.1, no quoted strings, no internationalised local part) and a DNS host name of at
 * least two labels. All methods are static and thread-safe.
 */
public final class EmailAddresses {

    private static final Pattern LOCAL_PART =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");

    private EmailAddresses() {
    }

    /**
     * Normalises an address.
     *
     * <p>{@code " Admin@Bücher.Example "} → {@code admin@xn--bcher-kva.example}; a leading
     * {@code mailto:} and surrounding angle brackets are removed.
     *
     * @param value an address as found or typed; {@code null} allowed
     * @return the normalised address, or empty when the value is not a plain email address
     */
    public static Optional<String> normalise(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String s = value.strip();
        if (s.regionMatches(true, 0, "mailto:", 0, 7)) {
            s = s.substring(7).strip();
        }
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1).strip();
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at != s.indexOf('@') || at == s.length() - 1 || s.length() > 254) {
            return Optional.empty();
        }
        String local = s.substring(0, at);
        String domain = s.substring(at + 1);
        if (local.length() > 64 || !LOCAL_PART.matcher(local).matches()) {
            return Optional.empty();
        }
        if (domain.startsWith("*") || !DomainNames.isValid(domain)) {
            return Optional.empty();
        }
        return Optional.of(local.toLowerCase(Locale.ROOT) + "@" + DomainNames.normalise(domain));
    }
}
