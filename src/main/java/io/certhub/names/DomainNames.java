package io.certhub.names;

import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.IDNA;
import com.ibm.icu.text.SpoofChecker;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * DNS host names for certificates: one canonical form and the wildcard rule.
 *
 * <p>The canonical ("normalised") form of a name is:
 * <ul>
 *   <li>ASCII only, lower case: internationalised labels are converted to their ACE
 *       ({@code xn--}) form label by label with UTS #46 non-transitional processing (IDNA2008,
 *       ICU4J; {@code faß.de} is {@code xn--fa-hia.de}, not the IDNA2003 {@code fass.de};
 *       RFC 5280 §7.2 requires A-labels in certificates); a given {@code xn--} label must decode;</li>
 *   <li>no label that mixes scripts into a look-alike (UTS #39 "Highly Restrictive" and
 *       mixed-script confusables, e.g. Latin {@code paypal} with a Cyrillic {@code а}):
 *       {@link MixedScriptException};</li>
 *   <li>no surrounding whitespace, no trailing dot (the root label);</li>
 *   <li>labels of 1..63 characters from {@code a-z}, {@code 0-9} and inner hyphens
 *       (RFC 1035 §2.3.1, RFC 1123 §2.1; underscores are refused, as the CA/B Forum Baseline
 *       Requirements do for certificates since 2019); at most 253 characters in total;</li>
 *   <li>at least two labels (a fully qualified name such as {@code example.com});</li>
 *   <li>{@code *} only as the whole left-most label, followed by at least two labels
 *       ({@code *.example.com}; never {@code *.com}, {@code w*.example.com} or
 *       {@code www.*.example.com}) (RFC 6125 §6.4.3, BR 3.2.2.6);</li>
 *   <li>never an IP address (IPv4 dotted quad, IPv6 literal) nor a name whose top-level label is
 *       all digits.</li>
 * </ul>
 *
 * <p>All methods are static and thread-safe.
 */
public final class DomainNames {

    /** Maximum length of a normalised name in characters (RFC 1035 §2.3.4 / RFC 2181 §11). */
    public static final int MAX_NAME_LENGTH = 253;

