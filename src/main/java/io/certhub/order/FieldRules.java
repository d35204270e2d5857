package io.certhub.order;

import io.certhub.problem.HubProblem.FieldError;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Text rules for every order field that is stored and sent to the vendor (issue 16, item 3 and
 * "Inputs that answer 500"): what the OPS XML envelope can carry (XML 1.0 §2.2 {@code Char}: no
 * C0 controls but TAB/LF/CR, no lone surrogates, no U+FFFE/U+FFFF; shared/reference/
 * opensrs-trust-api.md "Envelope"), what PostgreSQL can store (no U+0000 in {@code text}), what a
 * one-line form field may hold, and the column and certificate sizes.
 *
 * <p>A single-line field ({@link #singleLine}) refuses every Unicode control character
 * (general category Cc: C0, DEL, C1; so also TAB, CR, LF and NUL), the line and paragraph
 * separators U+2028/U+2029, the bidirectional embedding, override and isolate controls
 * U+202A..U+202E and U+2066..U+2069 (CVE-2021-42574, "Trojan Source": they reorder what a
 * reviewer sees), the byte-order mark U+FEFF, lone surrogates and the
 * noncharacters U+FFFE/U+FFFF, with 422 {@code FIELD_INVALID_CHARACTERS} naming the dotted
 * field and the first offending code point; longer than its limit (in UTF-16 code units, as the
 * database columns count them) is 422 {@code FIELD_TOO_LONG} naming the limit.
 *
 * <p>Contact limits ({@link #CONTACT_LIMITS}) follow the X.520 upper bounds a CA applies to the
 * certificate's subject (RFC 5280 Appendix A.1: {@code ub-organization-name} 64,
 * {@code ub-locality-name} and {@code ub-state-name} 128, {@code ub-postal-code} 40,
 * {@code ub-title} 64), the RFC 5321 §4.5.3.1.3 path limit for emails (254), and 64 for a given
 * or family name; a phone or fax number is at most 32 characters of digits, spaces and
 * {@code + . - ( ) x} with at least 4 digits (the OpenSRS form is {@code +1.4165550123}).
 *
 * <p>Thread-safe; all methods static.
 */
public final class FieldRules {

    /** Code of a field holding a character the vendor, the XML envelope or the database cannot take. */
    public static final String INVALID_CHARACTERS = "FIELD_INVALID_CHARACTERS";
    /** Code of a field longer than its limit. */
    public static final String TOO_LONG = "FIELD_TOO_LONG";

    /** Maximum length of each contact field (camelCase, as in {@link OrderDocument.Contact}). */
    public static final Map<String, Integer> CONTACT_LIMITS = Map.ofEntries(
        Map.entry("firstName", 64), Map.entry("lastName", 64), Map.entry("orgName", 64), Map.entry("title", 64),
        Map.entry("address1", 128), Map.entry("address2", 128), Map.entry("address3", 128), Map.entry("city", 128),
        Map.entry("state", 128), Map.entry("postalCode", 40), Map.entry("country", 2), Map.entry("phone", 32),
        Map.entry("fax", 32), Map.entry("email", 254));

    /** Maximum length of an email address (RFC 5321 §4.5.3.1.3; the {@code approver_email} column). */
    public static final int MAX_EMAIL = 254;
    /** Maximum length of the canonical CSR PEM (the {@code csr} column). */
    public static final int MAX_CSR_PEM = 16000;
    /** Maximum length of the stored contacts JSON (the {@code contacts} column). */
    public static final int MAX_CONTACTS_JSON = 16000;
    /** Maximum length of the space-separated additional names (the {@code additional_domains} column). */
    public static final int MAX_ADDITIONAL_DOMAINS = 8000;

    private static final Pattern PHONE = Pattern.compile("[0-9+ .()\\-xX]{1,32}");

    private FieldRules() {
    }

    /**
     * Checks a one-line text field; a null value passes (requiredness is checked elsewhere).
     *
     * @param value     the value as received (untrimmed)
     * @param field     dotted field path, e.g. {@code contacts.admin.firstName}
     * @param maxLength maximum length in UTF-16 code units after trimming
     * @param errors    where a violation is added (at most one per field)
     * @return true when the value passed
     */
    public static boolean singleLine(String value, String field, int maxLength, List<FieldError> errors) {
        if (value == null) {
            return true;
        }
        int bad = firstInvalid(value);
        if (bad >= 0) {
            errors.add(new FieldError(INVALID_CHARACTERS, field, field + " holds the character "
                + String.format("U+%04X", (int) value.charAt(bad)) + " at position " + bad
                + "; control, line-separator and bidirectional-override characters are not allowed"));
            return false;
        }
        int length = value.strip().length();
        if (length > maxLength) {
            errors.add(new FieldError(TOO_LONG, field, field + " is " + length + " characters long; the maximum is " + maxLength));
            return false;
        }
        return true;
    }

    /**
     * Checks a contact's fields: characters and lengths ({@link #CONTACT_LIMITS}), and the phone
     * and fax form ({@code FIELD_INVALID}).
     *
     * @param c      the contact (null passes)
     * @param path   its dotted path, e.g. {@code contacts.admin}
     * @param errors where violations are added
     */
    public static void contact(OrderDocument.Contact c, String path, List<FieldError> errors) {
        if (c == null) {
            return;
        }
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("firstName", c.firstName());
        fields.put("lastName", c.lastName());
        fields.put("orgName", c.orgName());
        fields.put("title", c.title());
        fields.put("address1", c.address1());
        fields.put("address2", c.address2());
        fields.put("address3", c.address3());
        fields.put("city", c.city());
        fields.put("state", c.state());
        fields.put("postalCode", c.postalCode());
        fields.put("phone", c.phone());
        fields.put("fax", c.fax());
        fields.put("email", c.email());
        fields.forEach((name, value) -> {
            String field = path + "." + name;
            if (singleLine(value, field, CONTACT_LIMITS.get(name), errors) && value != null && !value.isBlank()
                    && (name.equals("phone") || name.equals("fax")) && !phone(value.strip())) {
                errors.add(new FieldError("FIELD_INVALID", field, field + " '" + value.strip() + "' is not a phone number: use digits,"
                    + " spaces and + . - ( ) x, at least 4 digits, such as +1.4165550123"));
            }
        });
        // country: characters checked here, its ISO 3166 form by the validator (2 letters)
        singleLine(c.country(), path + ".country", 64, errors);
    }

    /**
     * @param s a trimmed phone or fax number
     * @return whether it has the allowed characters and at least 4 digits
     */
    static boolean phone(String s) {
        return PHONE.matcher(s).matches() && s.chars().filter(Character::isDigit).count() >= 4;
    }

    /**
     * @param s any text
     * @return the UTF-16 index of the first character a single-line field may not hold, or -1
     */
    public static int firstInvalid(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(ch)) {
                return i;
            }
            if (Character.getType(ch) == Character.CONTROL || ch == '\u2028' || ch == '\u2029'
                    || (ch >= '\u202A' && ch <= '\u202E') || (ch >= '\u2066' && ch <= '\u2069')
                    || ch == '\uFFFE' || ch == '\uFFFF' || ch == '\uFEFF') {
                return i;
            }
        }
        return -1;
    }

}
