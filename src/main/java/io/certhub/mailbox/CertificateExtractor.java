package io.certhub.mailbox;

import io.certhub.pki.Certificates;
import io.certhub.pki.PkiException;
import jakarta.mail.FolderClosedException;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.StoreClosedException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimePart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;

/**
 * Finds every certificate in a vendor's "your certificate is issued" email, whatever shape
 * the vendor chose, and the candidate vendor order ids.
 *
 * <p>Parts are classified by their CONTENT, not by their file name or declared type: each
 * leaf part is decoded (its Content-Transfer-Encoding, RFC 2045 section 6) and then
 * <ul>
 *   <li>a ZIP archive (local file header magic {@code PK\3\4}) is opened and every entry is
 *       read as below (e.g. {@code .crt} + {@code .ca-bundle}); at most
 *       {@value #MAX_ZIP_ENTRIES} entries, {@value #MAX_ZIP_ENTRY_BYTES} bytes expanded per
 *       entry and {@value #MAX_ZIP_TOTAL_BYTES} in all, counted on the bytes actually
 *       inflated (a lying header does not help a ZIP bomb); nested ZIPs are not followed;</li>
 *   <li>anything else goes to {@link Certificates#parseAny}: PEM (RFC 7468, also CRLF, no
 *       final newline, glued blocks), DER X.509 (RFC 5280), PKCS#7 {@code .p7b/.p7c}
 *       (RFC 2315 / RFC 5652, DER or PEM);</li>
 *   <li>text that mentions {@code BEGIN} is also read after undoing HTML (tags such as
 *       {@code <br>} removed, character references such as {@code &#43;} or {@code &nbsp;}
 *       decoded) and after undoing an undeclared quoted-printable encoding (RFC 2045
 *       section 6.7, soft line breaks {@code =CRLF} inside the base64);</li>
 *   <li>a part that is an email itself ({@code message/rfc822}, RFC 2046 section 5.2.1, or a
 *       part whose content is an RFC 5322 header block) is parsed and walked the same way:
 *       a forwarded vendor email;</li>
 *   <li>multiparts (RFC 2046 section 5.1) are walked to any depth up to
 *       {@value #MAX_DEPTH} levels;</li>
 *   <li>a CMS SignedData WITH signers is an S/MIME signature (RFC 8551, RFC 5652): its
 *       certificates belong to the vendor's mailer, not to the order, so they are left out;
 *       an opaque-signed message ({@code application/pkcs7-mime; smime-type=signed-data})
 *       has the signed MIME entity walked instead. A certs-only SignedData (no signers) is a
 *       {@code .p7b/.p7c} bundle and is read.</li>
 * </ul>
 * File names are never needed, so attachments without a name, or named with RFC 2231
 * parameter continuations or RFC 2047 encoded words, are handled alike.
 *
 * <p>Vendor order ids (decimal strings of 7 or more digits, see the contract) are every run
 * of 7+ ASCII digits in the subject (RFC 2047 decoded) and then in the text bodies
 * ({@code text/plain} and {@code text/html} parts that are not attachments, HTML reduced to
 * text, PEM blocks left out), including forwarded messages' subjects and bodies where they
 * appear; distinct, in order of appearance.
 *
 * <p>Limits apply to each ZIP bundle on its own. Not handled: S/MIME-encrypted mails (no key
 * to open them), Outlook TNEF ({@code winmail.dat}), RAR/7z archives, password-protected
 * ZIPs (they yield no certificate).
 *
 * <p>Stateless and thread-safe.
 */
public class CertificateExtractor {

    /** Most entries (files and directories) a ZIP bundle may hold. */
    public static final int MAX_ZIP_ENTRIES = 32;
    /** Most bytes one ZIP entry may expand to (1 MiB). */
    public static final long MAX_ZIP_ENTRY_BYTES = 1024L * 1024;
    /** Most bytes all entries of a ZIP bundle may expand to together (4 MiB). */
    public static final long MAX_ZIP_TOTAL_BYTES = 4L * 1024 * 1024;
    /** Deepest nesting of multiparts and forwarded messages followed. */
    public static final int MAX_DEPTH = 16;

