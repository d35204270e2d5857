package io.certhub.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One order as the sandbox vendor holds it (table {@code sandbox_order}, migration V3).
 *
 * <p>States are the OpenSRS API values (opensrs-trust-api.md, "Order states"):
 * {@value #PENDING} (saved), {@value #AWAITING_APPROVAL} (waiting for domain control validation or
 * organization vetting), {@value #APPROVER_CONFIRMED} (DCV done, issuing), {@value #COMPLETED}
 * (issued), {@value #CANCELLED}, {@value #DECLINED}.
 *
 * @param orderId           vendor order id, a decimal string of 7+ digits (from 7730001)
 * @param productId         product id once completed, else null
 * @param state             OpenSRS state value
 * @param regType           {@code reg_type}, e.g. {@code new}
 * @param productType       OpenSRS {@code product_type}
 * @param validation        DV, OV or EV (from the catalog)
 * @param instant           issued at once (SSL Lite)
 * @param domain            main name, normalised
 * @param additionalDomains further names, normalised, in order
 * @param csr               canonical PEM of the CSR
 * @param period            years
 * @param serverType        {@code server_type}, may be null
 * @param approverEmail     DV approver, may be null
 * @param dvAuthMethod      {@code email}, {@code dns} or {@code file}
 * @param dvToken           approval-link token (email) or DNS/file token; null before submission
 * @param dvFileName        file method: the random file name (without {@code .txt}); else null
 * @param contacts          {@code contact_set} as JSON text, may be null
 * @param approvalDueAt     when the sandbox approves by itself (auto-approve), may be null
 * @param vettingDueAt      when organization vetting completes (OV/EV), may be null
 * @param certPem           issued leaf PEM, null until completed
 * @param caPem             intermediate PEM(s), null until completed
 * @param rootPem           root PEM, null until completed
 * @param issuedAt          issuance time, null until completed
 * @param createdAt         creation time
 * @param updatedAt         last change
 */
public record SandboxOrder(String orderId, String productId, String state, String regType, String productType,
                           String validation, boolean instant, String domain, List<String> additionalDomains,
                           String csr, int period, String serverType, String approverEmail, String dvAuthMethod,
                           String dvToken, String dvFileName, String contacts, Instant approvalDueAt,
                           Instant vettingDueAt, String certPem, String caPem, String rootPem, Instant issuedAt,
                           Instant createdAt, Instant updatedAt) {

    /** Saved at the vendor, not submitted ({@code handle=save}). */
    public static final String PENDING = "pending";
    /** Submitted; waiting for domain control validation (DV) or organization vetting (OV/EV). */
    public static final String AWAITING_APPROVAL = "awaiting-approval";
    /** The domain owner approved (or the DNS/file token was found); issuance follows. */
    public static final String APPROVER_CONFIRMED = "approver-confirmed";
    /** Issued. */
    public static final String COMPLETED = "completed";
    /** Cancelled (funds returned). */
    public static final String CANCELLED = "cancelled";
    /** Declined by the CA (funds returned); may be submitted again with {@code process_pending}. */
    public static final String DECLINED = "declined";

    /** Type of the DNS record of the {@code dns} method. */
    public static final String DNS_TYPE = "TXT";

    /**
     * Copies the name list ({@code null} becomes empty).
     *
     * @param orderId see the record description
     * @param productId see the record description
     * @param state see the record description
     * @param regType see the record description
     * @param productType see the record description
     * @param validation see the record description
     * @param instant see the record description
     * @param domain see the record description
     * @param additionalDomains see the record description
     * @param csr see the record description
     * @param period see the record description
     * @param serverType see the record description
     * @param approverEmail see the record description
     * @param dvAuthMethod see the record description
     * @param dvToken see the record description
     * @param dvFileName see the record description
     * @param contacts see the record description
     * @param approvalDueAt see the record description
     * @param vettingDueAt see the record description
     * @param certPem see the record description
     * @param caPem see the record description
     * @param rootPem see the record description
     * @param issuedAt see the record description
     * @param createdAt see the record description
     * @param updatedAt see the record description
     */
    public SandboxOrder {
        additionalDomains = additionalDomains == null ? List.of() : List.copyOf(additionalDomains);
    }

    /** @return the names to certify: {@link #domain()} first, then {@link #additionalDomains()} */
    public List<String> names() {
        List<String> all = new ArrayList<>();
        all.add(domain);
        all.addAll(additionalDomains);
        return all;
    }

    /** @return whether the order is DV (domain validation only) */
    public boolean domainValidated() {
        return "DV".equals(validation);
    }

    /** @return the domain without a leading {@code *.} (where DCV records and files live) */
    public String baseDomain() {
        return domain.startsWith("*.") ? domain.substring(2) : domain;
    }

    /** @return the DNS method's record name: {@code _dnsauth.<base domain>} */
    public String dnsRecordName() {
        return "_dnsauth." + baseDomain();
    }

    /**
     * @return the file method's URL, {@code http://<base domain>/.well-known/pki-validation/<name>.txt},
     *         or null when the order has no file name
     */
    public String fileUrl() {
        return dvFileName == null ? null : "http://" + baseDomain() + "/.well-known/pki-validation/" + dvFileName + ".txt";
    }

    /** @return the file-name form of the domain: dots → {@code _}, a wildcard {@code *} → {@code STAR} */
    public String fileStem() {
        return domain.toLowerCase(Locale.ROOT).replace("*", "STAR").replace('.', '_');
    }

    /** @return whether the order can no longer change (completed or cancelled) */
    public boolean finished() {
        return COMPLETED.equals(state) || CANCELLED.equals(state);
    }
}
