package io.certhub.dcv;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises contact values in WHOIS/RDAP data that are not a way to reach the domain owner, so
 * that they are never offered as an address.
 *
 * <p>Since the EU GDPR (2018) and ICANN's Registration Data Policy most gTLD contact data is
 * redacted (RFC 9537 describes RDAP redaction): the email field then holds a marker ("REDACTED FOR
 * PRIVACY", "Data Protected", "Not Disclosed"), a pointer ("Please query the RDDS service of the
 * Registrar of Record identified in this output…"), a URL of a web form, or the address of a
 * privacy/proxy service (Domains By Proxy, WhoisGuard, Withheld for Privacy, Gandi's
 * {@code contact.gandi.net} relay, PrivacyProtect.org, …). All of these are refused here.
 *
 * <p>All methods are static and thread-safe.
 */
public final class Redaction {

    /** Lower-case fragments of a value that is a redaction marker or a pointer elsewhere. */
    private static final List<String> MARKERS = List.of(
            "redacted", "rdds service", "registrar of record", "data protected", "not disclosed",
            "non-public", "withheld", "gdpr", "privacy", "hidden", "masked", "statutory masking",
            "not available", "contact the registrar", "query the registrar", "web form", "webform",
            "contact form", "select contact domain holder", "whois protect", "protected");

    /** Values that are placeholders as a whole. */
    private static final List<String> PLACEHOLDERS = List.of("n/a", "na", "none", "-", "null", "unknown", "");

    /** Email domains of well-known privacy/proxy services (the address relays or drops mail). */
    private static final List<String> PROXY_DOMAINS = List.of(
            "domainsbyproxy.com", "whoisguard.com", "withheldforprivacy.com", "contact.gandi.net",
            "privacyprotect.org", "whoisprivacyprotect.com", "privacyguardian.org", "contactprivacy.com",
            "whoisproxy.com", "identity-protect.org", "protecteddomainservices.com", "perfectprivacy.com",
            "anonymize.com", "domainprivacygroup.com", "whoisprotection.cc", "proxy.dreamhost.com",
            "privacy-link.com", "whois-protect.com", "redacted.com");

    /** Fragments of an email domain that mark a privacy/proxy service. */
    private static final List<String> PROXY_FRAGMENTS = List.of(
            "proxy", "privacy", "whoisguard", "whoisprotect", "whois-protect", "redacted", "anonymi",
            "protecteddomain", "identity-protect");

    private static final Pattern URL = Pattern.compile("(?i)^([a-z][a-z0-9+.-]*://|www\\.).*|.*\\bhttps?://.*");

    private Redaction() {
    }

    /**
     * Whether a contact value is a redaction marker, a pointer to another service, a URL/web form
     * or a placeholder rather than data.
     *
     * @param value a WHOIS value or RDAP vCard value; {@code null} counts as redacted
     * @return {@code true} for e.g. "REDACTED FOR PRIVACY", "Please query the RDDS service of the
     *         Registrar of Record identified in this output…", "Data Protected", "Not Disclosed",
     *         "https://www.registrar.example/whois-contact", "N/A"
     */
    public static boolean isRedacted(String value) {
        if (value == null) {
            return true;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (PLACEHOLDERS.contains(v) || URL.matcher(v).matches()) {
            return true;
        }
        for (String m : MARKERS) {
            if (v.contains(m)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an email address belongs to a privacy/proxy registration service.
     *
     * @param email an address (any case); {@code null} gives {@code false}
     * @return {@code true} for e.g. {@code abc@domainsbyproxy.com},
     *         {@code x@withheldforprivacy.com}, {@code 123@contact.gandi.net}, any domain containing
     *         "proxy" or "privacy", or a local part saying "redacted"/"privacy"
     */
    public static boolean isPrivacyProxy(String email) {
        if (email == null) {
            return false;
        }
        String e = email.strip().toLowerCase(Locale.ROOT);
        int at = e.lastIndexOf('@');
        String local = at < 0 ? "" : e.substring(0, at);
        String domain = e.substring(at + 1);
        for (String d : PROXY_DOMAINS) {
            if (domain.equals(d) || domain.endsWith("." + d)) {
                return true;
            }
        }
        for (String f : PROXY_FRAGMENTS) {
            if (domain.contains(f)) {
                return true;
            }
        }
        return local.contains("redacted") || local.contains("privacy") || local.contains("proxy");
    }

    /**
     * The address a contact value offers, if it is a real one.
     *
     * @param value a WHOIS value or RDAP vCard {@code email} value
     * @return the normalised address ({@link EmailAddresses#normalise(String)}), or empty when the
     *         value is redacted, a URL, a placeholder, a privacy-proxy address or no address at all
     *         (anything {@link EmailAddresses#normalise(String)} does not read as one address)
     */
    public static Optional<String> address(String value) {
        if (value == null) {
            return Optional.empty();
        }
        // a value that is not a plain address (a marker, a pointer, a URL) yields nothing; the
        // markers of isRedacted are not applied to real addresses (info@hiddenvalley.example is fine)
        return EmailAddresses.normalise(value).filter(e -> !isPrivacyProxy(e));
    }
}
