package io.certhub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.issuer.VendorQueue;
import io.certhub.ledger.LedgerService;
import io.certhub.ledger.Money;
import io.certhub.order.Order;
import io.certhub.order.OrderService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Builds the order's REST shape (shared/CONTRACT.md, "Order"): a map with {@code id,
 * clientReference, productType, state, vendorStatus, vendorOrderId, domain, additionalDomains,
 * period, serverType, approverEmail, dcv, price, hold, delivery, term, lastError, warnings[] of
 * {code, field, detail}, createdAt, updatedAt, history[]}; {@code term} is {@code {paidUntil,
 * certificatesIssued, nextReissueAt, lastDcvAt, nextReissueNeedsDcv}} (issue 13 §2: ISO 8601 instants or null; 0 and nulls before
 * the first certificate) plus {@code csr} and {@code contacts}. Money is {@code {amount: "49.00",
 * currency}}; times are ISO 8601 UTC.
 */
@Component
public class OrderViews {

    private final OrderService orders;
    private final LedgerService ledger;
    private final ObjectMapper json;
    private final VendorQueue vendorQueue;
    private final io.certhub.delivery.DeliveryQueue deliveries;
    private final io.certhub.term.TermService terms;
    private final io.certhub.order.OrderReissue reissues;

    /**
     * @param orders order lifecycle (history)
     * @param ledger holds
     * @param json   Jackson mapper (contacts)
     * @param vendorQueue vendor tracking (DCV details)
     * @param deliveries delivery outbox (delivery state)
     * @param terms     the order's paid term ({@code term: {paidUntil, certificatesIssued, nextReissueAt, lastDcvAt, nextReissueNeedsDcv}}, issue 13 §2)
     * @param reissues  reissues on request ({@code reissue}, issue 13 §5)
     */
    public OrderViews(OrderService orders, LedgerService ledger, ObjectMapper json, VendorQueue vendorQueue,
                      io.certhub.delivery.DeliveryQueue deliveries, io.certhub.term.TermService terms, io.certhub.order.OrderReissue reissues) {
        this.reissues = reissues;
        this.terms = terms;
        this.orders = orders;
        this.ledger = ledger;
        this.json = json;
        this.vendorQueue = vendorQueue;
        this.deliveries = deliveries;
    }

    /**
     * @param r a reissue request (issue 13 §5)
     * @return its REST shape {@code {id, state, reason, requestedAt, sentAt, completedAt, previousCertificateId,
     *         certificateId, error: {code, detail} | null}}
     */
    static Map<String, Object> reissue(io.certhub.order.OrderReissue.Reissue r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("state", r.state());
        m.put("reason", r.reason());
        m.put("requestedAt", instant(r.requestedAt()));
        m.put("sentAt", instant(r.sentAt()));
        m.put("completedAt", instant(r.completedAt()));
        m.put("previousCertificateId", r.previousCertificateId());
        m.put("certificateId", r.certificateId());
        m.put("error", r.errorCode() == null ? null : Map.of("code", r.errorCode(), "detail", String.valueOf(r.errorDetail())));
        return m;
    }

