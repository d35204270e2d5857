package io.certhub.intake;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certhub.problem.HubProblem;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * <p>Errors (all {@link HubProblem}, status 422): {@code FILE_NOT_UTF8} naming the first bad
 * line, {@code FILE_UNPARSEABLE} naming line and column (or the unknown CSV column),
 * {@code FILE_TYPE_UNSUPPORTED}.
 */
public final class OrderFile {

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
    private final String text;
    private final boolean csv;
    private final ObjectMapper mapper;

    private OrderFile(String name, String text, boolean csv, ObjectMapper mapper) {
        this.name = name;
        this.text = text;
        this.csv = csv;
        this.mapper = mapper;
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
     * Checks a whole file without writing anything.
     *
     * @param fileName its name ({@code .json} or {@code .csv})
     * @param bytes    its content
     * @param mapper   Jackson mapper
     * @return the checked file, ready for {@link #forEachOrder}
     * @throws HubProblem FILE_TYPE_UNSUPPORTED, FILE_NOT_UTF8, FILE_UNPARSEABLE
     */
    public static OrderFile check(String fileName, byte[] bytes, ObjectMapper mapper) {
        if (!supported(fileName)) {
            throw new HubProblem(422, "FILE_TYPE_UNSUPPORTED", null, fileName + ": only .json and .csv order files are read");
        }
        String text = decodeUtf8(bytes);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        boolean csv = fileName.toLowerCase(Locale.ROOT).endsWith(".csv");
        OrderFile f = new OrderFile(fileName, text, csv, mapper);
        if (csv) {
            f.checkCsv();
        } else {
            f.checkJson();
        }
        return f;
    }

    /**
     * Feeds each order of the file, as a JSON object tree, in file order (streamed: the file is
     * not turned into a list of documents first).
     *
     * @param sink receives each order's tree
     */
    public void forEachOrder(Consumer<JsonNode> sink) {
        if (csv) {
            try (CSVParser p = csvFormat().parse(new StringReader(text))) {
                List<String> header = p.getHeaderNames();
                for (CSVRecord r : p) {
                    sink.accept(row(header, r));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            try (JsonParser p = mapper.getFactory().createParser(text)) {
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

    private void checkCsv() {
        try (CSVParser p = csvFormat().parse(new StringReader(text))) {
            List<String> header = p.getHeaderNames();
            if (header.isEmpty()) {
                throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": the CSV has no header row");
            }
            for (String h : header) {
                if (!CSV_COLUMNS.contains(h.trim())) {
                    throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": line 1: unknown column '" + h + "'; columns are the order's dotted paths such as contacts.admin.email");
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
                    throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": line " + p.getCurrentLineNumber() + ": " + rootMessage(e));
                }
                if (r.size() != header.size()) {
                    throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": line " + p.getCurrentLineNumber() + ": record "
                        + r.getRecordNumber() + " has " + r.size() + " values but the header has " + header.size() + " columns");
                }
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static CSVFormat csvFormat() {
        return CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreEmptyLines(true)
            .setTrim(false).get();
    }

    private void checkJson() {
        try (JsonParser p = mapper.getFactory().createParser(text)) {
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
            throw unparseable(e.getLocation(), e.getOriginalMessage());
        } catch (IOException e) {
            throw new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": " + e.getMessage());
        }
    }

    private HubProblem unparseable(JsonLocation loc, String what) {
        return new HubProblem(422, "FILE_UNPARSEABLE", null, name + ": line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": " + what);
    }

    /**
     * @param bytes file content
     * @return the text
     * @throws HubProblem FILE_NOT_UTF8 naming the first line with an invalid byte sequence
     */
    static String decodeUtf8(byte[] bytes) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) {
            int pos = in.position();
            int line = 1;
            for (int i = 0; i < pos; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new HubProblem(422, "FILE_NOT_UTF8", null, "line " + line + " is not valid UTF-8 (byte offset " + pos
                + "); save the file as UTF-8");
        }
        dec.flush(out);
        out.flip();
        return out.toString();
    }

    /** @return whether this is a CSV file */
    public boolean isCsv() {
        return csv;
    }

}
