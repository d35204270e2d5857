package io.certhub.dcv;

import io.certhub.names.DomainNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One WHOIS answer (RFC 3912: free text, one server's reply to one query) read for what approver
 * discovery needs: the referral to the next server, the owner contacts' addresses, and whether
 * the answer is a record, a "no such domain", a throttling notice or empty.
 *
 * <p>Formats understood:
 * <ul>
 *   <li>{@code Key: value} lines: IANA ({@code refer:}, {@code whois:}), the ICANN gTLD format
 *       ({@code Registrar WHOIS Server:}, {@code Registrant Email:}, {@code Admin Email:},
 *       {@code Tech Email:}), and sections opened by a key without value (Nominet .uk:
 *       {@code Domain name:}, {@code Registrant:} on a line of their own, values indented
 *       below);</li>
 *   <li>DENIC (.de) sections {@code [Holder]}, {@code [Admin-C]}, {@code [Tech-C]},
 *       {@code [Zone-C]} on a line of their own, followed by {@code Email: …} lines;</li>
 *   <li>JPRS (.jp) {@code [Key]  value} lines ({@code [Domain Name]}, {@code [Email]}) inside
 *       the {@code Contact Information:} section (the registrant's public contact).</li>
 * </ul>
 * A blank line ends a section. Only registrant (holder, owner), administrative and technical
 * contacts count; registrar, abuse, billing and zone contacts never do. Addresses go through
 * {@link Redaction#address(String)}; the rest are counted in {@link #redactedContacts()}.
 *
 * @param referral         the next server named by {@code refer:}, {@code whois:},
 *                         {@code Registrar WHOIS Server:}, {@code Whois Server:} or
 *                         {@code ReferralServer:}, a lower-case host name
 * @param contacts         the usable owner addresses, first role wins per address
 * @param redactedContacts owner email fields whose value was redacted, a URL or a proxy
 * @param domainRecord     whether the answer holds a domain (or TLD) record
 * @param notFound         whether it says the domain does not exist ("No match for", "NOT
 *                         FOUND", "No Data Found", DENIC "Status: free", JPRS "No match!!",
 *                         IANA "returned 0 objects"); never set for a throttling notice
 * @param throttled        whether it is a throttling notice ("limit exceeded", "quota exceeded",
 *                         "try again later", "too many requests", …) without a record
 * @param empty            whether the reply is empty or blank
 */
public record WhoisAnswer(Optional<String> referral, List<OwnerContact> contacts, int redactedContacts,
                          boolean domainRecord, boolean notFound, boolean throttled, boolean empty) {

    private static final Pattern BRACKET_SECTION = Pattern.compile("^\\[([A-Za-z][A-Za-z0-9 _-]{0,40})\\]$");
    private static final Pattern BRACKET_FIELD = Pattern.compile("^\\[([^\\]]+)\\]\\s+(.*)$");
    private static final Pattern KEY_VALUE = Pattern.compile("^([A-Za-z][A-Za-z0-9 ._'/()-]{0,60}?)\\s*:\\s*(.*)$");
    private static final Pattern EMAIL_KEY = Pattern.compile("(^|[^a-z])(e-?mail|email address)([^a-z]|$)");

    private static final Pattern THROTTLED = Pattern.compile(
            "limit\\s+(has\\s+been\\s+|was\\s+)?(exceeded|reached)|quota\\s+(has\\s+been\\s+)?exceeded"
                    + "|try\\s+again\\s+later|too\\s+many\\s+(requests|queries|connections)|rate\\s+limit"
                    + "|query\\s+rate\\s+exceeded|exceeded\\s+the\\s+(maximum|allowed)|please\\s+wait\\s+\\d+",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern NOT_FOUND = Pattern.compile(
            "^\\s*(no\\s+match|not\\s+found|no\\s+data\\s+found|no\\s+entries\\s+found|no\\s+object\\s+found"
                    + "|domain\\s+not\\s+found|object\\s+does\\s+not\\s+exist|the\\s+queried\\s+object\\s+does\\s+not\\s+exist"
                    + "|this\\s+domain\\s+name\\s+has\\s+not\\s+been\\s+registered|status:\\s*(free|available)\\s*$)"
                    + "|returned\\s+0\\s+objects",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    private static final Pattern DENIC_FREE = Pattern.compile("^\\s*status:\\s*free\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    /**
     * Copies the components.
     *
     * @param referral         see the record description
     * @param contacts         see the record description
     * @param redactedContacts see the record description
     * @param domainRecord     see the record description
     * @param notFound         see the record description
     * @param throttled        see the record description
     * @param empty            see the record description
     * @throws NullPointerException when {@code contacts} is {@code null} (a {@code null} referral
     *                              becomes empty)
     */
    public WhoisAnswer {
        contacts = List.copyOf(contacts);
        referral = referral == null ? Optional.empty() : referral;
    }

    /**
     * Reads a WHOIS answer.
     *
     * @param text the server's reply as text; {@code null} counts as empty
     * @return what the answer says; never {@code null}
     */
    public static WhoisAnswer parse(String text) {
        if (text == null || text.isBlank()) {
            return new WhoisAnswer(Optional.empty(), List.of(), 0, false, false, false, true);
        }
        String referral = null;
        Map<String, OwnerContact> contacts = new LinkedHashMap<>();
        int redacted = 0;
        boolean record = false;
        String section = null; // owner role of the current section, or null
        boolean blockStart = true; // the line follows a blank line (or is the first)
        for (String raw : text.split("\r\n|\r|\n")) {
            String line = raw.strip();
            boolean opensBlock = blockStart;
            blockStart = line.isEmpty();
            if (line.isEmpty()) {
                section = null;
                continue;
            }
            if (line.startsWith("%") || line.startsWith("#") || line.startsWith(">>>")) {
                continue;
            }
            String key;
            String value;
            Matcher m;
            if ((m = BRACKET_SECTION.matcher(line)).matches()) {
                // "[Tech-C]" after a blank line opens a section; inside a block it is an empty
                // JPRS field such as "[Web Page]"
                if (opensBlock) {
                    section = roleOf(m.group(1));
                }
                continue;
            } else if ((m = BRACKET_FIELD.matcher(line)).matches()) {
                key = m.group(1);
                value = m.group(2).strip();
            } else if ((m = KEY_VALUE.matcher(line)).matches() && !m.group(2).startsWith("//")) {
                key = m.group(1);
                value = m.group(2).strip();
            } else {
                continue;
            }
            String k = key.strip().toLowerCase(Locale.ROOT);
            if (k.equals("domain name") || k.equals("domain") || k.equals("domain information")) {
                record = true;
            }
            if (value.isEmpty()) {
                // "Registrant:" / "Contact Information:" on a line of its own after a blank line
                // opens a section; inside a block it is just an empty field
                if (opensBlock) {
                    section = roleOf(k);
                }
                continue;
            }
            if (referral == null && isReferralKey(k)) {
                referral = host(value).orElse(null);
                continue;
            }
            if (EMAIL_KEY.matcher(k).find() && !isExcluded(k)) {
                String role = roleOf(k);
                if (role == null) {
                    role = section;
                }
                if (role == null) {
                    continue;
                }
                Optional<String> address = Redaction.address(value);
                if (address.isPresent()) {
                    contacts.putIfAbsent(address.get(), new OwnerContact(address.get(), role, ApproverCandidate.WHOIS));
                } else {
                    redacted++;
                }
            }
        }
        boolean throttled = !record && contacts.isEmpty() && THROTTLED.matcher(text).find();
        boolean notFound = !throttled && (DENIC_FREE.matcher(text).find() || (!record && NOT_FOUND.matcher(text).find()));
        return new WhoisAnswer(notFound || throttled ? Optional.empty() : Optional.ofNullable(referral),
                new ArrayList<>(contacts.values()), redacted, record, notFound, throttled, false);
    }

    private static boolean isReferralKey(String k) {
        return k.equals("refer") || k.equals("whois") || k.equals("registrar whois server")
                || k.equals("whois server") || k.equals("referralserver");
    }

    private static boolean isExcluded(String k) {
        return k.contains("registrar") || k.contains("abuse") || k.contains("billing") || k.contains("reseller")
                || k.contains("zone");
    }

    /** The owner role a key or section name stands for, or {@code null}. */
    static String roleOf(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("registrar") || n.contains("abuse") || n.contains("billing") || n.contains("zone")) {
            return null;
        }
        if (n.contains("registrant") || n.contains("holder") || n.contains("owner")
                || n.equals("contact information")) {
            return OwnerContact.REGISTRANT;
        }
        if (n.contains("admin")) {
            return OwnerContact.ADMINISTRATIVE;
        }
        if (n.contains("tech")) {
            return OwnerContact.TECHNICAL;
        }
        return null;
    }

    /**
     * The host name in a referral value: {@code whois.verisign-grs.com},
     * {@code whois://whois.arin.net}, {@code http://whois.registrar.example/} all give the host;
     * an {@code rwhois://} referral (another protocol) or a value that is no host gives empty.
     */
    static Optional<String> host(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.startsWith("rwhois:")) {
            return Optional.empty();
        }
        int scheme = v.indexOf("://");
        if (scheme >= 0) {
            if (!v.startsWith("whois://")) {
                // a web address (http/https: the registrar's web WHOIS or RDAP service) is no
                // port-43 server: dropped, never queried on port 43 (issue 11 §5)
                return Optional.empty();
            }
            v = v.substring(scheme + 3);
        }
        int end = 0;
        while (end < v.length() && "/:? \t".indexOf(v.charAt(end)) < 0) {
            end++;
        }
        v = v.substring(0, end);
        if (v.endsWith(".")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return Optional.of(v);
        }
        return DomainNames.isValid(v) && !v.startsWith("*") ? Optional.of(DomainNames.normalise(v)) : Optional.empty();
    }
}
