package io.certhub.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.dcv.ApproverCandidate;
import io.certhub.issuer.VendorException;
import io.certhub.issuer.VendorQueue;
import io.certhub.issuer.Vendors;
import io.certhub.names.DomainNames;
import io.certhub.order.ApproverRule;
import io.certhub.order.Order;
import io.certhub.order.OrderService;
import io.certhub.order.OrderState;
import io.certhub.order.OrderValidator;
import io.certhub.order.ProductCatalog;
import io.certhub.problem.HubProblem;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * REST handlers of domain control validation (routes/intake/dcv-rest-api.camel.yaml; shapes in
 * shared/CONTRACT.md): approver discovery, re-sending the approval email and changing the DCV
 * method of an IN_PROGRESS order through the vendor ({@code resend_approve_email},
 * {@code update_dv_auth}); both recorded in the order's history.
 */
@Component("dcvApi")
public class DcvApi {

    private final ApiSupport api;
    private final ApproverRule approvers;
    private final ProductCatalog catalog;
    private final OrderService orders;
    private final OrderViews views;
    private final Vendors vendors;
    private final VendorQueue queue;

    /**
     * @param api       shared REST support
     * @param approvers approver rule and discovery
     * @param catalog   products
     * @param orders    lifecycle
     * @param views     order REST shape
     * @param vendors   the configured vendor
     * @param queue     vendor tracking (poll soon after a change)
     */
    public DcvApi(ApiSupport api, ApproverRule approvers, ProductCatalog catalog, OrderService orders, OrderViews views, Vendors vendors,
                  VendorQueue queue) {
        this.api = api;
        this.approvers = approvers;
        this.catalog = catalog;
        this.orders = orders;
        this.views = views;
        this.vendors = vendors;
        this.queue = queue;
    }

    /**
     * {@code GET /approvers?domain=&productType=} → a bare array of {@code {email, type, usable, note}}.
     *
     * @param ex exchange
     */
    public void approvers(Exchange ex) {
        api.reseller(ex);
        String raw = ex.getMessage().getHeader("domain", String.class);
        if (raw == null || raw.isBlank()) {
            throw new HubProblem(422, "FIELD_REQUIRED", "domain", "domain is required");
        }
        String domain;
        try {
            domain = DomainNames.normalise(raw);
        } catch (IllegalArgumentException e) {
            throw new HubProblem(422, "DOMAIN_INVALID", "domain", "domain: " + e.getMessage());
        }
        String productType = ex.getMessage().getHeader("productType", String.class);
        if (productType != null && !productType.isBlank() && catalog.find(productType).isEmpty()) {
            throw new HubProblem(422, "PRODUCT_UNKNOWN", "productType", "productType '" + productType + "' is not in the catalog");
        }
        List<ApproverCandidate> list = approvers.candidates(domain, productType == null || productType.isBlank() ? null : productType);
        api.respond(ex, api.ok(200, list));
    }

    /** {@code POST /orders/{id}/resend-approval}: the vendor re-sends the approval email. @param ex exchange */
    public void resendApproval(Exchange ex) {
        Caller caller = api.reseller(ex);
        api.respond(ex, api.idempotent(ex, caller, api.body(ex), () -> {
            Order o = atVendor(caller, ex);
            if (!"email".equals(o.dcvMethod())) {
                throw new HubProblem(409, "INVALID_STATE", "dcvMethod", "order " + o.id() + " validates by " + o.dcvMethod() + ", not by email");
            }
            call(() -> vendors.forOrder(o).resendApproval(o.vendorOrderId()));
            orders.recordVendorStatus(o.id(), o.vendorStatus(), caller.actor(), "approval email re-sent to " + o.approverEmail());
            return api.ok(200, views.view(orders.get(caller.accountId(), o.id()), true));
        }));
    }

