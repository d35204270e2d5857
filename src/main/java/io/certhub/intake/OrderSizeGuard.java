package io.certhub.intake;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * A reader in front of the CSV or JSON parser of an order file that refuses any single order
 * longer than a limit ({@code hub.intake.max-order-size}), so a parser never buffers more than
 * about one order, whatever the file holds (issue 16, item 4: a 100 KB field or a multi-MB
 * record must not make the hub hold the file several times over).
 *
 * <p>It follows the file's structure itself, independently of how far ahead the parser reads:
 * <ul>
 *   <li>CSV (RFC 4180): an order is a record; a record ends at a line feed outside double quotes
 *       (a doubled quote inside a quoted cell toggles twice, so the count stays right). The
 *       header row counts as a record.</li>
 *   <li>JSON: an order is an element of the top-level array (or the whole top-level object);
 *       characters count from the first one inside an element until the array is back at its
 *       own depth, strings and escapes followed so brackets inside strings do not count.</li>
 * </ul>
 *
 * <p>Errors: {@link OrderTooLargeException} (an {@link IOException}) naming the line where the
 * order being read passed the limit.
 */
public final class OrderSizeGuard extends FilterReader {

    /** Thrown by the reader when one order passes the limit. */
    public static final class OrderTooLargeException extends IOException {
        private final long line;
        private final long limit;

        OrderTooLargeException(long line, long limit) {
            super("line " + line + ": an order is longer than " + limit + " characters");
            this.line = line;
            this.limit = limit;
        }

        /** @return 1-based line where the order passed the limit */
        public long line() {
            return line;
        }

        /** @return the limit in characters */
        public long limit() {
            return limit;
        }
    }

    private final boolean csv;
    private final long limit;
    private long line = 1;
    private long count;
    // CSV
    private boolean quoted;
    // JSON
    private boolean inString;
    private boolean escaped;
    private int depth;
    /** Depth from which characters belong to an order: 1 for a top-level object, 2 inside a top-level array; 0 until known. */
    private int orderDepth;

    /**
     * @param in    the decoded text of the file (BOM already removed)
     * @param csv   true for CSV, false for JSON
     * @param limit most characters of one order (at least 1)
     */
    public OrderSizeGuard(Reader in, boolean csv, long limit) {
        super(in);
        this.csv = csv;
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
            see((char) c);
        }
        return c;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        for (int i = 0; i < n; i++) {
            see(buf[off + i]);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long done = 0;
        while (done < n && read() >= 0) {
            done++;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void see(char c) throws OrderTooLargeException {
        if (c == '\n') {
            line++;
        }
        if (csv) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == '\n' && !quoted) {
                count = 0;
                return;
            }
            count(c);
            return;
        }
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
            }
            count(c);
            return;
        }
        switch (c) {
            case '"' -> inString = true;
            case '{', '[' -> {
                if (orderDepth == 0) {
                    orderDepth = c == '[' ? 2 : 1;
                }
                depth++;
            }
            case '}', ']' -> depth--;
            default -> { }
        }
        if (!inString && depth < orderDepth) {
            count = 0;          // between two orders (the closing bracket of one included)
        } else {
            count(c);
        }
    }

    private void count(char c) throws OrderTooLargeException {
        if (++count > limit) {
            throw new OrderTooLargeException(line, limit);
        }
    }
}
