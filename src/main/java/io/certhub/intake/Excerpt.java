package io.certhub.intake;

/**
 * Short, sanitised excerpts of untrusted text (a file's content, a library message that quotes
 * it) for inbox reports and logs (issue 16, item 1: a report never echoes file content beyond
 * such an excerpt).
 *
 * <p>Sanitising removes every ISO control character (C0, DEL, C1: NUL, CR, LF, ESC …), every
 * Unicode format character (category Cf: bidi overrides, zero-width characters), line and
 * paragraph separators and unpaired surrogates; then at most {@code max} code points are kept,
 * and a cut text ends with {@code "… (+N chars)"}, N counting the code points left out.
 */
public final class Excerpt {

    /** Code points of file content quoted in a file-level report message. */
    public static final int CONTENT = 40;
    /** Code points of a library's message (Jackson, Commons CSV, JDBC) relayed in a report. */
    public static final int MESSAGE = 160;
    /** Code points of a per-order error detail in a report (it quotes the order's own values). */
    public static final int DETAIL = 600;

    private Excerpt() { }

    /**
     * @param text untrusted text, may be null
     * @param max  most code points kept (at least 1)
     * @return the sanitised, cut text; null for null
     */
    public static String of(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max) + 24);
        int kept = 0;
        int i = 0;
        while (i < text.length() && kept < max) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!unsafe(cp)) {
                sb.appendCodePoint(cp);
                kept++;
            }
        }
        int left = 0;
        for (int k = i; k < text.length(); ) {
            int cp = text.codePointAt(k);
            k += Character.charCount(cp);
            if (!unsafe(cp)) {
                left++;
            }
        }
        if (left > 0) {
            sb.append("\u2026 (+").append(left).append(" chars)");
        }
        return sb.toString();
    }

    /**
     * @param cp a code point
     * @return whether it is removed: control, format, line/paragraph separator or a lone surrogate
     */
    static boolean unsafe(int cp) {
        if (Character.isISOControl(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
            || type == Character.SURROGATE;
    }
}
