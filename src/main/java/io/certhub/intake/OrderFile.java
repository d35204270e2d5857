package io.certhub.intake;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.problem.HubProblem;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * An order file of the inbox, checked whole before any order in it is used
 * (shared/CONTRACT.md, "Files"): UTF-8 (a BOM is tolerated), size, and syntax. JSON files hold
 * one order object or an array of them; CSV files have a header row of dotted paths
 * ({@code contacts.admin.email}), {@code additionalDomains} space- or comma-separated, quoted
 * multi-line cells allowed (Commons CSV, RFC 4180).
 *
 * <p>Memory (issue 16, item 4): the file is never held whole. {@link #scan} reads it once in 64 KB
 * blocks (SHA-256 and the UTF-8 check); {@link #check} and {@link #forEachOrder} each stream it
 * again from its {@link Source} through an {@link OrderSizeGuard}, so a parser holds at most
 * about one order ({@code maxOrderChars}) and {@link #forEachOrder} hands on one order's tree at a time.
 *
 * <p>Reports never quote more than a short, sanitised excerpt of the content ({@link Excerpt}):
 * an unknown CSV column is quoted to {@value Excerpt#CONTENT} characters, Jackson quotes at most
 * {@value Excerpt#CONTENT} characters of a bad token, and a library's message is cut to
 * {@value Excerpt#MESSAGE} characters, control characters removed; Commons CSV's header messages
 * (which list the whole header row) are never relayed.
 *
 * <p>Errors (all {@link HubProblem}, status 422): {@code FILE_NOT_UTF8} naming the first bad
 * line, {@code FILE_UNPARSEABLE} naming line and column (or the unknown CSV column),
 * {@code FILE_ORDER_TOO_LARGE} naming the line where one order passed {@code maxOrderChars},
 * {@code FILE_TYPE_UNSUPPORTED}.
 */
public final class OrderFile {

    /** Opens the file's bytes afresh for each pass. */
    @FunctionalInterface
    public interface Source {
        /** @return a new stream over the whole file @throws IOException when it cannot be opened */
        InputStream open() throws IOException;
    }

    /**
     * What one pass over the bytes found.
     *
     * @param sha256      hex SHA-256 of the bytes
     * @param bytes       how many bytes
     * @param utf8Problem null when the bytes are UTF-8, else the {@code FILE_NOT_UTF8} detail naming the line
     */
    public record Scan(String sha256, long bytes, String utf8Problem) { }

    /** Code of a file with one order over {@code hub.intake.max-order-size}. */
    public static final String ORDER_TOO_LARGE = "FILE_ORDER_TOO_LARGE";
    /** Default most characters of one order (1 MiB). */
    public static final long DEFAULT_MAX_ORDER_CHARS = 1 << 20;

    /** CSV columns an order row may have: the dotted paths of the order document. */
    public static final Set<String> CSV_COLUMNS;

    static {
        java.util.LinkedHashSet<String> cols = new java.util.LinkedHashSet<>(List.of("clientReference", "productType", "handle", "period",
            "domain", "additionalDomains", "csr", "serverType", "approverEmail", "dcvMethod"));
        for (String who : List.of("admin", "tech", "billing", "organization", "signer")) {
            for (String f : List.of("firstName", "lastName", "orgName", "title", "address1", "address2", "address3", "city", "state",
                "postalCode", "country", "phone", "fax", "email")) {
                cols.add("contacts." + who + "." + f);
            }
        }
        CSV_COLUMNS = java.util.Collections.unmodifiableSet(cols);
    }

    private final String name;
    private final Source source;
    private final boolean csv;
    private final ObjectMapper mapper;
    private final JsonFactory json;
    private final long maxOrderChars;

    private OrderFile(String name, Source source, boolean csv, ObjectMapper mapper, long maxOrderChars) {
        this.name = name;
        this.source = source;
        this.csv = csv;
        this.mapper = mapper;
        this.maxOrderChars = maxOrderChars;
        // Jackson quotes a bad token in its messages: at most an excerpt's length, and never the raw content
        this.json = mapper.getFactory().copy().setErrorReportConfiguration(
            ErrorReportConfiguration.builder().maxErrorTokenLength(Excerpt.CONTENT).maxRawContentLength(0).build());
    }

    /**
     * @param fileName a file name
     * @return whether the hub reads it: {@code .json} or {@code .csv}, any case
     */
    public static boolean supported(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".json") || n.endsWith(".csv");
    }

    /**
     * One pass over the bytes in 64 KB blocks: their SHA-256 and whether they are UTF-8.
     *
     * @param in the file's bytes (closed here)
     * @return hash, size and the UTF-8 problem if any
     * @throws IOException when the bytes cannot be read
     */
    public static Scan scan(InputStream in) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] chunk = new byte[65536];
        ByteBuffer bb = ByteBuffer.allocate(chunk.length + 16);
        CharBuffer cb = CharBuffer.allocate(chunk.length + 16);
        long[] pos = {0, 1};              // bytes decoded, line
        String problem = null;
        long total = 0;
        try (InputStream s = in) {
            int n;
            while ((n = s.read(chunk)) >= 0) {
                sha.update(chunk, 0, n);
                total += n;
                if (problem == null) {
                    bb.put(chunk, 0, n);
                    bb.flip();
                    problem = decode(dec, bb, cb, false, pos);
                    bb.compact();
                }
            }
        }
        if (problem == null) {
            bb.flip();
            problem = decode(dec, bb, cb, true, pos);
            if (problem == null && dec.flush(cb).isError()) {
                problem = notUtf8(pos);
            }
        }
        return new Scan(HexFormat.of().formatHex(sha.digest()), total, problem);
    }

    private static String decode(CharsetDecoder dec, ByteBuffer bb, CharBuffer cb, boolean end, long[] pos) {
        while (true) {
            int start = bb.position();
            CoderResult r = dec.decode(bb, cb, end);
            byte[] a = bb.array();
            for (int i = start; i < bb.position(); i++) {
                if (a[i] == '\n') {
                    pos[1]++;
                }
            }
            pos[0] += bb.position() - start;
            cb.clear();
            if (r.isError()) {
                return notUtf8(pos);
            }
            if (r.isUnderflow()) {
                return null;
            }
        }
    }

    private static String notUtf8(long[] pos) {
        return "line " + pos[1] + " is not valid UTF-8 (byte offset " + pos[0] + "); save the file as UTF-8";
    }

    /**
     * Checks a whole file in memory (tests and small callers): {@link #scan} then {@link #check(String, Source, ObjectMapper, long)}
     * with the default order limit.
     *
     * @param fileName its name ({@code .json} or {@code .csv})
     * @param bytes    its content
     * @param mapper   Jackson mapper
     * @return the checked file, ready for {@link #forEachOrder}
     * @throws HubProblem FILE_TYPE_UNSUPPORTED, FILE_NOT_UTF8, FILE_UNPARSEABLE, FILE_ORDER_TOO_LARGE
     */
    public static OrderFile check(String fileName, byte[] bytes, ObjectMapper mapper) {
        if (!supported(fileName)) {
            throw new HubProblem(422, "FILE_TYPE_UNSUPPORTED", null, fileName + ": only .json and .csv order files are read");
        }
        try {
            String problem = scan(new ByteArrayInputStream(bytes)).utf8Problem();
            if (problem != null) {
                throw new HubProblem(422, "FILE_NOT_UTF8", null, problem);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return check(fileName, () -> new ByteArrayInputStream(bytes), mapper, DEFAULT_MAX_ORDER_CHARS);
    }

    /**
     * Checks the syntax of a whole file, streaming it, without writing anything. Its bytes must
     * have been found UTF-8 by {@link #scan} first.
     *
     * @param fileName      its name ({@code .json} or {@code .csv})
     * @param source        opens the file's bytes (once here, once more per {@link #forEachOrder})
     * @param mapper        Jackson mapper
     * @param maxOrderChars most characters of one order (CSV record, JSON order object)
     * @return the checked file, ready for {@link #forEachOrder}
     * @throws HubProblem FILE_TYPE_UNSUPPORTED, FILE_NOT_UTF8 (the file changed since the scan),
     *                    FILE_UNPARSEABLE, FILE_ORDER_TOO_LARGE
     */
    public static OrderFile check(String fileName, Source source, ObjectMapper mapper, long maxOrderChars) {
        if (!supported(fileName)) {
            throw new HubProblem(422, "FILE_TYPE_UNSUPPORTED", null, fileName + ": only .json and .csv order files are read");
        }
        boolean csv = fileName.toLowerCase(Locale.ROOT).endsWith(".csv");
        OrderFile f = new OrderFile(fileName, source, csv, mapper, maxOrderChars);
        try {
            if (csv) {
                f.checkCsv();
            } else {
                f.checkJson();
            }
        } catch (HubProblem p) {
            throw p;
        } catch (IOException | RuntimeException e) {
            throw f.fileProblem(e);
        }
        return f;
    }

    /** The text of the file, BOM removed, behind the order size guard. */
    private Reader open() throws IOException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader r = new BufferedReader(new InputStreamReader(source.open(), dec), 65536);
        r.mark(1);
        if (r.read() != '\uFEFF') {
            r.reset();
        }
        return new OrderSizeGuard(r, csv, maxOrderChars);
    }

    /**
     * Feeds each order of the file, as a JSON object tree, in file order, streaming it: one
     * order's tree at a time.
     *
     * @param sink receives each order's tree
     * @throws UncheckedIOException when the file cannot be read again (it changed or went since {@link #check})
     */
    public void forEachOrder(Consumer<JsonNode> sink) {
        if (csv) {
            try (CSVParser p = csvFormat().parse(open())) {
                List<String> header = p.getHeaderNames();
                for (CSVRecord r : p) {
                    sink.accept(row(header, r));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            try (JsonParser p = json.createParser(open())) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_OBJECT) {
                    sink.accept(mapper.readTree(p));
                } else {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        sink.accept(mapper.readTree(p));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private ObjectNode row(List<String> header, CSVRecord r) {
        ObjectNode root = mapper.createObjectNode();
        for (int i = 0; i < header.size() && i < r.size(); i++) {
            String value = r.get(i);
            if (value == null || value.isEmpty()) {
                continue;
            }
            String[] path = header.get(i).trim().split("\\.");
            ObjectNode node = root;
            for (int k = 0; k < path.length - 1; k++) {
                node = node.has(path[k]) ? (ObjectNode) node.get(path[k]) : node.putObject(path[k]);
            }
            String leaf = path[path.length - 1];
            if (leaf.equals("additionalDomains")) {
                var arr = node.putArray(leaf);
                for (String d : value.trim().split("[\\s,]+")) {
                    if (!d.isEmpty()) {
                        arr.add(d);
                    }
                }
            } else {
                node.put(leaf, value);
            }
        }
        return root;
    }

    private void checkCsv() throws IOException {
        CSVParser p;
        try {
            p = csvFormat().parse(open());
        } catch (IllegalArgumentException e) {
            // Commons CSV names the whole header row in these messages: never relayed
            throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": line 1: the header row has a duplicate or an empty column name");
        }
        try (p) {
            List<String> header = p.getHeaderNames();
            if (header.isEmpty()) {
                throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": the CSV has no header row");
            }
            for (String h : header) {
                if (!CSV_COLUMNS.contains(h.trim())) {
                    throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": line 1: unknown column '" + Excerpt.of(h, Excerpt.CONTENT)
                        + "'; columns are the order's dotted paths such as contacts.admin.email");
                }
            }
            Iterator<CSVRecord> it = p.iterator();
            while (true) {
                CSVRecord r;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    r = it.next();
                } catch (UncheckedIOException | IllegalStateException | NoSuchElementException e) {
                    throw fileProblem(e, "line " + p.getCurrentLineNumber() + ": ");
                }
                if (r.size() != header.size()) {
                    throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": line " + p.getCurrentLineNumber() + ": record "
                        + r.getRecordNumber() + " has " + r.size() + " values but the header has " + header.size() + " columns");
                }
            }
        }
    }

    private HubProblem fileProblem(Throwable e) {
        return fileProblem(e, "");
    }

    /** Turns a failure of a parser (or of the guard or decoder under it) into the file's problem. */
    private HubProblem fileProblem(Throwable e, String where) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OrderSizeGuard.OrderTooLargeException big) {
                return new HubProblem(422, ORDER_TOO_LARGE, null, name + ": line " + big.line() + ": an order is longer than " + big.limit()
                    + " characters (hub.intake.max-order-size); nothing in the file was used");
            }
            if (t instanceof CharacterCodingException) {
                return new HubProblem(422, "FILE_NOT_UTF8", null, name + ": the file is not valid UTF-8 (it changed while it was read); save it as UTF-8");
            }
            if (t instanceof HubProblem p) {
                return p;
            }
        }
        return new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": " + where + Excerpt.of(rootMessage(e), Excerpt.MESSAGE));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static CSVFormat csvFormat() {
        return CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreEmptyLines(true)
            .setTrim(false).get();
    }

    private void checkJson() throws IOException {
        try (JsonParser p = json.createParser(open())) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": the file is empty; expected an order object or an array of them");
            }
            if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
                throw unparseable(p.currentLocation(), "expected an order object or an array of them");
            }
            if (first == JsonToken.START_ARRAY) {
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.START_OBJECT) {
                        throw unparseable(p.currentLocation(), "every element of the array must be an order object");
                    }
                    p.skipChildren();
                }
            } else {
                p.skipChildren();
            }
            if (p.nextToken() != null) {
                throw unparseable(p.currentLocation(), "unexpected content after the end of the JSON value");
            }
        } catch (JsonParseException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof OrderSizeGuard.OrderTooLargeException) {
                    throw fileProblem(e);
                }
            }
            throw unparseable(e.getLocation(), Excerpt.of(e.getOriginalMessage(), Excerpt.MESSAGE));
        }
    }

    private HubProblem unparseable(JsonLocation loc, String what) {
        return new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": " + what);
    }

    /** @return whether this is a CSV file */
    public boolean isCsv() {
        return csv;
    }
}
