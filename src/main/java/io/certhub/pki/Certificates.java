package io.certhub.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;

/**
 * Static helpers to read and write X.509 certificates in the shapes CAs and servers use.
 *
 * <h2>Input shapes understood by {@link #parseAny(byte[])}</h2>
 * <ul>
 *   <li>PEM (RFC 7468 textual encoding, lax parsing per its section 3): one or many
 *       {@code -----BEGIN CERTIFICATE-----} blocks (also {@code X509 CERTIFICATE},
 *       {@code TRUSTED CERTIFICATE}), LF or CRLF line ends, with or without a final newline,
 *       text before, between and after the blocks (OpenSSL "Bag Attributes", mail text),
 *       RFC 1421 style header lines inside a block, and blocks glued together like
 *       {@code -----END CERTIFICATE----------BEGIN CERTIFICATE-----};</li>
 *   <li>DER X.509 (RFC 5280 section 4.1 {@code Certificate}), trailing bytes ignored;</li>
 *   <li>PKCS#7 / CMS SignedData (RFC 2315 section 9, RFC 5652 section 5; the {@code .p7b} /
 *       {@code .p7c} "certs-only" form, DER or BER) and the PEM armoured form
 *       {@code -----BEGIN PKCS7-----} (also {@code CMS}, {@code PKCS #7 SIGNED DATA});</li>
 *   <li>a bare base64 DER certificate or PKCS#7 without armour (what some portals offer as
 *       "X.509, Base64" without headers).</li>
 * </ul>
 * Anything else (CSRs, keys, garbage, a truncated block) yields no certificate rather than an
 * error, so callers can feed any mail part or file to it.
 *
 * <h2>Output shapes</h2>
 * {@link #toPem(List)} writes RFC 7468 strict PEM, {@link #toPkcs7Der(List)} a degenerate
 * certs-only SignedData (RFC 5652 section 5.2, "no signers"), as {@code .p7b} for IIS and
 * Tomcat.
 */
public final class Certificates {

    /** The base64 line length of RFC 7468 strict output. */
    public static final int PEM_LINE_LENGTH = 64;

    private static final String DASHES = "-----";

    private static final byte[] BEGIN_MARKER = "-----BEGIN ".getBytes(StandardCharsets.US_ASCII);

    private static final Pattern BARE_BASE64 = Pattern.compile("[A-Za-z0-9+/=\\s]{64,}");

    private Certificates() {
    }

    /**
     * Parses every certificate found in {@code data}, in order of appearance.
     *
     * <p>Shapes: see the class documentation (PEM per RFC 7468 with lax whitespace and glued
     * blocks, DER per RFC 5280, PKCS#7 per RFC 2315 / RFC 5652, DER or PEM). Blocks that do
     * not decode to a certificate (keys, CSRs, corrupted base64) are skipped; certificates are
     * not deduplicated here (see {@link ChainBuilder#build}).
     *
     * @param data any bytes; may be null or empty
     * @return the certificates, possibly empty, never null; not deduplicated
     */
    public static List<X509Certificate> parseAny(byte[] data) {
        if (data == null || data.length == 0) {
            return List.of();
        }
        if (indexOf(data, BEGIN_MARKER) >= 0) {
            return parsePem(new String(data, StandardCharsets.ISO_8859_1));
        }
        List<X509Certificate> der = parseDer(data);
        if (!der.isEmpty()) {
            return der;
        }
        String text = new String(data, StandardCharsets.ISO_8859_1).strip();
        if (text.length() >= 64 && BARE_BASE64.matcher(text).matches()) {
            byte[] decoded = decodeBase64Lax(text);
            if (decoded != null) {
                return parseDer(decoded);
            }
        }
        return List.of();
    }

