package io.certhub.pki;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The facts of an issued certificate that the inventory keeps and lists (issue 13 §1), read once
 * from the leaf (the one place that parses them: {@code io.certhub.order.OrderCompletion} when it
 * stores a certificate, and the V16 migration for certificates stored before).
 *
 * @param serialHex  the serial number (RFC 5280 §4.1.2.2) as lower-case hex of its unsigned value in
 *                   whole bytes: a leading zero nibble is kept, the DER sign byte {@code 00} is not,
 *                   so it is what {@code openssl x509 -noout -serial} prints, lower-cased
 *                   (e.g. {@code 0a0102}, {@code 8a0102}); {@code new BigInteger(serialHex, 16)} is
 *                   JCA's {@code getSerialNumber()}
 * @param issuerDn   issuer DN as an RFC 2253 string ({@code CN=…,O=…,C=US})
 * @param subjectDn  subject DN as an RFC 2253 string
 * @param commonName the subject's (last) CN attribute, or null when it has none
 * @param sans       the dNSName and iPAddress subjectAltNames (RFC 5280 §4.2.1.6) in certificate
 *                   order: DNS names lower-cased, IP addresses as JCA prints them
 * @param keyType    {@code RSA} or {@code EC} (another algorithm: its JCA name, e.g. {@code Ed25519})
 * @param keySize    key size in bits: the RSA modulus length (2048, 4096) or the EC curve's order
 *                   length (256, 384); 0 when unknown
 * @param notBefore  start of validity
 * @param notAfter   end of validity
 * @param sha256     lower-case hex SHA-256 of the leaf's DER (64 characters, no separators), what
 *                   {@code openssl x509 -noout -fingerprint -sha256} prints without colons
 */
public record CertificateFacts(String serialHex, String issuerDn, String subjectDn, String commonName, List<String> sans,
                               String keyType, int keySize, Instant notBefore, Instant notAfter, String sha256) {

    /** GeneralName tags of RFC 5280 §4.2.1.6 kept in {@link #sans}: dNSName, iPAddress. */
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    /**
     * Reads the facts of a certificate.
     *
     * @param cert the leaf
     * @return its facts
     * @throws PkiException {@code CERT_ENCODING} when the certificate cannot be encoded
     */
    public static CertificateFacts of(X509Certificate cert) {
        return new CertificateFacts(serialHex(cert.getSerialNumber()), cert.getIssuerX500Principal().getName(X500Principal.RFC2253),
            cert.getSubjectX500Principal().getName(X500Principal.RFC2253), commonName(cert), sans(cert),
            keyType(cert.getPublicKey()), keySize(cert.getPublicKey()), cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(),
            sha256(Certificates.encoded(cert)));
    }

    /**
     * Reads the facts of the first certificate in a PEM text (the stored {@code leaf_pem}).
     *
     * @param pem PEM text holding the leaf first
     * @return its facts
     * @throws IllegalArgumentException when the text holds no certificate
     */
    public static CertificateFacts ofPem(String pem) {
        List<X509Certificate> certs = Certificates.parsePem(pem);
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("no certificate in the PEM text");
        }
        return of(certs.get(0));
    }

    /**
     * @param serial a serial number (positive per RFC 5280; a negative one is written as its DER bytes)
     * @return its lower-case hex in whole bytes without a sign byte, e.g. {@code 0a0102}
     */
    public static String serialHex(BigInteger serial) {
        byte[] b = serial.toByteArray();
        if (serial.signum() > 0 && b.length > 1 && b[0] == 0) {
            b = Arrays.copyOfRange(b, 1, b.length);
        }
        return HexFormat.of().formatHex(b);
    }

    /** @return the SANs joined by single spaces with a space before and after, as stored in {@code certificate.sans} */
    public String sansColumn() {
        return sans.isEmpty() ? "" : " " + String.join(" ", sans) + " ";
    }

    /**
     * @param column a {@code certificate.sans} value (space separated, may be null)
     * @return the names in stored order
     */
    public static List<String> sansFromColumn(String column) {
        if (column == null || column.isBlank()) {
            return List.of();
        }
        return List.of(column.strip().split(" +"));
    }

    private static String commonName(X509Certificate cert) {
        RDN[] cns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        if (cns.length == 0) {
            return null;
        }
        var value = cns[cns.length - 1].getFirst().getValue();
        return value instanceof ASN1String s ? s.getString() : value.toString();
    }

    private static List<String> sans(X509Certificate cert) {
        Collection<List<?>> all;
        try {
            all = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();       // an undecodable extension: no names rather than no inventory row
        }
        List<String> out = new ArrayList<>();
        if (all != null) {
            for (List<?> san : all) {
                int tag = ((Number) san.get(0)).intValue();
                if (tag == DNS_NAME && san.get(1) instanceof String s) {
                    out.add(s.toLowerCase(Locale.ROOT));
                } else if (tag == IP_ADDRESS && san.get(1) instanceof String s) {
                    out.add(s);
                }
            }
        }
        return List.copyOf(out);
    }

    private static String keyType(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return "RSA";
        }
        if (key instanceof ECPublicKey) {
            return "EC";
        }
        return key.getAlgorithm();
    }

    private static int keySize(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return rsa.getModulus().bitLength();
        }
        if (key instanceof ECPublicKey ec) {
            return ec.getParams().getOrder().bitLength();
        }
        return switch (key.getAlgorithm()) {
            case "Ed25519", "X25519" -> 256;
            case "Ed448" -> 456;
            case "X448" -> 448;
            default -> 0;
        };
    }

    private static String sha256(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