    private static final Pattern ORDER_ID = Pattern.compile("(?<![0-9])[0-9]{7,}(?![0-9])");
    private static final Pattern PEM_BLOCK = Pattern.compile("-----BEGIN [^-]*-----[^-]*-----END [^-]*-----");
    private static final Pattern HTML_BREAK = Pattern.compile(
            "(?i)<\\s*(br|/p|/div|/pre|/tr|/li|/h[1-6]|p|div|pre|tr|li)\\b[^>]*>");
    private static final Pattern HTML_TAG = Pattern.compile("<[^>]*>");
    private static final Pattern HTML_COMMENT = Pattern.compile("<!--[^>]*-->");
    private static final Pattern HTML_SCRIPT_STYLE = Pattern.compile("(?is)<(script|style)\\b[^>]*>.*?</\\1\\s*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});");
    private static final Map<String, String> NAMED_ENTITIES = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("plus", "+"), Map.entry("sol", "/"),
            Map.entry("equals", "="), Map.entry("hyphen", "-"), Map.entry("dash", "-"), Map.entry("minus", "-"),
            Map.entry("newline", "\n"), Map.entry("tab", "\t"));
    private static final Pattern HEADER_LINE = Pattern.compile("[!-9;-~]{1,76}:[ \\t]?.*");
    private static final Set<String> MAIL_HEADERS = Set.of("from", "to", "subject", "date", "message-id",
            "mime-version", "content-type", "received", "return-path", "reply-to", "sender");

    private static final Session SESSION = Session.getInstance(new Properties());

    /** Creates an extractor with the default limits. */
    public CertificateExtractor() {
    }

    /**
     * Walks the whole message and collects every certificate and candidate vendor order id.
     *
     * @param msg the message (from IMAP, a file, or built in memory); not null
     * @return the certificates (deduplicated), candidate vendor order ids, subject and
     *         Message-ID; an email without any certificate gives an empty list, not an error
     * @throws PkiException       {@code ZIP_LIMIT} when a ZIP bundle exceeds
     *                            {@value #MAX_ZIP_ENTRIES} entries, {@value #MAX_ZIP_ENTRY_BYTES}
     *                            bytes in one entry or {@value #MAX_ZIP_TOTAL_BYTES} in all
     * @throws MessagingException when the message's headers cannot be read, or the folder or
     *                            store closed / the message was expunged while reading
     * @throws IOException        when reading the content failed for a reason other than a
     *                            malformed part (e.g. the IMAP connection dropped)
     */
    public Extraction extract(MimeMessage msg) throws MessagingException, IOException {
        Walk walk = new Walk();
        String subject = msg.getSubject();
        walk.scanIds(subject);
        walk.part(msg, 0);
        return new Extraction(new ArrayList<>(walk.certificates.values()), new ArrayList<>(walk.ids), subject,
                msg.getMessageID());
    }

    /** The state of one extraction. */
    private static final class Walk {
        final Map<ByteBuffer, X509Certificate> certificates = new LinkedHashMap<>();
        final Set<String> ids = new LinkedHashSet<>();

        void part(Part part, int depth) throws MessagingException, IOException {
            if (depth > MAX_DEPTH) {
                return;
            }
            if (isMimeType(part, "multipart/*")) {
                Multipart mp = multipart(part);
                if (mp != null) {
                    for (int i = 0; i < mp.getCount(); i++) {
                        part(mp.getBodyPart(i), depth + 1);
                    }
                    return;
                }
            }
            byte[] bytes = decoded(part);
            if (isMimeType(part, "message/rfc822") || isMimeType(part, "message/global")) {
                message(bytes, depth);
                return;
            }
            boolean textBody = isTextBody(part);
            int before = certificates.size();
            content(bytes, charset(part), true, depth);
            if (textBody) {
                String text = new String(bytes, charset(part));
                scanIds(PEM_BLOCK.matcher(looksLikeHtml(part, text) ? htmlToText(text) : text).replaceAll(" "));
            } else if (certificates.size() == before && looksLikeMessage(bytes)) {
                message(bytes, depth);
            }
        }

        void message(byte[] bytes, int depth) throws MessagingException, IOException {
            MimeMessage inner;
            try {
                inner = new MimeMessage(SESSION, new ByteArrayInputStream(bytes));
                scanIds(inner.getSubject());
            } catch (MessagingException e) {
                content(bytes, StandardCharsets.ISO_8859_1, true, depth);
                return;
            }
            part(inner, depth + 1);
        }

        /** Reads certificates out of decoded content bytes (a part or a ZIP entry). */
        void content(byte[] bytes, Charset charset, boolean zipAllowed, int depth) throws MessagingException,
                IOException {
            if (isZip(bytes)) {
                if (zipAllowed) {
                    zip(bytes, depth);
                }
                return;
            }
            CMSSignedData signature = signedWithSigners(bytes);
            if (signature != null) {
                // An S/MIME signature (RFC 8551): its certificates are the mailer's, never the order's.
                // Opaque-signed mail (smime-type=signed-data) carries the MIME entity inside: walk it.
                Object inner = signature.getSignedContent() == null ? null : signature.getSignedContent().getContent();
                if (inner instanceof byte[] entity && entity.length > 0) {
                    message(entity, depth);
                }
                return;
            }
            add(Certificates.parseAny(bytes));
            if (!looksTextual(bytes)) {
                return;
            }
            String text = new String(bytes, charset);
            if (text.contains("BEGIN")) {
                String html = htmlToText(text);
                String qp = quotedPrintableDecode(text);
                add(Certificates.parsePem(html));
                add(Certificates.parsePem(qp));
                add(Certificates.parsePem(htmlToText(qp)));
            }
        }

        void zip(byte[] bytes, int depth) throws MessagingException, IOException {
            int entries = 0;
            long total = 0;
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes), StandardCharsets.ISO_8859_1)) {
                ZipEntry entry;
                while ((entry = in.getNextEntry()) != null) {
                    entries++;
                    if (entries > MAX_ZIP_ENTRIES) {
                        throw new PkiException(PkiException.ZIP_LIMIT,
                                "ZIP bundle holds more than " + MAX_ZIP_ENTRIES + " entries");
                    }
                    if (entry.isDirectory()) {
                        continue;
                    }
                    byte[] content = readLimited(in, entry.getName(), MAX_ZIP_TOTAL_BYTES - total);
                    total += content.length;
                    if (!isZip(content)) {
                        content(content, StandardCharsets.ISO_8859_1, false, depth + 1);
                    }
                }
            } catch (IOException | IllegalArgumentException e) {
                // in memory, so not a connection problem: a corrupt, truncated, encrypted or unsupported
                // archive (ZipException, EOFException) yields no further certificates
            }
        }

        void add(List<X509Certificate> certs) {
            for (X509Certificate c : certs) {
                certificates.putIfAbsent(ByteBuffer.wrap(Certificates.encoded(c)), c);
            }
        }

        void scanIds(String text) {
            if (text == null) {
                return;
            }
            Matcher m = ORDER_ID.matcher(text);
            while (m.find()) {
                ids.add(m.group());
            }
        }
    }

    // --- content helpers --------------------------------------------------------------------

    private static byte[] readLimited(InputStream in, String name, long totalLeft) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_ZIP_ENTRY_BYTES) {
                throw new PkiException(PkiException.ZIP_LIMIT, "ZIP entry '" + name + "' expands beyond "
                        + MAX_ZIP_ENTRY_BYTES + " bytes");
            }
            if (out.size() > totalLeft) {
                throw new PkiException(PkiException.ZIP_LIMIT, "ZIP bundle expands beyond " + MAX_ZIP_TOTAL_BYTES
                        + " bytes in all");
            }
        }
        return out.toByteArray();
    }

    /** A CMS SignedData with at least one signer (an S/MIME signature), or null. */
    private static CMSSignedData signedWithSigners(byte[] bytes) {
        if (bytes.length < 16 || bytes[0] != 0x30) {
            return null;
        }
        try {
            CMSSignedData signed = new CMSSignedData(bytes);
            return signed.getSignerInfos().size() > 0 ? signed : null;
        } catch (CMSException | RuntimeException e) {
            return null;
        }
    }

    /** Whether bytes read as text: under 1% control characters (other than whitespace) in the first 64 KiB. */
    private static boolean looksTextual(byte[] b) {
        int n = Math.min(b.length, 65536);
        int control = 0;
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f) {
                control++;
            }
        }
        return control * 100 <= n;
    }

    private static boolean isZip(byte[] b) {
        return b.length >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6));
    }

    /**
     * Reduces HTML to text: script/style and comments dropped, line-breaking tags turned into
     * newlines, other tags removed, character references decoded (HTML 5 numeric references
     * and the usual named ones; unknown names left as they are).
     *
     * @param html the HTML (or any text)
     * @return the text
     */
    static String htmlToText(String html) {
        String s = HTML_SCRIPT_STYLE.matcher(html).replaceAll(" ");
        s = HTML_COMMENT.matcher(s).replaceAll(" ");
        s = HTML_BREAK.matcher(s).replaceAll("\n");
        s = HTML_TAG.matcher(s).replaceAll("");
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder(s.length());
        while (m.find()) {
            String ref = m.group(1);
            String rep;
            if (ref.startsWith("#x") || ref.startsWith("#X")) {
                rep = codePoint(Integer.parseInt(ref.substring(2), 16), m.group());
            } else if (ref.startsWith("#")) {
                rep = codePoint(Integer.parseInt(ref.substring(1)), m.group());
            } else {
                rep = NAMED_ENTITIES.getOrDefault(ref.toLowerCase(Locale.ROOT), m.group());
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(rep));
        }
        m.appendTail(sb);
        return sb.toString().replace('\u00a0', ' ');
    }

    private static String codePoint(int cp, String fallback) {
        return Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : fallback;
    }

    /**
     * Lenient quoted-printable decoding (RFC 2045 section 6.7): soft line breaks
     * ({@code =} at the end of a line) joined, {@code =XX} decoded, anything else kept.
     *
     * @param text the text
     * @return the decoded text (bytes mapped as ISO-8859-1)
     */
    static String quotedPrintableDecode(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '=') {
                sb.append(c);
                continue;
            }
            int j = i + 1;
            while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
                j++; // transport padding before a soft line break
            }
            if (j < text.length() && (text.charAt(j) == '\n' || text.charAt(j) == '\r')) {
                if (text.charAt(j) == '\r' && j + 1 < text.length() && text.charAt(j + 1) == '\n') {
                    j++;
                }
                i = j;
                continue;
            }
            if (i + 2 < text.length() && isHex(text.charAt(i + 1)) && isHex(text.charAt(i + 2))) {
                sb.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
                continue;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Whether bytes begin with an RFC 5322 header block naming at least one mail header. */
    private static boolean looksLikeMessage(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 16384), StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\\r?\\n", -1);
        if (lines.length < 2 || !HEADER_LINE.matcher(lines[0]).matches()) {
            return false;
        }
        boolean known = false;
        for (String line : lines) {
            if (line.isEmpty()) {
                return known;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                continue; // folded continuation
            }
            if (!HEADER_LINE.matcher(line).matches()) {
                return false;
            }
            known |= MAIL_HEADERS.contains(line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT));
        }
        return false;
    }

    // --- MIME helpers -----------------------------------------------------------------------

    private static boolean isMimeType(Part part, String type) {
        try {
            return part.isMimeType(type);
        } catch (MessagingException e) {
            return false; // an unparseable Content-Type is read as application/octet-stream
        }
    }

    private static Multipart multipart(Part part) throws MessagingException, IOException {
        try {
            Object content = part.getContent();
            if (content instanceof Multipart mp) {
                mp.getCount(); // forces parsing: a broken multipart is read as plain content instead
                return mp;
            }
            return null;
        } catch (FolderClosedException | StoreClosedException | MessageRemovedException e) {
            throw e;
        } catch (MessagingException e) {
            return null;
        } catch (IOException e) {
            rethrowIfConnection(e);
            return null;
        }
    }

    private static boolean isTextBody(Part part) {
        try {
            if (!(part.isMimeType("text/plain") || part.isMimeType("text/html"))) {
                return false;
            }
            return !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) && part.getFileName() == null;
        } catch (MessagingException e) {
            return false;
        }
    }

    private static boolean looksLikeHtml(Part part, String text) {
        if (isMimeType(part, "text/html")) {
            return true;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        return lower.contains("<html") || lower.contains("<br") || lower.contains("<p>") || lower.contains("<div");
    }

    private static Charset charset(Part part) {
        try {
            String type = part.getContentType();
            if (type != null) {
                String cs = new ContentType(type).getParameter("charset");
                if (cs != null && Charset.isSupported(cs.strip())) {
                    return Charset.forName(cs.strip());
                }
            }
        } catch (MessagingException | RuntimeException e) {
            // fall through
        }
        return StandardCharsets.ISO_8859_1;
    }

    /**
     * The part's content with its Content-Transfer-Encoding undone; a part whose encoding is
     * broken is read raw (base64 leniently decoded).
     */
    private static byte[] decoded(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        } catch (FolderClosedException | StoreClosedException | MessageRemovedException e) {
            throw e;
        } catch (MessagingException | IOException e) {
            if (e instanceof IOException io) {
                rethrowIfConnection(io);
            }
            if (!(part instanceof MimePart mp)) {
                return new byte[0];
            }
            byte[] raw = raw(mp);
            String encoding = mp.getEncoding();
            if (encoding != null && "base64".equalsIgnoreCase(encoding.strip())) {
                try {
                    return Base64.getMimeDecoder().decode(stripPadding(raw));
                } catch (IllegalArgumentException bad) {
                    return raw;
                }
            }
            return raw;
        }
    }

    private static byte[] stripPadding(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (byte b : raw) {
            if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/') {
                out.write(b);
            }
        }
        byte[] clean = out.toByteArray();
        int usable = clean.length - (clean.length % 4 == 1 ? 1 : 0);
        return java.util.Arrays.copyOf(clean, usable);
    }

    private static byte[] raw(MimePart part) throws MessagingException, IOException {
        InputStream in;
        if (part instanceof jakarta.mail.internet.MimeBodyPart bp) {
            in = bp.getRawInputStream();
        } else if (part instanceof MimeMessage m) {
            in = m.getRawInputStream();
        } else {
            return new byte[0];
        }
        try (in) {
            return in.readAllBytes();
        }
    }

    private static void rethrowIfConnection(IOException e) throws IOException {
        String name = e.getClass().getSimpleName();
        if (name.equals("FolderClosedIOException") || name.equals("MessageRemovedIOException")) {
            throw e;
        }
    }
}
