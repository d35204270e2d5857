package io.certhub.csr;

import java.util.Arrays;

/**
 * Just enough DER walking (X.690) to check that a CSR is complete and to cut out the exact bytes
 * that were signed, without re-encoding anything.
 *
 * <pre>
 * CertificationRequest ::= SEQUENCE {                      -- RFC 2986 §4.2
 *      certificationRequestInfo CertificationRequestInfo,  -- the signed bytes ("tbs")
 *      signatureAlgorithm AlgorithmIdentifier,
 *      signature BIT STRING }
 * CertificationRequestInfo ::= SEQUENCE {                  -- RFC 2986 §4.1
 *      version INTEGER, subject Name,
 *      subjectPKInfo SubjectPublicKeyInfo,                 -- cut out for the key hash
 *      attributes [0] Attributes }
 * </pre>
 */
final class Der {

    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;

    /**
     * The parts of a CSR's DER used later, as the original bytes.
     *
     * @param tbs  the DER of certificationRequestInfo, the bytes covered by the signature
     * @param spki the DER of subjectPKInfo
     */
    record Parts(byte[] tbs, byte[] spki) {
    }

    private record Header(int tag, int contentStart, long length) {
        long end() {
            return contentStart + length;
        }
    }

    private Der() {
    }

    /**
     * Checks the outer structure of a CSR and returns the signed part and the key part.
     *
     * @throws CsrException {@code CSR_UNPARSEABLE} when the DER is truncated, has trailing bytes,
     *                      uses BER indefinite lengths or does not have the PKCS#10 shape
     */
    static Parts split(byte[] der) {
        if (der.length == 0) {
            throw unparseable("the CSR's DER is empty");
        }
        Header outer = header(der, 0, der.length);
        if (outer.tag() != SEQUENCE) {
            throw unparseable("the decoded data is not a PKCS#10 CSR: it does not start with an ASN.1 SEQUENCE"
                    + " (RFC 2986 §4)");
        }
        if (outer.end() > der.length) {
            throw unparseable("the CSR is truncated: its DER declares " + outer.end() + " bytes but only "
                    + der.length + " are present (was the PEM cut short?)");
        }
        if (outer.end() < der.length) {
            throw unparseable("there are " + (der.length - outer.end())
                    + " unexpected bytes after the end of the CSR's DER");
        }
        int limit = der.length;
        Header info = expect(der, outer.contentStart(), limit, SEQUENCE, "certificationRequestInfo");
        int infoEnd = (int) info.end();
        if (info.contentStart() < infoEnd && (der[info.contentStart()] & 0xFF) == 0xA0) {
            throw unparseable("this is a certificate (X.509), not a certificate signing request;"
                    + " send the '-----BEGIN CERTIFICATE REQUEST-----' block generated with the key");
        }
        Header version = expect(der, info.contentStart(), infoEnd, INTEGER, "version");
        Header subject = expect(der, (int) version.end(), infoEnd, SEQUENCE, "subject");
        Header spki = expect(der, (int) subject.end(), infoEnd, SEQUENCE, "subjectPKInfo");
        return new Parts(Arrays.copyOfRange(der, outer.contentStart(), infoEnd),
                Arrays.copyOfRange(der, (int) subject.end(), (int) spki.end()));
    }

    private static Header expect(byte[] b, int off, int limit, int tag, String what) {
        if (off >= limit) {
            throw unparseable("the CSR's " + what + " is missing (RFC 2986 §4)");
        }
        Header h = header(b, off, limit);
        if (h.tag() != tag) {
            throw unparseable(String.format("the CSR's %s has ASN.1 tag 0x%02x where 0x%02x is expected"
                    + " (RFC 2986 §4)", what, h.tag(), tag));
        }
        if (h.end() > limit) {
            throw unparseable("the CSR's " + what + " runs past the end of its enclosing structure");
        }
        return h;
    }

    private static Header header(byte[] b, int off, int limit) {
        int tag = b[off] & 0xFF;
        if ((tag & 0x1F) == 0x1F) {
            throw unparseable(String.format("unexpected multi-byte ASN.1 tag at byte %d of the CSR", off));
        }
        int p = off + 1;
        if (p >= limit) {
            throw unparseable("the CSR is truncated: its DER ends inside an ASN.1 header");
        }
        int first = b[p++] & 0xFF;
        long length;
        if (first < 0x80) {
            length = first;
        } else if (first == 0x80) {
            throw unparseable("the CSR uses a BER indefinite length; a CSR must be DER (RFC 2986 §4)");
        } else {
            int n = first & 0x7F;
            if (n > 4) {
                throw unparseable("the CSR's DER declares an impossible length (" + n + " length bytes)");
            }
            if (p + n > limit) {
                throw unparseable("the CSR is truncated: its DER ends inside an ASN.1 length");
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                length = (length << 8) | (b[p++] & 0xFF);
            }
        }
        return new Header(tag, p, length);
    }

    private static CsrException unparseable(String detail) {
        return new CsrException(CsrException.CSR_UNPARSEABLE, detail);
    }
}
