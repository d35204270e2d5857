package io.certhub.issuer.opensrs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.DocumentType;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Encodes and decodes the OpenSRS "OPS envelope" (protocol XCP), the XML body of every request
 * to and reply from the OpenSRS API.
 *
 * <p>Wire shape (opensrs-trust-api.md, "Envelope", after the OpenSRS API guide):
 * <pre>{@code
 * <?xml version='1.0' encoding='UTF-8' standalone='no'?>
 * <!DOCTYPE OPS_envelope SYSTEM 'ops.dtd'>
 * <OPS_envelope><header><version>0.9</version></header><body><data_block>
 *   <dt_assoc><item key="protocol">XCP</item>…<item key="attributes"><dt_assoc>…</dt_assoc></item></dt_assoc>
 * </data_block></body></OPS_envelope>
 * }</pre>
 * Data types: a {@code dt_assoc} is a map of {@code <item key="…">}, a {@code dt_array} a list of
 * {@code <item key="0">}, {@code <item key="1">}…, and an item holding only text is a scalar.
 *
 * <p>Java mapping: {@link Map} ↔ {@code dt_assoc} (decoded as {@link LinkedHashMap}, document
 * order), {@link Collection} ↔ {@code dt_array} (decoded as {@link List} ordered by key), scalar ↔
 * text (decoded always as {@link String}). Encoding writes String/CharSequence as is, Number as
 * its plain decimal text ({@link BigDecimal#toPlainString()} for BigDecimal), Boolean as
 * {@code "1"}/{@code "0"} (the OPS convention), Enum as its {@code name()}. {@code null} map values
 * and list elements are omitted (remaining list elements are numbered 0..n-1 without gaps).
 *
 * <p>Security: the DOCTYPE names a DTD that must never be fetched, so {@link #decode} parses with
 * the JDK's built-in parser, external DTD loading off, external general and parameter entities
 * off, XInclude off, entity references not expanded, {@link XMLConstants#FEATURE_SECURE_PROCESSING}
 * on (entity expansion limits) and {@link XMLConstants#ACCESS_EXTERNAL_DTD}/{@link
 * XMLConstants#ACCESS_EXTERNAL_SCHEMA} empty. Entity references are therefore neither fetched nor
 * expanded while parsing. A DOCTYPE is accepted (real replies carry one), but a DOCTYPE with an
 * internal subset (entity declarations: the XXE and "billion laughs" vectors) is then refused
 * before any content is read; OPS messages never carry one.
 *
 * <p>Thread-safe: one instance may be shared; every {@link #decode} uses its own parser.
 */
public final class OpsCodec {

    /** The XML declaration written by {@link #encode}, exactly as the OpenSRS guide shows it. */
    public static final String XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='no'?>";

    /** The DOCTYPE written by {@link #encode}; the DTD it names is never fetched when decoding. */
    public static final String DOCTYPE = "<!DOCTYPE OPS_envelope SYSTEM 'ops.dtd'>";

    /** The OPS envelope version written in the header: {@value}. */
    public static final String VERSION = "0.9";

    /** Deepest nesting of dt_assoc/dt_array accepted in either direction (guards cycles and deep-nesting attacks). */
    public static final int MAX_DEPTH = 64;

    /** Entity expansions allowed per document (the JDK default under secure processing is 64,000). */
    private static final String ENTITY_EXPANSION_LIMIT = "1000";

    private final DocumentBuilderFactory factory;

    /**
     * Creates a codec with a hardened parser factory.
     *
     * @throws IllegalStateException if the platform XML parser rejects one of the required
     *                               security features (it should not: they are the JDK's own)
     */
    public OpsCodec() {
        this.factory = hardenedFactory();
    }

    // ------------------------------------------------------------------ encode

    /**
     * Writes a top map as an OPS envelope.
     *
     * @param data the top map, e.g. from {@link OpsRequest#of}; keys are written with
     *             {@code String.valueOf}; values as described in the class comment
     * @return the envelope as UTF-8 bytes (no trailing newline); the exact bytes to sign with
     *         {@link OpsSignature#sign} and send
     * @throws NullPointerException     if {@code data} or a map key is null
     * @throws IllegalArgumentException if a value is of an unsupported type, holds a character
     *                                  XML 1.0 cannot carry (e.g. U+0000, a lone surrogate), or
     *                                  nests deeper than {@link #MAX_DEPTH} (e.g. a cycle)
     */
    public byte[] encode(Map<String, ?> data) {
        Objects.requireNonNull(data, "data");
        StringBuilder sb = new StringBuilder(512);
        sb.append(XML_DECLARATION).append('\n').append(DOCTYPE).append('\n');
        sb.append("<OPS_envelope><header><version>").append(VERSION).append("</version></header>");
        sb.append("<body><data_block>");
        writeAssoc(sb, data, 1);
        sb.append("</data_block></body></OPS_envelope>");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void writeValue(StringBuilder sb, Object value, int depth) {
        if (value instanceof Map<?, ?> m) {
            writeAssoc(sb, m, depth + 1);
        } else if (value instanceof Collection<?> c) {
            writeArray(sb, c, depth + 1);
        } else if (value instanceof Object[] a) {
            writeArray(sb, Arrays.asList(a), depth + 1);
        } else {
            escape(sb, scalar(value), false);
        }
    }

    private void writeAssoc(StringBuilder sb, Map<?, ?> map, int depth) {
        checkDepth(depth);
        sb.append("<dt_assoc>");
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object key = Objects.requireNonNull(e.getKey(), "OPS map key must not be null");
            if (e.getValue() == null) {
                continue;
            }
            sb.append("<item key=\"");
            escape(sb, String.valueOf(key), true);
            sb.append("\">");
            writeValue(sb, e.getValue(), depth);
            sb.append("</item>");
        }
        sb.append("</dt_assoc>");
    }

    private void writeArray(StringBuilder sb, Collection<?> list, int depth) {
        checkDepth(depth);
        sb.append("<dt_array>");
        int i = 0;
        for (Object v : list) {
            if (v == null) {
                continue;
            }
            sb.append("<item key=\"").append(i++).append("\">");
            writeValue(sb, v, depth);
            sb.append("</item>");
        }
        sb.append("</dt_array>");
    }

    private static void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("OPS data nests deeper than " + MAX_DEPTH
                    + " levels (a map or list that contains itself?)");
        }
    }

    private static String scalar(Object v) {
        if (v instanceof CharSequence cs) {
            return cs.toString();
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        if (v instanceof BigDecimal bd) {
            return bd.toPlainString();
        }
        if (v instanceof Number n) {
            return n.toString();
        }
        if (v instanceof Enum<?> en) {
            return en.name();
        }
        if (v instanceof Character ch) {
            return ch.toString();
        }
        throw new IllegalArgumentException("OPS cannot encode a value of type " + v.getClass().getName()
                + " (use String, Number, Boolean, Map or List)");
    }

    /** Escapes markup characters; in attributes also quotes and whitespace that attribute normalisation would turn into spaces. */
    private static void escape(StringBuilder sb, String s, boolean attribute) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isSurrogate(s.charAt(i)) && Character.charCount(cp) == 1) {
                throw new IllegalArgumentException("OPS text holds a lone surrogate at index " + i);
            }
            i += Character.charCount(cp);
            switch (cp) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append(attribute ? "&quot;" : "\"");
                case '\r' -> sb.append("&#13;");
                case '\n' -> sb.append(attribute ? "&#10;" : "\n");
                case '\t' -> sb.append(attribute ? "&#9;" : "\t");
                default -> {
                    if (cp < 0x20 || (cp >= 0xFFFE && cp <= 0xFFFF)) {
                        throw new IllegalArgumentException(String.format(
                                "OPS text holds U+%04X, which XML 1.0 cannot carry", cp));
                    }
                    sb.appendCodePoint(cp);
                }
            }
        }
    }

    // ------------------------------------------------------------------ decode

    /**
     * Reads an OPS envelope.
     *
     * @param xml the bytes received (the encoding is taken from the XML declaration, UTF-8 when
     *            absent)
     * @return the top map of {@code data_block} (e.g. a reply's {@code protocol}, {@code action},
     *         {@code is_success}, {@code response_code}, {@code response_text},
     *         {@code attributes}); maps are {@link LinkedHashMap}s in document order, lists
     *         {@link ArrayList}s in key order, scalars {@link String}s (text kept exactly,
     *         whitespace included; an empty item is {@code ""})
     * @throws NullPointerException if {@code xml} is null
     * @throws OpsProtocolException if the bytes are not well-formed XML (the message gives line and
     *                              column), carry a DOCTYPE internal subset, the root is not
     *                              {@code OPS_envelope}, there is no {@code body/data_block}, the
     *                              data block does not hold exactly one {@code dt_assoc}, an
     *                              element other than the OPS types appears, an item lacks its key,
     *                              an assoc repeats a key, an array key is not a non-negative
     *                              integer or repeats, or nesting exceeds {@link #MAX_DEPTH}
     */
    public Map<String, Object> decode(byte[] xml) {
        Objects.requireNonNull(xml, "xml");
        Document doc = parse(xml);
        DocumentType doctype = doc.getDoctype();
        if (doctype != null) {
            String subset = doctype.getInternalSubset();
            if ((subset != null && !subset.isBlank()) || doctype.getEntities().getLength() > 0) {
                throw new OpsProtocolException(
                        "OPS message refused: its DOCTYPE declares an internal subset (entities); OPS messages never do");
            }
        }
        Element root = doc.getDocumentElement();
        if (!"OPS_envelope".equals(root.getTagName())) {
            throw new OpsProtocolException("OPS message root element is <" + root.getTagName()
                    + ">, expected <OPS_envelope>");
        }
        Element body = onlyChild(root, "body");
        Element dataBlock = body == null ? null : onlyChild(body, "data_block");
        if (dataBlock == null) {
            throw new OpsProtocolException("OPS message has no OPS_envelope/body/data_block");
        }
        Element top = singleValueElement(dataBlock, "data_block");
        if (top == null || !"dt_assoc".equals(top.getTagName())) {
            throw new OpsProtocolException("OPS data_block must hold one dt_assoc, found "
                    + (top == null ? "none" : "<" + top.getTagName() + ">"));
        }
        return readAssoc(top, 1);
    }

    private Document parse(byte[] xml) {
        DocumentBuilder builder;
        synchronized (factory) {
            try {
                builder = factory.newDocumentBuilder();
            } catch (ParserConfigurationException e) {
                throw new IllegalStateException("XML parser cannot be configured securely", e);
            }
        }
        // Belt and braces: should any entity or DTD still be resolved, it resolves to nothing.
        builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
        builder.setErrorHandler(STRICT);
        try {
            return builder.parse(new InputSource(new ByteArrayInputStream(xml)));
        } catch (SAXParseException e) {
            throw new OpsProtocolException("OPS message is not well-formed XML (line " + e.getLineNumber()
                    + ", column " + e.getColumnNumber() + "): " + e.getMessage(), e);
        } catch (SAXException e) {
            throw new OpsProtocolException("OPS message cannot be parsed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OpsProtocolException("OPS message cannot be read: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> readAssoc(Element assoc, int depth) {
        checkDecodeDepth(depth);
        Map<String, Object> map = new LinkedHashMap<>();
        for (Element item : items(assoc)) {
            String key = key(item, "dt_assoc");
            if (map.containsKey(key)) {
                throw new OpsProtocolException("OPS dt_assoc repeats the key '" + excerpt(key) + "'");
            }
            map.put(key, readItem(item, depth));
        }
        return map;
    }

    private List<Object> readArray(Element array, int depth) {
        checkDecodeDepth(depth);
        TreeMap<Integer, Object> byIndex = new TreeMap<>();
        for (Element item : items(array)) {
            String key = key(item, "dt_array");
            int index;
            try {
                index = Integer.parseInt(key.trim());
            } catch (NumberFormatException e) {
                throw new OpsProtocolException("OPS dt_array item key '" + excerpt(key) + "' is not an index", e);
            }
            if (index < 0 || byIndex.containsKey(index)) {
                throw new OpsProtocolException("OPS dt_array item key " + index
                        + (index < 0 ? " is negative" : " is repeated"));
            }
            byIndex.put(index, readItem(item, depth));
        }
        return new ArrayList<>(byIndex.values());
    }

    private Object readItem(Element item, int depth) {
        Element value = singleValueElement(item, "item");
        if (value == null) {
            return item.getTextContent();
        }
        return switch (value.getTagName()) {
            case "dt_assoc" -> readAssoc(value, depth + 1);
            case "dt_array" -> readArray(value, depth + 1);
            case "dt_scalar", "dt_scalarref" -> value.getTextContent();
            default -> throw new OpsProtocolException("OPS item holds an unknown element <" + value.getTagName() + ">");
        };
    }

    /** The one element child of {@code parent}, null when it has none; text beside an element is refused. */
    private static Element singleValueElement(Element parent, String where) {
        Element found = null;
        boolean text = false;
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            switch (n.getNodeType()) {
                case Node.ELEMENT_NODE -> {
                    if (found != null) {
                        throw new OpsProtocolException("OPS <" + where + "> holds more than one element");
                    }
                    found = (Element) n;
                }
                case Node.TEXT_NODE, Node.CDATA_SECTION_NODE -> text |= !n.getNodeValue().isBlank();
                case Node.ENTITY_REFERENCE_NODE -> text = true;
                default -> { } // comments, processing instructions
            }
        }
        if (found != null && text) {
            throw new OpsProtocolException("OPS <" + where + "> mixes text with <" + found.getTagName() + ">");
        }
        return found;
    }

    private static List<Element> items(Element container) {
        List<Element> items = new ArrayList<>();
        for (Node n = container.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE) {
                Element e = (Element) n;
                if (!"item".equals(e.getTagName())) {
                    throw new OpsProtocolException("OPS <" + container.getTagName() + "> holds <" + e.getTagName()
                            + ">, only <item> is allowed");
                }
                items.add(e);
            } else if ((n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE)
                    && !n.getNodeValue().isBlank()) {
                throw new OpsProtocolException("OPS <" + container.getTagName() + "> holds text outside <item>");
            }
        }
        return items;
    }

    private static String key(Element item, String where) {
        if (!item.hasAttribute("key")) {
            throw new OpsProtocolException("OPS " + where + " item has no key attribute");
        }
        return item.getAttribute("key");
    }

    private static Element onlyChild(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE && name.equals(((Element) n).getTagName())) {
                return (Element) n;
            }
        }
        return null;
    }

    private static void checkDecodeDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw new OpsProtocolException("OPS message nests deeper than " + MAX_DEPTH + " levels");
        }
    }

    private static String excerpt(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static final ErrorHandler STRICT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
            // not fatal: e.g. a DOCTYPE name that differs from the root element
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    private static DocumentBuilderFactory hardenedFactory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance(); // the JDK's own, not a classpath Xerces
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("XML parser lacks a required security feature", e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        try {
            f.setAttribute("http://www.oracle.com/xml/jaxp/properties/entityExpansionLimit", ENTITY_EXPANSION_LIMIT);
        } catch (IllegalArgumentException ignored) {
            // not the JDK parser: FEATURE_SECURE_PROCESSING's own limit applies
        }
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(false);
        f.setValidating(false);
        f.setCoalescing(true);
        f.setIgnoringComments(true);
        return f;
    }
}