    /**
     * Parses every certificate in the PEM blocks of {@code text}.
     *
     * @param text text possibly holding PEM blocks (RFC 7468); may be null
     * @return the certificates in order of appearance, possibly empty
     */
    public static List<X509Certificate> parsePem(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<X509Certificate> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN ", from);
            if (begin < 0) {
                break;
            }
            int labelStart = begin + "-----BEGIN ".length();
            int labelEnd = text.indexOf(DASHES, labelStart);
            if (labelEnd < 0) {
                break;
            }
            String label = text.substring(labelStart, labelEnd);
            int bodyStart = labelEnd + DASHES.length();
            int bodyEnd = text.indexOf(DASHES, bodyStart);
            if (label.length() > 64 || label.indexOf('\n') >= 0 || bodyEnd < 0) {
                from = labelStart;
                continue;
            }
            if (!text.startsWith("-----END ", bodyEnd)) {
                from = bodyEnd; // truncated block: resume at whatever follows (often the next BEGIN)
                continue;
            }
            int endLabelEnd = text.indexOf(DASHES, bodyEnd + "-----END ".length());
            if (endLabelEnd < 0) {
                break;
            }
            from = endLabelEnd + DASHES.length();
            String upper = label.strip().toUpperCase(Locale.ROOT);
            if (upper.contains("PRIVATE") || upper.contains("REQUEST") || upper.contains("KEY")) {
                continue; // never touch keys; a CSR holds no certificate
            }
            byte[] der = decodeBase64Lax(stripHeaders(text.substring(bodyStart, bodyEnd)));
            if (der != null) {
                out.addAll(parseDer(der));
            }
        }
        return out;
    }

    /**
     * Parses one DER structure: an X.509 {@code Certificate} (RFC 5280 section 4.1) or a
     * {@code ContentInfo} holding a SignedData (RFC 2315 section 9.1, RFC 5652 section 5.1;
     * BER accepted), whose {@code certificates} are returned in their encoded order.
     *
     * @param der the encoded structure; trailing bytes are ignored
     * @return the certificates, empty when {@code der} is neither shape
     */
    public static List<X509Certificate> parseDer(byte[] der) {
        if (der == null || der.length < 4 || der[0] != 0x30) {
            return List.of();
        }
        try {
            ASN1Primitive top;
            try (ASN1InputStream in = new ASN1InputStream(der, false)) {
                top = in.readObject();
            }
            if (!(top instanceof ASN1Sequence seq) || seq.size() == 0) {
                return List.of();
            }
            if (seq.getObjectAt(0) instanceof ASN1ObjectIdentifier oid) {
                return CMSObjectIdentifiers.signedData.equals(oid) ? parsePkcs7(der) : List.of();
            }
            if (seq.size() != 3) {
                return List.of();
            }
            Certificate c = factory().generateCertificate(new ByteArrayInputStream(der));
            return c instanceof X509Certificate x ? List.of(x) : List.of();
        } catch (IOException | CertificateException | RuntimeException e) {
            return List.of(); // not a certificate or a SignedData: malformed, truncated, something else
        }
    }

    private static List<X509Certificate> parsePkcs7(byte[] der) {
        try {
            CMSSignedData signed = new CMSSignedData(der);
            List<X509Certificate> out = new ArrayList<>();
            CertificateFactory cf = factory();
            for (X509CertificateHolder holder : signed.getCertificates().getMatches(null)) {
                Certificate c = cf.generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            return out;
        } catch (CMSException | IOException | CertificateException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Writes certificates as strict RFC 7468 PEM: each block
     * {@code -----BEGIN CERTIFICATE-----}, base64 in 64-column lines, {@code -----END
     * CERTIFICATE-----}, every line ended by LF, so consecutive blocks are separated by a
     * newline and never glued.
     *
     * @param certs the certificates, in the order to write (leaf first for a chain file)
     * @return the PEM text; empty for an empty list
     * @throws PkiException {@code CERT_ENCODING} when a certificate cannot be encoded
     */
    public static String toPem(List<X509Certificate> certs) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            sb.append(toPem("CERTIFICATE", encoded(c)));
        }
        return sb.toString();
    }

    /**
     * Writes one strict RFC 7468 PEM block.
     *
     * @param label the label, e.g. {@code CERTIFICATE} or {@code PKCS7}
     * @param der   the DER bytes
     * @return the block, 64-column base64 lines, LF line ends, final LF
     */
    public static String toPem(String label, byte[] der) {
        String b64 = Base64.getEncoder().encodeToString(der);
        StringBuilder sb = new StringBuilder(b64.length() + b64.length() / PEM_LINE_LENGTH + 64);
        sb.append("-----BEGIN ").append(label).append("-----\n");
        for (int i = 0; i < b64.length(); i += PEM_LINE_LENGTH) {
            sb.append(b64, i, Math.min(b64.length(), i + PEM_LINE_LENGTH)).append('\n');
        }
        sb.append("-----END ").append(label).append("-----\n");
        return sb.toString();
    }

    /**
     * Writes a degenerate "certs-only" PKCS#7 SignedData (RFC 2315 section 9, RFC 5652
     * section 5: version 1, no digest algorithms, absent content of type {@code id-data}, the
     * certificates, no signer infos), the {@code .p7b} shape Windows/IIS and Java keytool
     * import. Definite-length encoding; the certificates keep the given order (as OpenSSL
     * {@code crl2pkcs7} does) rather than being sorted as a DER SET OF.
     *
     * @param certs the certificates, leaf first for a chain
     * @return the encoded ContentInfo
     * @throws PkiException {@code CERT_ENCODING} when encoding fails
     */
    public static byte[] toPkcs7Der(List<X509Certificate> certs) {
        try {
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addCertificates(new JcaCertStore(certs));
            CMSSignedData signed = gen.generate(new CMSAbsentContent(), false);
            return signed.getEncoded(ASN1Encoding.DL);
        } catch (CertificateEncodingException | CMSException | IOException e) {
            throw new PkiException(PkiException.CERT_ENCODING, "cannot encode PKCS#7: " + e.getMessage(), e);
        }
    }

    /**
     * The SHA-256 fingerprint of a public key: lower-case hex (64 characters, no separators)
     * of the SHA-256 of its DER {@code SubjectPublicKeyInfo} (RFC 5280 section 4.1.2.7), the
     * value {@code openssl pkey -pubin -outform DER | sha256sum} prints.
     *
     * @param key the key
     * @return the fingerprint, e.g. {@code 008f50eb…0bb84f}
     */
    public static String sha256Fingerprint(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * The DER encoding of a certificate.
     *
     * @param cert the certificate
     * @return its DER bytes
     * @throws PkiException {@code CERT_ENCODING} when it cannot be encoded
     */
    public static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new PkiException(PkiException.CERT_ENCODING, "cannot encode certificate: " + e.getMessage(), e);
        }
    }

    // --- internals -------------------------------------------------------------------------

    private static CertificateFactory factory() throws CertificateException {
        return CertificateFactory.getInstance("X.509");
    }

    /** Removes RFC 1421 encapsulated header lines ({@code Proc-Type: …}) from a PEM body. */
    private static String stripHeaders(String body) {
        if (body.indexOf(':') < 0) {
            return body;
        }
        StringBuilder sb = new StringBuilder(body.length());
        for (String line : body.split("\\r\\n|\\r|\\n")) {
            if (line.indexOf(':') < 0) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Decodes base64 ignoring everything outside the alphabet (whitespace, line ends) and any
     * padding; null when the remaining characters cannot form base64.
     */
    private static byte[] decodeBase64Lax(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+'
                    || ch == '/') {
                sb.append(ch);
            }
        }
        if (sb.length() == 0 || sb.length() % 4 == 1) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(sb.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
