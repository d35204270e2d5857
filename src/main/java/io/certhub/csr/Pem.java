package io.certhub.csr;

import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading and writing the PEM form of a CSR (RFC 7468 §7 "PKCS #10", lax reading as in §2 and §3).
 *
 * <p>Reading accepts: a UTF-8 byte-order mark, CRLF/CR/LF line ends, text before and after the
 * block, indented lines and trailing blanks, the base64 in lines of any length (also all on one
 * line, also separated by spaces), the legacy label {@code NEW CERTIFICATE REQUEST}, missing
 * base64 padding, and the two-character sequences {@code \n} / {@code \r} left behind by a
 * double JSON escaping. Anything else between the lines is an error.
 */
final class Pem {

    static final String BEGIN = "-----BEGIN CERTIFICATE REQUEST-----";
    static final String END = "-----END CERTIFICATE REQUEST-----";

    /** Largest text read at all; a CSR with a 16384-bit RSA key is about 5 KB of PEM. */
    static final int MAX_TEXT_LENGTH = 64 * 1024;

    private static final Pattern BEGIN_CSR = Pattern.compile("-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----");
    private static final Pattern END_CSR = Pattern.compile("-----END (?:NEW )?CERTIFICATE REQUEST-----");
    private static final Pattern ANY_BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----");

    private Pem() {
    }

    /**
     * Extracts the DER bytes of the one CSR in a text.
     *
     * @param text PEM text as received
     * @return the decoded DER (not yet checked)
     * @throws CsrException {@code CSR_UNPARSEABLE} saying what is wrong with the PEM
     */
    static byte[] decode(String text) {
        if (text == null) {
            throw unparseable("no CSR was given");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw unparseable("the CSR text is " + text.length() + " characters long; a CSR is at most "
                    + MAX_TEXT_LENGTH + " characters of PEM");
        }
        if (text.isBlank() || text.strip().equals("\uFEFF")) {
            throw unparseable("the CSR text is empty");
        }
        Matcher begin = BEGIN_CSR.matcher(text);
        if (!begin.find()) {
            throw unparseable(noBeginDetail(text));
        }
        Matcher end = END_CSR.matcher(text);
        if (!end.find(begin.end())) {
            throw unparseable("the PEM has no '" + END + "' line: the CSR is cut short or incomplete");
        }
        if (BEGIN_CSR.matcher(text).region(end.end(), text.length()).find()) {
            throw unparseable("the text holds more than one CSR; send exactly one");
        }
        String body = text.substring(begin.end(), end.start());
        return decodeBase64(body);
    }

    /**
     * Writes DER as canonical PEM: standard label, 64-column base64, LF line ends, final newline
     * (RFC 7468 §2, strict form).
     */
    static String encode(byte[] der) {
        String b64 = Base64.getEncoder().encodeToString(der);
        StringBuilder sb = new StringBuilder(b64.length() + b64.length() / 64 + BEGIN.length() + END.length() + 4);
        sb.append(BEGIN).append('\n');
        for (int i = 0; i < b64.length(); i += 64) {
            sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        sb.append(END).append('\n');
        return sb.toString();
    }

    private static byte[] decodeBase64(String body) {
        StringBuilder b64 = new StringBuilder(body.length());
        int padding = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length() && (body.charAt(i + 1) == 'n' || body.charAt(i + 1) == 'r')) {
                i++; // a literal "\n" left by double JSON escaping
                continue;
            }
            if (Character.isWhitespace(c) || c == '\uFEFF' || c == '\u00A0') {
                continue;
            }
            boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/';
            if (c == '=') {
                padding++;
                continue;
            }
            if (!alphabet) {
                throw unparseable("the CSR's base64 contains " + describe(c)
                        + ", which is not a base64 character (RFC 7468 §3)");
            }
            if (padding > 0) {
                throw unparseable("the CSR's base64 has '=' padding in the middle (RFC 7468 §3)");
            }
            b64.append(c);
        }
        if (b64.length() == 0) {
            throw unparseable("the PEM block is empty: there is no base64 between the BEGIN and END lines");
        }
        if (padding > 2 || b64.length() % 4 == 1) {
            throw unparseable("the CSR's base64 has a wrong length (" + b64.length()
                    + " characters): a part is missing or was added");
        }
        while (b64.length() % 4 != 0) {
            b64.append('=');
        }
        try {
            return Base64.getDecoder().decode(b64.toString());
        } catch (IllegalArgumentException e) {
            throw new CsrException(CsrException.CSR_UNPARSEABLE,
                    "the CSR's base64 cannot be decoded: " + e.getMessage(), e);
        }
    }

    private static String noBeginDetail(String text) {
        Matcher other = ANY_BEGIN.matcher(text);
        if (other.find()) {
            String label = other.group(1);
            if (label.contains("PRIVATE KEY")) {
                return "this is a private key (" + label + "), not a CSR: never send a private key;"
                        + " send the '" + BEGIN + "' block instead";
            }
            return "found a '" + label + "' PEM block, but a CSR starts with '" + BEGIN + "'";
        }
        if (END_CSR.matcher(text).find()) {
            return "the PEM has no '" + BEGIN + "' line: the start of the CSR is missing";
        }
        return "no PEM CSR found: a CSR is text starting with '" + BEGIN + "' (RFC 7468 §7)";
    }

    private static String describe(char c) {
        if (c >= 0x21 && c < 0x7F) {
            return "'" + c + "'";
        }
        return String.format("the character U+%04X", (int) c);
    }

    private static CsrException unparseable(String detail) {
        return new CsrException(CsrException.CSR_UNPARSEABLE, detail);
    }
}
