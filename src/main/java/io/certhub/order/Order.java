package io.certhub.order;

import io.certhub.ledger.Money;
import java.time.Instant;
import java.util.List;

/**
 * A hub order as stored (table {@code orders}).
 *
 * @param id                hub order id (UUID)
 * @param accountId         owning reseller account
 * @param clientReference   reseller reference, unique per account
 * @param contentHash       hex SHA-256 of the normalised document (see {@link ValidatedOrder})
 * @param productType       OpenSRS product code
 * @param state             lifecycle state
 * @param vendorStatus      the vendor's own status string, unchanged (e.g. {@code awaiting-approval}), or null
 * @param vendorOrderId     the vendor's order id (7+ digits at OpenSRS), or null before placement
 * @param domain            main name
 * @param additionalDomains SANs besides the main name
 * @param period            years
 * @param serverType        apache, nginx, iis, tomcat or other
 * @param approverEmail     DCV approver, or null
 * @param dcvMethod         email, dns or http
 * @param csr               canonical PEM CSR
 * @param csrKeySha256      hex SHA-256 of the CSR's SubjectPublicKeyInfo
 * @param contactsJson      contacts as JSON
 * @param price             price of the whole period
 * @param submissions       how many times it was submitted (each submission has its own hold)
 * @param lastErrorCode     code of the last vendor/processing error, or null
 * @param lastErrorDetail   detail of the last error, or null
 * @param createdAt         creation time (UTC)
 * @param updatedAt         last change (UTC)
 */
public record Order(String id, String accountId, String clientReference, String contentHash, String productType, OrderState state,
                    String vendorStatus, String vendorOrderId, String domain, List<String> additionalDomains, int period,
                    String serverType, String approverEmail, String dcvMethod, String csr, String csrKeySha256,
                    String contactsJson, Money price, int submissions, String lastErrorCode, String lastErrorDetail,
                    Instant createdAt, Instant updatedAt) {

    /**
     * One entry of the order's history.
     *
     * @param at           when (UTC)
     * @param from         previous state, null for creation
     * @param to           new state (equal to {@code from} for a vendor status change within a state)
     * @param vendorStatus vendor status at that moment, or null
     * @param actor        who: {@code account:<id>}, {@code operator}, {@code vendor}, {@code file:<name>}, {@code system}
     * @param reason       why, in words
     */
    public record HistoryEntry(Instant at, OrderState from, OrderState to, String vendorStatus, String actor, String reason) { }

    /**
     * A warning on the order (table {@code order_warning}, issue 11 §5): something the hub found
     * that does not stop the order but that the reseller should see. REST shape
     * {@code {code, field, detail}}.
     *
     * @param code   stable UPPER_SNAKE code, e.g. {@code DOMAIN_NOT_REGISTERED}
     * @param field  the dotted path of what it is about, like an error's {@code field}
     *               ({@code domain}, {@code additionalDomains[0]})
     * @param detail what was found, in words
     * @param at     when it was recorded (UTC)
     */
    public record Warning(String code, String field, String detail, Instant at) { }

    /** @return every ordered name: the main domain then the additional ones */
    public List<String> names() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(domain), additionalDomains.stream()).toList();
    }
}
