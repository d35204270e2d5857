package io.certhub.mailbox;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What {@link CertificateExtractor#extract} found in one vendor email.
 *
 * @param certificates   every certificate found anywhere in the message (bodies,
 *                       attachments, ZIP bundles, PKCS#7 files, forwarded messages),
 *                       deduplicated by DER encoding, in order of first appearance; possibly
 *                       empty, never null
 * @param vendorOrderIds every run of 7 or more ASCII digits in the subject, then in the text
 *                       bodies (and the subjects and bodies of forwarded messages, where they
 *                       appear), in order of appearance, distinct; digits inside PEM blocks
 *                       are not counted; possibly empty, never null
 * @param subject        the decoded subject (RFC 2047), or null when absent
 * @param messageId      the {@code Message-ID} header as sent (with its angle brackets), or
 *                       null when absent
 */
public record Extraction(List<X509Certificate> certificates, List<String> vendorOrderIds, String subject,
                         String messageId) {

    /**
     * Freezes the lists.
     *
     * @param certificates   the certificates (copied)
     * @param vendorOrderIds the candidate vendor order ids (copied)
     * @param subject        the subject or null
     * @param messageId      the Message-ID or null
     */
    public Extraction {
        certificates = List.copyOf(certificates);
        vendorOrderIds = List.copyOf(vendorOrderIds);
    }
}