    /**
     * {@code PATCH /orders/{id}/dcv} with {@code {dcvMethod, approverEmail}}: the same approver
     * rule as at order time; {@code http} never for a wildcard; only a method the product's vendor takes
     * ({@code dcv-methods}). @param ex exchange
     */
    public void changeDcv(Exchange ex) {
        Caller caller = api.reseller(ex);
        byte[] body = api.body(ex);
        api.respond(ex, api.idempotent(ex, caller, body, () -> {
            JsonNode node = api.parse(body);
            Order o = atVendor(caller, ex);
            String method = node.path("dcvMethod").asText(o.dcvMethod()).trim().toLowerCase(Locale.ROOT);
            if (!OrderValidator.DCV_METHODS.contains(method)) {
                throw new HubProblem(422, "FIELD_INVALID", "dcvMethod", "dcvMethod must be one of email, dns, http");
            }
            if (method.equals("http") && o.names().stream().anyMatch(DomainNames::isWildcard)) {
                throw new HubProblem(422, "DCV_METHOD_NOT_ALLOWED", "dcvMethod", "http validation cannot validate a wildcard name (BR 3.2.2.4.18)");
            }
            java.util.List<String> offered = catalog.find(o.productType()).map(io.certhub.order.Product::dcvMethods).orElse(java.util.List.of());
            if (!offered.isEmpty() && !offered.contains(method)) {
                throw new HubProblem(422, "DCV_METHOD_NOT_ALLOWED", "dcvMethod", o.productType() + " validates by " + String.join(" or ", offered)
                    + " only; " + method + " is not offered by its vendor");
            }
            String approver = null;
            if (method.equals("email")) {
                if (node.hasNonNull("approverEmail")) {
                    String given = node.get("approverEmail").asText();
                    java.util.List<io.certhub.problem.HubProblem.FieldError> errors = new java.util.ArrayList<>();
                    if (!io.certhub.order.FieldRules.singleLine(given, "approverEmail", io.certhub.order.FieldRules.MAX_EMAIL, errors)) {
                        throw HubProblem.unprocessable(errors);
                    }
                    try {
                        approver = given.isBlank() ? null : io.certhub.dcv.EmailAddresses.normalise(given).filter(OrderValidator::validEmail)
                            .orElseThrow(() -> new IllegalArgumentException("'" + given.strip() + "' is not a plain email address"));
                    } catch (IllegalArgumentException e) {
                        throw new HubProblem(422, "FIELD_INVALID", "approverEmail", "approverEmail: " + e.getMessage());
                    }
                } else {
                    approver = o.approverEmail();
                }
                if (approver == null || !OrderValidator.validEmail(approver)) {
                    throw new HubProblem(422, "FIELD_REQUIRED", "approverEmail", "approverEmail is required for email validation");
                }
                if (!approvers.allowed(approver, o.names(), o.productType())) {
                    throw new HubProblem(422, "APPROVER_NOT_ALLOWED", "approverEmail", approver + " may not approve " + o.names()
                        + "; allowed: " + approvers.allowedList(o.names(), o.productType()));
                }
            }
            String chosen = approver;
            call(() -> vendors.forOrder(o).changeDcv(o.vendorOrderId(), method, chosen));
            orders.changeDcv(o.id(), method, chosen, caller.actor());
            queue.later(o.id(), java.time.Duration.ZERO, false);
            return api.ok(200, views.view(orders.get(caller.accountId(), o.id()), true));
        }));
    }

    private Order atVendor(Caller caller, Exchange ex) {
        Order o = orders.get(caller.accountId(), ex.getMessage().getHeader("id", String.class));
        if (o.state() != OrderState.IN_PROGRESS || o.vendorOrderId() == null) {
            throw new HubProblem(409, "INVALID_STATE", "state", "order " + o.id() + " is " + o.state()
                + (o.vendorOrderId() == null ? " and not yet at the vendor" : "") + "; only an IN_PROGRESS order at the vendor has a DCV to act on");
        }
        return o;
    }

    private static void call(Runnable vendorCall) {
        try {
            vendorCall.run();
        } catch (VendorException e) {
            throw e.toProblem();
        }
    }
}