    /**
     * @param o           the order
     * @param withHistory whether to include {@code history} (lists leave it out)
     * @return the REST shape
     */
    public Map<String, Object> view(Order o, boolean withHistory) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", o.id());
        m.put("clientReference", o.clientReference());
        m.put("productType", o.productType());
        m.put("state", o.state().name());
        m.put("vendorStatus", o.vendorStatus());
        m.put("vendorOrderId", o.vendorOrderId());
        if (withHistory) {
            // issue 13 §3 (the one-order view only: two indexed selects, not paid by lists)
            m.put("renewalOf", orders.renewalOf(o.id()));    // the order this one renews, or null
            m.put("renewals", orders.renewals(o.id()));      // its renewal orders, oldest first
            m.put("reissue", reissues.latest(o.id()).map(OrderViews::reissue).orElse(null));   // issue 13 §5: the newest reissue request
        }
        m.put("domain", o.domain());
        m.put("additionalDomains", o.additionalDomains());
        m.put("period", o.period());
        m.put("serverType", o.serverType());
        m.put("approverEmail", o.approverEmail());
        Map<String, Object> dcv = new LinkedHashMap<>();
        dcv.put("method", o.dcvMethod());
        dcv.put("approverEmail", o.approverEmail());
        dcv.put("dns", null);
        dcv.put("http", null);
        String details = vendorQueue.dcvDetails(o.id());
        if (details != null) {
            try {
                JsonNode d = json.readTree(details);
                if (d.hasNonNull("dnsName")) {
                    dcv.put("dns", Map.of("name", d.get("dnsName").asText(), "type", d.path("dnsType").asText("TXT"), "value", d.path("dnsValue").asText("")));
                }
                if (d.hasNonNull("httpUrl")) {
                    dcv.put("http", Map.of("url", d.get("httpUrl").asText(), "content", d.path("httpContent").asText("")));
                }
            } catch (Exception e) {
                // details are advisory; a bad row never breaks the order view
            }
        }
        m.put("dcv", dcv);
        m.put("price", money(o.price()));
        m.put("hold", ledger.latestHold(o.id()).map(h -> {
            Map<String, Object> hold = money(h.amount());
            hold.put("state", h.state().name());
            return hold;
        }).orElse(null));
        m.put("delivery", deliveries.latest(o.id()).map(d -> {
            Map<String, Object> dv = new LinkedHashMap<>();
            dv.put("state", d.state());
            dv.put("attempts", d.attempts());
            dv.put("lastError", d.lastError());
            return dv;
        }).orElse(null));
        // the paid term as a chain of certificates (issue 13 §2)
        io.certhub.term.TermService.Term t = terms.term(o.id(), o.period());
        Map<String, Object> term = new LinkedHashMap<>();
        term.put("paidUntil", t.paidUntil() == null ? null : t.paidUntil().toString());
        term.put("certificatesIssued", t.certificatesIssued());
        term.put("nextReissueAt", t.nextReissueAt() == null ? null : t.nextReissueAt().toString());
        term.put("lastDcvAt", t.lastDcv() == null ? null : t.lastDcv().toString());            // as the chain shows (BR 4.2.1 reuse)
        term.put("nextReissueNeedsDcv", t.nextReissueNeedsDcv());
        // the CA's ACME Renewal Information of the ACTIVE certificate (RFC 9773), which sets nextReissueAt when present
        term.put("renewalInfo", t.renewalInfo() == null ? null : renewalInfo(t.renewalInfo()));
        m.put("term", term);
        m.put("lastError", o.lastErrorCode() == null ? null : Map.of("code", o.lastErrorCode(), "detail", String.valueOf(o.lastErrorDetail())));
        // while the vendor does not answer: how often it was tried and when it is tried next (issue 11 §3)
        if (io.certhub.order.OrderService.VENDOR_UNAVAILABLE.equals(o.lastErrorCode())) {
            m.put("vendorRetry", vendorQueue.retry(o.id()).orElse(null));
        }
        // what the hub found that does not stop the order, e.g. DOMAIN_NOT_REGISTERED (issue 11 §5)
        m.put("warnings", orders.warnings(o.id()).stream().map(w -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", w.code());
            e.put("field", w.field());
            e.put("detail", w.detail());
            return e;
        }).toList());
        m.put("createdAt", instant(o.createdAt()));
        m.put("updatedAt", instant(o.updatedAt()));
        m.put("csr", o.csr());
        try {
            m.put("contacts", json.readTree(o.contactsJson()));
        } catch (Exception e) {
            m.put("contacts", null);
        }
        if (withHistory) {
            m.put("history", orders.history(o.id()).stream().map(h -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("at", instant(h.at()));
                e.put("from", h.from() == null ? null : h.from().name());
                e.put("to", h.to().name());
                e.put("vendorStatus", h.vendorStatus());
                e.put("actor", h.actor());
                e.put("reason", h.reason());
                return e;
            }).toList());
        }
        return m;
    }

    /**
     * @param money an amount
     * @return {@code {amount: "49.00", currency: "USD"}} (mutable)
     */
    public static Map<String, Object> money(Money money) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("amount", money.decimal());
        m.put("currency", money.currency());
        return m;
    }

    /**
     * @param items       page items
     * @param page        0-based page
     * @param size        page size
     * @param total       total matching
     * @return {@code {items, page, size, totalElements}}
     */
    public static Map<String, Object> page(List<?> items, int page, int size, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", items);
        m.put("page", page);
        m.put("size", size);
        m.put("totalElements", total);
        return m;
    }

    /**
     * Formats an instant as the API writes every instant: ISO 8601 UTC truncated to microseconds
     * (the database's precision), so an answer given at once and one read back later agree.
     *
     * @param at an instant, or null
     * @return e.g. {@code 2026-12-06T20:05:42.123456Z}, or null
     */
    public static String instant(java.time.Instant at) {
        return at == null ? null : at.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
    }

    private static Map<String, Object> renewalInfo(io.certhub.term.TermService.RenewalInfo ari) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suggestedWindowStart", ari.windowStart().toString());
        m.put("suggestedWindowEnd", ari.windowEnd().toString());
        m.put("renewAt", ari.renewAt() == null ? null : ari.renewAt().toString());
        m.put("explanationUrl", ari.explanation());
        m.put("checkedAt", ari.checkedAt() == null ? null : ari.checkedAt().toString());
        return m;
    }
}