    /** Maximum length of one label in characters (RFC 1035 §2.3.4). */
    public static final int MAX_LABEL_LENGTH = 63;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * UTS #46 processing, non-transitional (IDNA2008: {@code ß}, {@code ς}, ZWJ/ZWNJ kept, so
     * {@code faß.de} is {@code xn--fa-hia.de}, never {@code fass.de}), with the STD3 ASCII rules,
     * the Bidi rule (RFC 5893) and the CONTEXTJ/CONTEXTO rules (RFC 5892 Appendix A). Thread-safe.
     */
    private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.USE_STD3_RULES | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.CHECK_CONTEXTO);

    /** UTS #39 checks of a Unicode label; a built SpoofChecker is immutable and thread-safe. */
    private static final SpoofChecker SPOOF = new SpoofChecker.Builder()
            .setChecks(SpoofChecker.RESTRICTION_LEVEL | SpoofChecker.MIXED_SCRIPT_CONFUSABLE | SpoofChecker.INVISIBLE)
            .setRestrictionLevel(SpoofChecker.RestrictionLevel.HIGHLY_RESTRICTIVE)
            .build();

    private DomainNames() {
    }

    /**
     * Brings a DNS host name into its canonical form (see the class description).
     *
     * <p>Examples: {@code " WWW.Example.COM. "} → {@code "www.example.com"};
     * {@code "Bücher.example"} → {@code "xn--bcher-kva.example"};
     * {@code "*.Bücher.example"} → {@code "*.xn--bcher-kva.example"}. Surrounding whitespace
     * includes no-break spaces and a byte-order mark. Normalising a normalised
     * name returns it unchanged. The ideographic full stops U+3002, U+FF0E and U+FF61 are read
     * as dots (RFC 3490 §3.1).
     *
     * @param name a host name as typed or as found in a CSR; may carry upper case, Unicode
     *             labels, surrounding whitespace and one trailing dot
     * @return the normalised name, never {@code null}
     * @throws IllegalArgumentException when {@code name} is {@code null}, empty or not a valid DNS
     *                                  host name; the message names the name and the rule broken
     */
    public static String normalise(String name) {
        if (name == null) {
            throw new IllegalArgumentException("domain name is missing (null)");
        }
        String s = trim(name)
                .replace('\u3002', '.')
                .replace('\uFF0E', '.')
                .replace('\uFF61', '.');
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("domain name is empty");
        }
        String quoted = "'" + printable(trim(name)) + "'";
        if (s.indexOf(':') >= 0 || s.startsWith("[") || IPV4.matcher(s).matches()) {
            throw new IllegalArgumentException(quoted
                    + " is an IP address: only DNS host names are allowed here");
        }
        String[] labels = s.split("\\.", -1);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (i > 0) {
                out.append('.');
            }
            if (label.isEmpty()) {
                throw new IllegalArgumentException(quoted
                        + " is not a valid host name: it has an empty label (a leading dot or two dots in a row)");
            }
            if (label.indexOf('*') >= 0) {
                if (i == 0 && label.equals("*")) {
                    out.append('*');
                    continue;
                }
                throw new IllegalArgumentException(quoted + " is not a valid host name: '*' is only allowed"
                        + " as the whole left-most label, as in *.example.com (RFC 6125 §6.4.3)");
            }
            out.append(asciiLabel(label, quoted));
        }
        String result = out.toString();
        boolean wildcard = labels[0].equals("*");
        if (labels.length < 2) {
            throw new IllegalArgumentException(quoted
                    + " is not a fully qualified host name: at least two labels are needed, as in example.com");
        }
        if (wildcard && labels.length < 3) {
            throw new IllegalArgumentException(quoted
                    + " is not a valid wildcard: '*.' must be followed by at least two labels, as in *.example.com");
        }
        if (result.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(quoted + " is not a valid host name: it is " + result.length()
                    + " characters long in ASCII form; the maximum is " + MAX_NAME_LENGTH + " (RFC 1035)");
        }
        String tld = labels[labels.length - 1];
        if (tld.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(quoted
                    + " is not a valid host name: its top-level label is all digits (an IP address?)");
        }
        return result;
    }

    /**
     * Tells whether {@link #normalise(String)} would accept the name.
     *
     * @param name any string, {@code null} allowed
     * @return {@code true} when {@code name} is a valid DNS host name (possibly a wildcard)
     */
    public static boolean isValid(String name) {
        try {
            normalise(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Tells whether a normalised name is a wildcard name ({@code *.example.com}).
     *
     * @param normalisedName a name returned by {@link #normalise(String)}; {@code null} gives
     *                       {@code false}
     * @return {@code true} when the name starts with {@code "*."}
     */
    public static boolean isWildcard(String normalisedName) {
        return normalisedName != null && normalisedName.startsWith("*.");
    }

    /**
     * Tells whether a name in a certificate covers a name that was ordered (RFC 6125 §6.4.3).
     *
     * <p>True when the names are equal, or when {@code certName} is {@code *.X} and
     * {@code orderedName} is exactly one label under {@code X}: {@code *.example.com} covers
     * {@code www.example.com} but neither {@code example.com} nor {@code a.b.example.com}. An
     * ordered wildcard is covered only by the same wildcard. The comparison is exact, so both
     * arguments must already be normalised.
     *
     * @param certName    a normalised name from the certificate (SAN dNSName or CN)
     * @param orderedName a normalised name from the order
     * @return whether {@code certName} covers {@code orderedName}
     * @throws NullPointerException when an argument is {@code null}
     */
    public static boolean covers(String certName, String orderedName) {
        Objects.requireNonNull(certName, "certName");
        Objects.requireNonNull(orderedName, "orderedName");
        if (certName.equals(orderedName)) {
            return true;
        }
        if (!isWildcard(certName) || isWildcard(orderedName)) {
            return false;
        }
        String suffix = certName.substring(1); // ".example.com"
        if (!orderedName.endsWith(suffix)) {
            return false;
        }
        String left = orderedName.substring(0, orderedName.length() - suffix.length());
        return !left.isEmpty() && left.indexOf('.') < 0;
    }

    private static String asciiLabel(String label, String quoted) {
        String ascii = label;
        if (!isAscii(label)) {
            IDNA.Info info = new IDNA.Info();
            StringBuilder out = UTS46.labelToASCII(label, new StringBuilder(), info);
            if (info.hasErrors()) {
                throw new IllegalArgumentException(quoted + " is not a valid host name: label '" + printable(label)
                        + "' cannot be converted to its ACE (xn--) form (UTS #46 non-transitional, IDNA2008): " + info.getErrors());
            }
            ascii = out.toString();
            checkScripts(label, quoted);
        } else if (label.regionMatches(true, 0, "xn--", 0, 4)) {
            IDNA.Info info = new IDNA.Info();
            StringBuilder unicode = UTS46.labelToUnicode(label.toLowerCase(Locale.ROOT), new StringBuilder(), info);
            if (info.hasErrors()) {
                throw new IllegalArgumentException(quoted + " is not a valid host name: label '" + label
                        + "' is not a valid A-label (UTS #46, IDNA2008): " + info.getErrors());
            }
            checkScripts(unicode.toString(), quoted);
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        if (ascii.length() > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException(quoted + " is not a valid host name: label '" + ascii + "' is "
                    + ascii.length() + " characters long; the maximum is " + MAX_LABEL_LENGTH + " (RFC 1035)");
        }
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                throw new IllegalArgumentException(quoted + " is not a valid host name: label '" + printable(label)
                        + "' contains " + describe(c) + "; only letters, digits and hyphens are allowed (RFC 1123)");
            }
        }
        if (ascii.startsWith("-") || ascii.endsWith("-")) {
            throw new IllegalArgumentException(quoted + " is not a valid host name: label '" + printable(label)
                    + "' starts or ends with a hyphen (RFC 1123)");
        }
        return ascii;
    }

    /**
     * Refuses a label that mixes scripts beyond what UTS #39 §5.2 "Highly Restrictive" allows
     * (one script, or Latin with Han and Hiragana/Katakana, Bopomofo or Hangul), or that is a
     * mixed-script confusable (UTS #39 §4), such as {@code pаypal} with a Cyrillic {@code а}.
     */
    private static void checkScripts(String unicodeLabel, String quoted) {
        SpoofChecker.CheckResult r = new SpoofChecker.CheckResult();
        if (SPOOF.failsChecks(unicodeLabel, r)) {
            throw new MixedScriptException(quoted + " is not allowed: label '" + printable(unicodeLabel)
                    + "' mixes scripts (" + scripts(unicodeLabel) + ") and can be mistaken for another name (UTS #39)");
        }
    }

    private static String scripts(String s) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        s.codePoints().forEach(cp -> {
            int script = UScript.getScript(cp);
            if (script != UScript.COMMON && script != UScript.INHERITED) {
                names.add(UScript.getName(script));
            }
        });
        return String.join(", ", names);
    }

    /**
     * A host name refused because one of its labels mixes scripts into a look-alike (UTS #39,
     * restriction level "Highly Restrictive" and mixed-script confusables). A subclass of
     * {@link IllegalArgumentException}, so callers that only know "invalid" still refuse it;
     * callers that name the reason answer {@code DOMAIN_MIXED_SCRIPT}.
     */
    public static final class MixedScriptException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** @param message the name, the label and the scripts it mixes */
        public MixedScriptException(String message) {
            super(message);
        }
    }

    /** Removes surrounding whitespace, including no-break spaces and a byte-order mark. */
    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isBlank(s.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isBlank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF';
    }

    /** The text with control characters shown as {@code \\uXXXX}, safe to put in a message. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\uFEFF') {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static String describe(char c) {
        if (c >= 0x21 && c < 0x7F) {
            return "'" + c + "'";
        }
        return String.format("the character U+%04X", (int) c);
    }
}
