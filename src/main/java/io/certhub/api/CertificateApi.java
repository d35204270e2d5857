package io.certhub.api;

import io.certhub.certificate.CertificateCsv;
import io.certhub.certificate.CertificateInventory;
import io.certhub.order.FieldRules;
import io.certhub.problem.HubProblem;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * REST handlers of the certificate inventory (issue 13 §1; routes/certificate/certificate-rest-api.camel.yaml).
 *
 * <p>Item shape: {@code {id, orderId, clientReference, domain, serialNumber, issuer, subject,
 * sans[], keyType, keySize, notBefore, notAfter, sha256, state, source, receivedAt, revokedAt, revocationReason,
 * revocationRequestedAt}}:
 * {@code domain} and {@code clientReference} are the order's; {@code serialNumber} lower-case hex
 * as {@code openssl x509 -serial} prints it; {@code issuer}, {@code subject} RFC 2253;
 * {@code sans} the dNSName/iPAddress SANs; {@code keyType} {@code RSA} | {@code EC};
 * {@code keySize} bits; {@code sha256} lower-case hex of the leaf's DER; {@code state}
 * {@code ACTIVE} | {@code EXPIRED} | {@code SUPERSEDED} | {@code REVOKED}; {@code source}
 * {@code vendor-api} | {@code mailbox}; {@code revokedAt} and {@code revocationReason} (the RFC 5280 name)
 * null unless REVOKED (issue 13 §5); {@code revocationRequestedAt} null unless a revoke asked of the
 * vendor awaits its confirmation; instants ISO 8601 UTC (at most microseconds).
 */
@Component("certificateApi")
public class CertificateApi {

    private final ApiSupport api;
    private final CertificateInventory inventory;
    private final io.certhub.certificate.CertificateRevocation revocation;

    /**
     * @param api        shared REST support
     * @param inventory  the certificate inventory
     * @param revocation revocation on request (issue 13 §5)
     */
    public CertificateApi(ApiSupport api, CertificateInventory inventory, io.certhub.certificate.CertificateRevocation revocation) {
        this.api = api;
        this.inventory = inventory;
        this.revocation = revocation;
    }

    /**
     * {@code POST /certificates/{id}/revoke} with {@code {reason}} (issue 13 §5,
     * {@link io.certhub.certificate.CertificateRevocation}): {@code reason} is required, one of the RFC
     * 5280 §5.3.1 names a subscriber may request ({@code unspecified}, {@code keyCompromise},
     * {@code affiliationChanged}, {@code superseded}, {@code cessationOfOperation}). 200 with the
     * certificate, REVOKED, {@code revokedAt} and {@code revocationReason} set; 202 with the
     * certificate as it was and {@code revocationRequestedAt} set when the vendor's answer was lost
     * (the hub confirms it with the vendor: route {@code revocation-recovery}). An
     * {@code Idempotency-Key} retry replays the answer.
     *
     * @param ex exchange
     * @throws HubProblem 400 MALFORMED_REQUEST; 404 CERTIFICATE_NOT_FOUND; 409 VENDOR_UNSUPPORTED,
     *                    CERTIFICATE_ALREADY_REVOKED, REVOCATION_IN_PROGRESS, CERTIFICATE_EXPIRED, VENDOR_REFUSED; 422 FIELD_REQUIRED /
     *                    FIELD_INVALID ({@code reason}); 503 VENDOR_UNAVAILABLE
     */
    public void revoke(Exchange ex) {
        Caller caller = api.reseller(ex);
        byte[] body = api.body(ex);
        api.respond(ex, api.idempotent(ex, caller, body, () -> {
            com.fasterxml.jackson.databind.JsonNode node = api.parse(body);
            if (!node.isObject()) {
                throw new HubProblem(400, "MALFORMED_REQUEST", null, "the body must be a JSON object {reason}");
            }
            String raw = OrderApi.text(node, "reason");
            if (raw == null || raw.isBlank()) {
                throw new HubProblem(422, "FIELD_REQUIRED", "reason", "reason is required: one of "
                    + io.certhub.issuer.VendorAdapter.RevocationReason.names());
            }
            io.certhub.issuer.VendorAdapter.RevocationReason reason = io.certhub.issuer.VendorAdapter.RevocationReason.of(raw)
                .orElseThrow(() -> new HubProblem(422, "FIELD_INVALID", "reason", "reason must be one of "
                    + io.certhub.issuer.VendorAdapter.RevocationReason.names()
                    + " (RFC 5280 §5.3.1 reasons a subscriber may request, CA/B Forum BR §4.9.1.1)"));
            CertificateInventory.Item item = revocation.revoke(caller.accountId(), ex.getMessage().getHeader("id", String.class), reason,
                caller.actor());
            // 202: the vendor's answer was lost; the hub confirms the revocation (revocation-recovery)
            return api.ok(item.state() == CertificateInventory.State.REVOKED ? 200 : 202, view(item, false));
        }));
    }

