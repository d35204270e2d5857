package io.certhub.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.issuer.PossibleOrphans;
import io.certhub.problem.HubProblem;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Operator endpoints for the vendor side (operator key only; routes/issuer/vendor-operator-api):
 * {@code GET /api/v1/vendor/possible-orphans?all=} lists the placements whose
 * {@code sw_register} reply was lost, so a saved order may exist at the vendor that no hub order
 * points at ({@link PossibleOrphans}); {@code POST /api/v1/vendor/possible-orphans/{id}/reconcile}
 * {@code {note}} marks one reconciled after the operator checked the vendor's portal.
 */
@Component("vendorOpsApi")
public class VendorOpsApi {

    private final ApiSupport api;
    private final PossibleOrphans orphans;

    /**
     * @param api     request/response helpers (operator check, JSON)
     * @param orphans the record of lost placement replies
     */
    public VendorOpsApi(ApiSupport api, PossibleOrphans orphans) {
        this.api = api;
        this.orphans = orphans;
    }

    /**
     * {@code GET /vendor/possible-orphans?all=true|false}: 200 {@code {items: [...]}} (shape in
     * {@link PossibleOrphans#list}); open ones only unless {@code all=true}.
     *
     * @param ex exchange
     * @throws HubProblem 401 no or unknown key; 403 a reseller key
     */
    public void possibleOrphans(Exchange ex) {
        api.operator(ex);
        boolean all = "true".equalsIgnoreCase(ex.getMessage().getHeader("all", String.class));
        api.respond(ex, api.ok(200, Map.of("items", orphans.list(all))));
    }

    /**
     * {@code POST /vendor/possible-orphans/{id}/reconcile} body {@code {note}} (optional): 200
     * {@code {id, reconciled: true}}.
     *
     * @param ex exchange
     * @throws HubProblem 401/403; 404 {@code ORPHAN_NOT_FOUND} for an unknown or already reconciled id
     */
    public void reconcile(Exchange ex) {
        Caller caller = api.operator(ex);
        long id;
        try {
            id = Long.parseLong(ex.getMessage().getHeader("id", String.class));
        } catch (NumberFormatException e) {
            throw new HubProblem(404, "ORPHAN_NOT_FOUND", null, "no open possible orphan " + ex.getMessage().getHeader("id", String.class));
        }
        byte[] body = api.body(ex);
        String note = null;
        if (body != null && body.length > 0) {
            JsonNode node = api.parse(body);
            note = node.path("note").isTextual() ? node.get("note").asText() : null;
        }
        if (!orphans.reconcile(id, caller.actor(), note)) {
            throw new HubProblem(404, "ORPHAN_NOT_FOUND", null, "no open possible orphan " + id);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("reconciled", true);
        api.respond(ex, api.ok(200, m));
    }
}
