package io.certhub.issuer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.issuer.VendorQueue.Step;
import io.certhub.order.Order;
import io.certhub.order.OrderCompletion;
import io.certhub.order.OrderRepository;
import io.certhub.order.OrderService;
import io.certhub.order.OrderState;
import io.certhub.pki.Certificates;
import io.certhub.retry.Backoff;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Follows the vendor's progress of IN_PROGRESS orders (the vendor-status-poll route, on a Quartz
 * schedule, calls {@link #due} then {@link #poll} for each). Every vendor status change is kept
 * in the order's history; {@code declined} → DECLINED with the hold released; {@code cancelled}
 * → CANCELLED with the hold released; {@code completed} → the certificate is fetched
 * ({@code get_cert}) and handed to {@link OrderCompletion}. No time-out ever cancels an order
 * (seed rule): an order may wait at the vendor indefinitely with its hold.
 *
 * <p>Polling is polite: an order whose status did not change is polled again after
 * {@code hub.vendor.poll-base × 2^n} up to {@code hub.vendor.poll-max}; a run takes at most
 * {@code hub.vendor.poll-batch} orders. A reseller cancel the vendor did not confirm at once
 * (CANCEL_REQUESTED) is sent again from here until it is confirmed.
 */
@Component("vendorTracking")
public class VendorTracking {

    private static final Logger LOG = LoggerFactory.getLogger(VendorTracking.class);

    private final VendorQueue queue;
    private final OrderRepository orders;
    private final OrderService lifecycle;
    private final OrderCompletion completion;
    private final Vendors vendors;
    private final VendorProperties props;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final TransactionTemplate tx;

    /**
     * @param queue      vendor tracking columns
     * @param orders     order storage
     * @param lifecycle  order lifecycle
     * @param completion the completion operation
     * @param vendors    the configured adapter
     * @param props      vendor settings
     * @param json       Jackson mapper (DCV details)
     * @param meters     metrics
     * @param tx         transactions (a poll's writes are one commit)
     */
    public VendorTracking(VendorQueue queue, OrderRepository orders, OrderService lifecycle, OrderCompletion completion, Vendors vendors,
                          VendorProperties props, ObjectMapper json, MeterRegistry meters,
                          TransactionTemplate tx) {
        this.queue = queue;
        this.orders = orders;
        this.lifecycle = lifecycle;
        this.completion = completion;
        this.vendors = vendors;
        this.props = props;
        this.json = json;
        this.meters = meters;
        this.tx = tx;
    }

    /** @return ids of orders due for a poll now, at most {@code hub.vendor.poll-batch} */
    public List<String> due() {
        return queue.due(List.of(Step.SUBMITTED, Step.CANCEL_REQUESTED), props.getPollBatch());
    }

    /**
     * Polls one order once. Does nothing when another worker holds it.
     *
     * @param orderId order id
     */
    public void poll(String orderId) {
        if (!queue.claim(orderId, props.getClaim())) {
            return;
        }
        boolean released = false;
        try {
            released = pollClaimed(orderId);
        } finally {
            if (!released) {
                queue.release(orderId);
            }
        }
    }

    /**
     * Polls one order the caller already holds (the submission worker, right after the vendor
     * took the order: SSL Lite comes back completed, DNS/HTTP tokens are known at once).
     *
     * <p>An order that stays with the vendor is rescheduled, its DCV details and vendor status
     * recorded and the claim given back in one transaction (one commit per poll besides the
     * claim: with H2's {@code WRITE_DELAY=0} every commit is a write to the database file).
     *
     * @param orderId order id, claimed by the caller
     * @return true when the claim was given back with the order's next schedule; false when the
     *         caller still holds it and must release it
     */
    public boolean pollClaimed(String orderId) {
        try {
            Order o = orders.find(orderId).orElse(null);
            if (o == null || o.state() != OrderState.IN_PROGRESS || o.vendorOrderId() == null) {
                queue.setStep(orderId, Step.DONE);
                return false;
            }
            VendorAdapter vendor = vendors.forOrder(o);
            if (queue.step(orderId) == Step.CANCEL_REQUESTED) {
                String state = vendor.cancel(o.vendorOrderId(), false);
                if ("cancelled".equals(state)) {
                    tx.executeWithoutResult(s -> {
                        queue.setStep(orderId, Step.DONE);
                        lifecycle.cancelConfirmed(orderId, "vendor", "the vendor confirmed the reseller's cancellation; hold released");
                    });
                    return false;
                }
            }
            VendorAdapter.VendorOrder info = vendor.info(o.vendorOrderId());
            meters.counter("certhub.vendor.polls").increment();
            String details = info.dcv() == null ? null : json.writeValueAsString(info.dcv());
            String newDetails = details != null && !details.equals(queue.dcvDetails(orderId)) ? details : null;
            String state = info.state() == null ? "" : info.state();
            if (newDetails != null && List.of("completed", "declined", "cancelled").contains(state)) {
                queue.dcvDetails(orderId, newDetails);
            }
            switch (state) {
                case "completed" -> complete(o, vendor, info);
                case "declined" -> {
                    tx.executeWithoutResult(s -> {
                        queue.setStep(orderId, Step.DONE);
                        lifecycle.decline(orderId, "VENDOR_DECLINED", "the vendor declined order " + o.vendorOrderId(), "vendor");
                    });
                }
                case "cancelled" -> {
                    tx.executeWithoutResult(s -> {
                        queue.setStep(orderId, Step.DONE);
                        lifecycle.cancelConfirmed(orderId, "vendor", "cancelled by the vendor; hold released");
                    });
                }
                default -> {
                    // retried on a transient concurrency failure (a reseller's cancel updating the same row)
                    VendorSubmission.retrying(() -> tx.execute(s -> {
                        if (newDetails != null) {
                            queue.dcvDetails(orderId, newDetails);
                        }
                        boolean changed = queue.step(orderId) != Step.CANCEL_REQUESTED
                            && lifecycle.recordVendorStatus(orderId, state, "vendor", null);
                        if (changed) {
                            queue.schedule(orderId, Step.SUBMITTED, props.getPollBase(), true);
                        } else {
                            queue.later(orderId, Backoff.exponential(props.getPollBase(), props.getPollMax(), queue.attempts(orderId)), true, true);
                        }
                        return null;
                    }));
                    return true;
                }
            }
            return false;
        } catch (VendorException e) {
            LOG.info("order {}: poll failed ({} {}), trying later", orderId, e.kind(), e.getMessage());
            queue.later(orderId, Backoff.exponential(props.getRetryBase(), props.getPollMax(), queue.attempts(orderId)), true, true);
            return true;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void complete(Order o, VendorAdapter vendor, VendorAdapter.VendorOrder info) {
        VendorAdapter.IssuedCertificate cert = vendor.certificate(info);
        List<X509Certificate> certs = new ArrayList<>(Certificates.parseAny(cert.leafPem().getBytes(StandardCharsets.US_ASCII)));
        for (String ca : cert.caPems()) {
            certs.addAll(Certificates.parseAny(ca.getBytes(StandardCharsets.US_ASCII)));
        }
        OrderCompletion.Result r = completion.complete(o.id(), certs, "vendor-api");
        if (r.accepted()) {
            queue.setStep(o.id(), Step.DONE);
            if (r.completed()) {
                meters.counter("certhub.orders.completed", "source", "vendor-api").increment();
            }
        } else {
            LOG.warn("order {}: the certificate from get_cert was refused: {} {}", o.id(), r.code(), r.detail());
            meters.counter("certhub.certificates.refused", "source", "vendor-api", "code", r.code()).increment();
            lifecycle.recordVendorStatus(o.id(), "completed", "vendor", "the vendor reports it completed; its certificate was refused: " + r.code());
            queue.later(o.id(), props.getPollMax(), false);
        }
    }
}