    /**
     * {@code GET /certificates?expiresBefore=&domain=&state=&orderId=&page=&size=}: the caller's
     * account's certificates, newest first, as {@code {items, page, size, totalElements}} (size
     * 1..200, default 20); with {@code Accept: text/csv} every match (no paging) as a streamed
     * CSV with a header row ({@link CertificateCsv}). {@code expiresBefore}: an ISO 8601 instant
     * ({@code 2027-01-01T00:00:00Z}, an offset allowed) or a date ({@code 2027-01-01}, meaning its
     * start in UTC): notAfter before it. {@code domain} (at most 253 characters): any part of a SAN or
     * of the subject CN, case-insensitive. {@code state}: ACTIVE, EXPIRED, SUPERSEDED or REVOKED.
     * {@code orderId}: the certificates of one order.
     *
     * @param ex exchange
     * @throws HubProblem 422 {@code FIELD_INVALID} (field {@code expiresBefore}, {@code state},
     *                    {@code page}, {@code size}), {@code FIELD_TOO_LONG} / {@code FIELD_INVALID_CHARACTERS} ({@code domain})
     */
    public void list(Exchange ex) {
        Caller caller = api.reseller(ex);
        Message h = ex.getMessage();
        CertificateInventory.Filter filter = new CertificateInventory.Filter(expiresBefore(h.getHeader("expiresBefore", String.class)),
            domain(h.getHeader("domain", String.class)), state(h.getHeader("state", String.class)), blankToNull(h.getHeader("orderId", String.class)));
        int page = OrderApi.intParam(h.getHeader("page", String.class), 0, 0, Integer.MAX_VALUE / 200, "page");
        int size = OrderApi.intParam(h.getHeader("size", String.class), 20, 1, 200, "size");
        String accept = String.valueOf(h.getHeader("Accept", String.class)).toLowerCase(Locale.ROOT);
        if (accept.contains("text/csv")) {
            h.removeHeaders("*", "CamelHttp*");
            h.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            h.setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8; header=present");
            h.setHeader("Content-Disposition", "attachment; filename=\"certificates.csv\"");
            h.setBody(new CertificateCsv(inventory, caller.accountId(), filter));
            return;
        }
        List<Map<String, Object>> items = inventory.list(caller.accountId(), filter, page, size).stream().map(i -> view(i, false)).toList();
        api.respond(ex, api.ok(200, OrderViews.page(items, page, size, inventory.count(caller.accountId(), filter))));
    }

    /**
     * {@code GET /certificates/{id}}: the item plus {@code pem} (the leaf) and {@code chainPem}
     * (intermediates, issuer of the leaf first, no root).
     *
     * @param ex exchange
     * @throws HubProblem 404 {@code CERTIFICATE_NOT_FOUND} for an unknown id or another account's
     */
    public void get(Exchange ex) {
        Caller caller = api.reseller(ex);
        String id = ex.getMessage().getHeader("id", String.class);
        CertificateInventory.Item item = inventory.find(caller.accountId(), id)
            .orElseThrow(() -> new HubProblem(404, "CERTIFICATE_NOT_FOUND", null, "no certificate " + id));
        api.respond(ex, api.ok(200, view(item, true)));
    }

    /**
     * @param i        a certificate
     * @param withPems whether to add {@code pem} and {@code chainPem}
     * @return its REST shape (see the class documentation)
     */
    static Map<String, Object> view(CertificateInventory.Item i, boolean withPems) {
        var f = i.facts();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("orderId", i.orderId());
        m.put("clientReference", i.clientReference());
        m.put("domain", i.domain());
        m.put("serialNumber", f.serialHex());
        m.put("issuer", f.issuerDn());
        m.put("subject", f.subjectDn());
        m.put("sans", f.sans());
        m.put("keyType", f.keyType());
        m.put("keySize", f.keySize());
        m.put("notBefore", OrderViews.instant(f.notBefore()));
        m.put("notAfter", OrderViews.instant(f.notAfter()));
        m.put("sha256", f.sha256());
        m.put("state", i.state().name());
        m.put("source", i.source());
        m.put("receivedAt", OrderViews.instant(i.receivedAt()));
        m.put("revokedAt", OrderViews.instant(i.revokedAt()));              // issue 13 §5: null unless REVOKED
        m.put("revocationReason", i.revocationReason());
        m.put("revocationRequestedAt", OrderViews.instant(i.revocationRequestedAt()));   // a revoke not yet confirmed by the vendor, else null
        if (withPems) {
            m.put("pem", i.leafPem());
            m.put("chainPem", i.chainPem());
        }
        return m;
    }

    /**
     * @param raw {@code expiresBefore} as given
     * @return the instant, null when absent
     * @throws HubProblem 422 FIELD_INVALID {@code expiresBefore}
     */
    static Instant expiresBefore(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String v = raw.strip();
        try {
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            throw new HubProblem(422, "FIELD_INVALID", "expiresBefore",
                "expiresBefore must be an ISO 8601 instant (2027-01-01T00:00:00Z) or date (2027-01-01)");
        }
    }

    private static CertificateInventory.State state(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return CertificateInventory.State.valueOf(raw.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HubProblem(422, "FIELD_INVALID", "state", "state must be one of ACTIVE, EXPIRED, SUPERSEDED, REVOKED");
        }
    }

    private static String domain(String raw) {
        if (raw == null) {
            return null;
        }
        List<HubProblem.FieldError> errors = new ArrayList<>();
        if (!FieldRules.singleLine(raw, "domain", 253, errors)) {
            throw HubProblem.unprocessable(errors);
        }
        return raw.isBlank() ? null : raw.strip();
    }

    private static String blankToNull(String raw) {
        return raw == null || raw.isBlank() ? null : raw.strip();
    }
}
