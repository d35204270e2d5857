package io.certhub.issuer;

import io.certhub.issuer.VendorQueue.Step;
import io.certhub.order.Order;
import io.certhub.order.OrderRepository;
import io.certhub.order.OrderService;
import io.certhub.order.OrderState;
import io.certhub.retry.Backoff;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends submitted orders to the vendor (the order-submission route calls {@link #process} for
 * each queued order id; several run at once). Never two vendor orders for one hub order:
 *
 * <ol>
 *   <li>QUEUED → {@link VendorAdapter#place} ({@code sw_register handle=save}); the vendor's
 *       order id is committed on the order before anything else, marked SUBMITTING in the same
 *       transaction. A timeout or failure here is retried: at worst an unused saved order stays
 *       at the vendor.</li>
 *   <li>SAVED (a declined order submitted again) → marked SUBMITTING (committed), then
 *       {@link VendorAdapter#submit} ({@code process_pending}) → SUBMITTED with the vendor's
 *       status.</li>
 *   <li>SUBMITTING found again (the reply was lost: timeout, 705, crash) → looked up with
 *       {@link VendorAdapter#info} first; only a vendor order still pending/declined is
 *       submitted again.</li>
 * </ol>
 * Outcomes (vendor issue): a definite refusal (also a request the vendor finds invalid, or one the
 * hub cannot encode: {@code VENDOR_REJECTED}, see {@link #declineCode}) declines the order and
 * releases its hold in one transaction, logged once;
 * transient and ambiguous failures retry with exponential backoff, the order staying queued;
 * an authentication refusal pauses all sending for {@code hub.vendor.auth-pause} and alerts
 * (error log, counter {@code certhub.vendor.auth.failures}). A vendor outage never blocks intake:
 * orders are committed first and sent from this queue.
 */
@Component("vendorSubmission")
public class VendorSubmission {

    private static final Logger LOG = LoggerFactory.getLogger(VendorSubmission.class);
    private static final Set<String> RESUBMITTABLE = Set.of("pending", "declined");
    /** Vendor status of an order whose cancellation the reseller asked for (see {@link VendorCancellation}). */
    static final String CANCEL_REQUESTED = "cancel-requested";

    private final VendorQueue queue;
    private final OrderRepository orders;
    private final OrderService lifecycle;
    private final Vendors vendors;
    private final VendorProperties props;
    private final VendorTracking tracking;
    private final MeterRegistry meters;
    private final TransactionTemplate tx;
    private final PossibleOrphans orphans;
    private volatile Instant pausedUntil = Instant.EPOCH;
    /** Ids handed to the submission route and not yet processed (so a sweep never queues one twice). */
    private final Set<String> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param queue     vendor tracking columns
     * @param orders    order storage
     * @param lifecycle order lifecycle (decline, status history)
     * @param vendors   the configured adapter
     * @param props     vendor settings
     * @param tracking  status tracking (an order completed at once is fetched from there)
     * @param meters    metrics
     * @param tx        transaction template of the hub database (one transaction per vendor answer)
     * @param orphans   record of placements whose reply was lost
     */
    public VendorSubmission(VendorQueue queue, OrderRepository orders, OrderService lifecycle, Vendors vendors, VendorProperties props,
                            VendorTracking tracking, MeterRegistry meters, TransactionTemplate tx, PossibleOrphans orphans) {
        this.queue = queue;
        this.orders = orders;
        this.lifecycle = lifecycle;
        this.vendors = vendors;
        this.props = props;
        this.tracking = tracking;
        this.meters = meters;
        this.tx = tx;
        this.orphans = orphans;
    }

    /**
     * Takes the next orders to send: due now, not already handed out, at most
     * {@code hub.vendor.queue-size} in flight in all.
     *
     * @return ids of orders waiting to be sent (empty while sending is paused)
     */
    public List<String> due() {
        int room = props.getQueueSize() - inFlight.size();
        if (queue.instant().isBefore(pausedUntil) || room <= 0) {
            return List.of();
        }
        List<String> ids = new java.util.ArrayList<>();
        for (String id : queue.due(List.of(Step.QUEUED, Step.SAVED, Step.SUBMITTING), room + inFlight.size())) {
            if (ids.size() < room && inFlight.add(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * Moves one order as far as it goes with the vendor now. Does nothing when another worker
     * holds the order or it is no longer waiting.
     *
     * @param orderId order id
     */
    public void process(String orderId) {
        try {
            VendorQueue.Claim claim = queue.instant().isBefore(pausedUntil) ? null : queue.take(orderId, props.getClaim());
            if (claim == null) {
                return;
            }
            boolean released = false;
            try {
                released = step(orderId, claim.takenFrom());
            } finally {
                if (!released) {
                    queue.release(orderId);
                }
            }
        } finally {
            inFlight.remove(orderId);
        }
    }

    /**
     * One order's steps with the vendor. Each vendor answer is recorded in one transaction (the
     * vendor tracking columns, the vendor status and its history entry): the placement's answer
     * also marks the order SUBMITTING (so a lost process_pending reply is looked up before any
     * resend), and the submission's answer gives the claim back in the same update.
     *
     * @param orderId     order id, claimed by the caller
     * @param interrupted the instance whose claim on the order the caller took over (it stopped
     *                    while holding it), or null
     * @return true when the claim was given back already
     */
    private boolean step(String orderId, String interrupted) {
        Order o = orders.find(orderId).orElse(null);
        Step step = o == null ? null : queue.step(orderId);
        if (o == null || step == null) {
            return false;
        }
        VendorAdapter vendor = vendors.forOrder(o);
        try {
            if (o.state() != OrderState.IN_PROGRESS) {
                abandon(o, step, vendor);
                return false;
            }
            if (step == Step.QUEUED) {
                if (CANCEL_REQUESTED.equals(o.vendorStatus())) {
                    // the reseller cancelled while this order was claimed for placement: nothing is placed
                    tx.executeWithoutResult(s -> {
                        queue.setStep(orderId, Step.DONE);
                        lifecycle.cancelConfirmed(orderId, "hub", "cancelled before it was placed at the vendor; nothing was sent; hold released");
                    });
                    return false;
                }
                if (interrupted != null) {
                    interruptedPlacement(orderId, interrupted);
                }
                String vendorOrderId = vendor.place(o, orders.renewalOf(orderId).isPresent());
                recovered(o);
                // retried when the row changed under it (a cancel's guarded update racing this one):
                // the vendor order it saved must be recorded, never lost with a rolled-back transaction
                Boolean placed = retrying(() -> tx.execute(s -> {
                    if (!queue.saved(orderId, vendorOrderId)) {
                        return null;
                    }
                    Order now = orders.find(orderId).orElseThrow();
                    if (now.state() == OrderState.IN_PROGRESS && CANCEL_REQUESTED.equals(now.vendorStatus())) {
                        lifecycle.recordVendorStatus(orderId, CANCEL_REQUESTED, "vendor", "saved at the vendor as order " + vendorOrderId
                            + " while its cancellation was requested; cancelling it there");
                        return false;
                    }
                    if (!lifecycle.recordVendorStatus(orderId, "pending", "vendor", "saved at the vendor as order " + vendorOrderId)) {
                        lifecycle.note(orderId, "vendor", "saved at the vendor as order " + vendorOrderId + " after the order left IN_PROGRESS; cancelling it there");
                        return false;                           // cancelled while we were placing it
                    }
                    queue.setStep(orderId, Step.SUBMITTING);
                    return true;
                }));
                if (placed == null) {
                    return false;
                }
                o = orders.find(orderId).orElseThrow();
                if (!placed) {
                    abandon(o, Step.SAVED, vendor);
                    return false;
                }
                return submit(o, vendor);
            }
            if (step == Step.SUBMITTING) {
                VendorAdapter.VendorOrder info = vendor.info(o.vendorOrderId());
                if (!RESUBMITTABLE.contains(info.state())) {
                    return submitted(o, info.state());
                }
                step = Step.SAVED;
            }
            if (step == Step.SAVED) {
                queue.setStep(orderId, Step.SUBMITTING);
                return submit(o, vendor);
            }
            return false;
        } catch (VendorException e) {
            if (step == Step.QUEUED && e.kind() == VendorException.Kind.AMBIGUOUS) {
                // sw_register handle=save may have saved an order whose id never reached us; the
                // protocol cannot look it up, so it is recorded for an operator before the resend
                orphans.record(orderId, "sw_register", e);
                lifecycle.note(orderId, "vendor", "the reply to sw_register was lost (" + e.code() + "): a saved order may exist at the vendor;"
                    + " recorded for reconciliation (GET /api/v1/vendor/possible-orphans) and placed again");
                meters.counter("certhub.vendor.possible.orphans").increment();
            }
            failed(o, e);
            return false;
        } catch (org.springframework.dao.DataAccessException e) {
            throw e;                                            // the database: the claim runs out, the sweep finds it again
        } catch (RuntimeException e) {
            // a fault of our own while preparing the call: backed off like a transient failure, never
            // picked up again at once by the next sweep (issue 16, item 3)
            LOG.warn("order {}: unexpected failure of a vendor step; retried with backoff", orderId, e);
            failed(o, new VendorException(VendorException.Kind.TRANSIENT, "INTERNAL", String.valueOf(e.getMessage()), e));
            return false;
        }
    }

    /**
     * Records a placement that may have reached the vendor without its answer being kept: the
     * order is still QUEUED but a worker held it and stopped (a crash, {@code kill -9}, an instance
     * that stopped beating) between its claim and the record of the vendor's answer, so its
     * {@code sw_register handle=save} may have saved an order the protocol cannot look up. Listed
     * for the operator like a lost reply ({@code GET /api/v1/vendor/possible-orphans}, error code
     * {@code INTERRUPTED}) before the order is placed again, and noted in its history.
     */
    private void interruptedPlacement(String orderId, String instance) {
        String detail = "the placement by instance " + instance + " stopped before the vendor's answer was recorded";
        orphans.record(orderId, "sw_register", new VendorException(VendorException.Kind.AMBIGUOUS, "INTERRUPTED", detail, null));
        lifecycle.note(orderId, "vendor", detail + ": a saved order may exist at the vendor; recorded for reconciliation"
            + " (GET /api/v1/vendor/possible-orphans) and placed again");
        meters.counter("certhub.vendor.possible.orphans").increment();
        LOG.warn("order {}: {}; recorded as a possible orphan and placed again", orderId, detail);
    }

    /**
     * The {@code lastError.code} a definite refusal leaves on the declined order: the vendor's
     * business refusals keep their code ({@code VENDOR_REFUSED_435} product not enabled,
     * {@code VENDOR_REFUSED_440} the hub's vendor funds); every other refusal (the vendor finds the
     * request invalid, e.g. OpenSRS 465, or the hub cannot encode it) is {@code VENDOR_REJECTED}:
     * no retry cures it, the reseller fixes the order and submits it again.
     *
     * @param e a {@link VendorException.Kind#REFUSED} failure
     * @return the code
     */
    static String declineCode(VendorException e) {
        return "435".equals(e.code()) || "440".equals(e.code()) ? "VENDOR_REFUSED_" + e.code() : "VENDOR_REJECTED";
    }

    /**
     * Runs a short transaction again (at most 3 times in all) when the database reports a
     * transient concurrency failure (a row lock or a concurrent update of the same row).
     */
    static <T> T retrying(java.util.function.Supplier<T> transaction) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.get();
            } catch (org.springframework.dao.TransientDataAccessException e) {
                if (attempt >= 3) {
                    throw e;
                }
                LOG.debug("transaction retried after a concurrency failure: {}", e.getMessage());
            }
        }
    }

    private boolean submit(Order o, VendorAdapter vendor) {
        String state = vendor.submit(o, o.vendorOrderId());
        recovered(o);
        return submitted(o, state);
    }

    /** Clears a VENDOR_UNAVAILABLE the order showed (as loaded for this step), now that the vendor answered. */
    private void recovered(Order o) {
        if (OrderService.VENDOR_UNAVAILABLE.equals(o.lastErrorCode())) {
            lifecycle.vendorRecovered(o.id(), queue.attempts(o.id()));
        }
    }

    /**
     * Records the vendor's answer to the submission, unless the order left SUBMITTING meanwhile
     * (a reseller's cancel asked the vendor while process_pending was in flight: its
     * CANCEL_REQUESTED step and status stand, and the poll follows it up).
     *
     * @return true when the claim was given back with it
     */
    private boolean submitted(Order o, String vendorState) {
        boolean pollNow = "completed".equals(vendorState) || !"email".equals(o.dcvMethod());
        boolean recorded = Boolean.TRUE.equals(tx.execute(s -> {
            if (!queue.submitted(o.id(), pollNow ? null : props.getPollBase(), !pollNow)) {
                return false;
            }
            lifecycle.recordVendorStatus(o.id(), vendorState, "vendor", "submitted to the vendor (order " + o.vendorOrderId() + "): " + vendorState);
            return true;
        }));
        meters.counter("certhub.vendor.submitted").increment();
        if (!recorded) {
            LOG.info("order {}: submitted to the vendor (order {}) while its cancellation was requested; the cancellation stands",
                o.id(), o.vendorOrderId());
            return false;
        }
        if (pollNow) {
            return tracking.pollClaimed(o.id());     // the certificate (SSL Lite) or the DNS/HTTP token, at once
        }
        return true;
    }

    /**
     * Gives up a placement that must not go on: the order was cancelled (or its cancellation was
     * requested) while it was being placed. A vendor order saved meanwhile is cancelled at the
     * vendor ({@code process_pending command=cancel}) and both steps are in the order's history.
     * An IN_PROGRESS order with a cancellation requested is CANCELLED (hold released) when the
     * vendor confirms, or left CANCEL_REQUESTED for the status poll to retry.
     */
    private void abandon(Order o, Step step, VendorAdapter vendor) {
        boolean requested = o.state() == OrderState.IN_PROGRESS && CANCEL_REQUESTED.equals(o.vendorStatus());
        if ((o.state() == OrderState.CANCELLED || requested) && o.vendorOrderId() != null && (step == Step.SAVED || step == Step.QUEUED)) {
            String state = null;
            try {
                state = vendor.cancel(o.vendorOrderId(), true);
            } catch (VendorException e) {
                LOG.warn("order {}: the saved vendor order {} could not be cancelled: {}", o.id(), o.vendorOrderId(), e.getMessage());
                lifecycle.note(o.id(), "vendor", "the saved vendor order " + o.vendorOrderId() + " could not be cancelled yet: " + e.getMessage());
            }
            if (requested) {
                if ("cancelled".equals(state)) {
                    tx.executeWithoutResult(s -> {
                        queue.setStep(o.id(), Step.DONE);
                        lifecycle.cancelConfirmed(o.id(), "vendor", "the saved vendor order " + o.vendorOrderId() + " was cancelled at the vendor; hold released");
                    });
                } else {
                    queue.setStep(o.id(), Step.CANCEL_REQUESTED);        // the status poll sends the cancellation again
                }
                return;
            }
            if ("cancelled".equals(state)) {
                lifecycle.note(o.id(), "vendor", "the saved vendor order " + o.vendorOrderId() + " was cancelled at the vendor");
            }
        }
        queue.setStep(o.id(), Step.DONE);
    }

    private void failed(Order o, VendorException e) {
        switch (e.kind()) {
            case REFUSED -> {
                String code = declineCode(e);
                // decided with the order's row locked: a reseller's cancel records CANCEL_REQUESTED
                // before it asks the vendor, and settles (step DONE, CANCELLED) in one transaction
                boolean declined = Boolean.TRUE.equals(tx.execute(s -> {
                    Order locked = orders.findForUpdate(o.id()).orElse(null);
                    Step now = queue.step(o.id());
                    if (locked == null || locked.state() != OrderState.IN_PROGRESS || now == Step.CANCEL_REQUESTED || now == Step.DONE) {
                        return false;
                    }
                    queue.setStep(o.id(), Step.DONE);
                    return lifecycle.decline(o.id(), code, e.getMessage(), "vendor");
                }));
                if (!declined) {
                    // the reseller's cancellation reached the vendor first (it refuses to process a
                    // cancelled order): the cancellation decides how the order ends, not this refusal
                    LOG.info("order {}: the vendor refused the submission while its cancellation is under way or after it left IN_PROGRESS ({} {})", o.id(), e.code(),
                        e.getMessage());
                    return;
                }
                // said once: the order leaves the queue (step DONE) and is DECLINED with its hold released
                LOG.warn("order {}: the vendor call failed permanently ({} {}): declined as {}, hold released", o.id(), e.code(),
                    e.getMessage(), code);
                meters.counter("certhub.vendor.refused", "code", code).increment();
            }
            case AUTH_FAILED -> {
                pausedUntil = queue.instant().plus(props.getAuthPause());
                LOG.error("ALERT: the vendor refused the hub's credentials or IP ({}); sending is paused for {} and the queue kept",
                    e.getMessage(), props.getAuthPause());
                meters.counter("certhub.vendor.auth.failures").increment();
                queue.later(o.id(), props.getAuthPause(), false);
            }
            default -> {
                int attempts = queue.attempts(o.id());
                Duration wait = Backoff.exponential(props.getRetryBase(), props.getRetryMax(), attempts);
                if (e.retryAfter() != null) {
                    // the vendor's pace (Retry-After of a 503/429): no call to it before then, for any order
                    Instant until = queue.instant().plus(e.retryAfter());
                    if (until.isAfter(pausedUntil)) {
                        pausedUntil = until;
                    }
                    if (e.retryAfter().compareTo(wait) > 0) {
                        wait = e.retryAfter();
                    }
                }
                if (attempts == 0) {
                    LOG.info("order {}: vendor call failed ({} {}), retry {} in {}", o.id(), e.kind(), e.getMessage(), attempts + 1, wait);
                } else {
                    LOG.debug("order {}: vendor call failed ({} {}), retry {} in {}", o.id(), e.kind(), e.getMessage(), attempts + 1, wait);
                }
                meters.counter("certhub.vendor.retries", "kind", e.kind().name()).increment();
                queue.later(o.id(), wait, true);
                lifecycle.vendorTrouble(o.id(), e.code() + ": " + e.getMessage(), wait);
            }
        }
    }
}
