package io.certhub.issuer;

import io.certhub.issuer.VendorQueue.Step;
import io.certhub.order.Order;
import io.certhub.order.OrderService;
import io.certhub.order.OrderState;
import io.certhub.problem.HubProblem;
import org.springframework.stereotype.Component;

/**
 * The reseller's cancel (shared/CONTRACT.md, "Cancel"): an order the vendor does not have yet
 * (PENDING, DECLINED, or IN_PROGRESS still queued and not being placed) is cancelled at once; a
 * queued order a submission worker is placing at this moment answers 202 with
 * {@code vendorStatus: cancel-requested}, and the worker cancels what it placed (history shows
 * both); an order at the vendor
 * is cancelled there first ({@code cancel_order}): when the vendor confirms within the call the
 * order is CANCELLED and its hold released (200); otherwise it stays IN_PROGRESS with
 * {@code vendorStatus: cancel-requested} (202), the request is retried by the status poll, and
 * the hold is released only when the vendor confirms.
 */
@Component
public class VendorCancellation {

    /**
     * @param order  the order after the call
     * @param status 200 (cancelled) or 202 (cancel requested)
     */
    public record Result(Order order, int status) { }

    /** How long a cancel holds a queued order's claim (nothing needs it afterwards: the order is CANCELLED). */
    private static final java.time.Duration CLAIM = java.time.Duration.ofMinutes(1);

    private final OrderService orders;
    private final VendorQueue queue;
    private final Vendors vendors;
    private final org.springframework.transaction.support.TransactionTemplate tx;

    /**
     * @param orders  lifecycle
     * @param queue   vendor tracking columns
     * @param vendors the configured adapter
     * @param tx      transactions of the hub's database
     */
    public VendorCancellation(OrderService orders, VendorQueue queue, Vendors vendors,
                              org.springframework.transaction.support.TransactionTemplate tx) {
        this.orders = orders;
        this.queue = queue;
        this.vendors = vendors;
        this.tx = tx;
    }

    /**
     * @param accountId the reseller
     * @param orderId   order id
     * @param actor     who cancels
     * @return the outcome
     * @throws HubProblem 404; 409 INVALID_STATE (completed, cancelled, or refused by the vendor)
     */
    public Result cancel(String accountId, String orderId, String actor) {
        Order o = orders.get(accountId, orderId);
        Step step = o.state() == OrderState.IN_PROGRESS ? queue.step(orderId) : null;
        if (o.state() == OrderState.IN_PROGRESS && o.vendorOrderId() == null && step != null && step != Step.QUEUED) {
            // a worker recorded the placement between the two reads (vendor order id and step
            // commit together): read the order again, so the cancel goes to the vendor
            o = orders.get(accountId, orderId);
        }
        if (o.state() == OrderState.IN_PROGRESS && o.vendorOrderId() == null && step == Step.QUEUED) {
            // not at the vendor yet: cancelled here only while no submission worker holds it (the
            // claim then keeps every worker away); a worker placing it right now sees the request
            // instead and cancels what it placed, both steps in the history (issue 11 §4)
            if (VendorSubmission.retrying(() -> queue.claimWhileQueued(orderId, CLAIM))) {
                return new Result(orders.cancel(accountId, orderId, actor, "cancelled by the reseller before it was sent to the vendor"), 200);
            }
            if (VendorSubmission.CANCEL_REQUESTED.equals(o.vendorStatus()) || VendorSubmission.retrying(() -> orders.requestCancelBeforePlacement(orderId,
                actor, "cancellation requested while the order is being placed at the vendor; the hold stays until it is cancelled there"))) {
                return new Result(orders.get(accountId, orderId), 202);
            }
            // the worker recorded the placement first: the order is at the vendor now
            o = orders.get(accountId, orderId);
            step = queue.step(orderId);
        }
        if (o.state() != OrderState.IN_PROGRESS || o.vendorOrderId() == null || step == null) {
            return new Result(orders.cancel(accountId, orderId, actor, "cancelled by the reseller"), 200);
        }
        if (step == Step.CANCEL_REQUESTED) {
            return new Result(o, 202);
        }
        // the intent is recorded before the vendor is asked: a submission in flight that the vendor
        // now refuses (the order is cancelled there) leaves the outcome to this cancellation
        Step before = step;
        queue.setStep(orderId, Step.CANCEL_REQUESTED);
        String state;
        try {
            state = vendors.forOrder(o).cancel(o.vendorOrderId(), step == Step.SAVED);
        } catch (VendorException e) {
            if (e.kind() == VendorException.Kind.REFUSED) {
                queue.setStep(orderId, before);
                throw new HubProblem(409, "INVALID_STATE", "state", "the vendor refused to cancel order " + o.vendorOrderId() + ": " + e.getMessage());
            }
            state = null;
        }
        if ("cancelled".equals(state)) {
            // one transaction: a submission worker whose sw_process the vendor now refuses finds
            // either CANCEL_REQUESTED or the order CANCELLED, never a step DONE on an IN_PROGRESS order
            tx.executeWithoutResult(s -> {
                queue.setStep(orderId, Step.DONE);
                orders.cancelConfirmed(orderId, actor, "cancelled by the reseller; the vendor confirmed; hold released");
            });
            return new Result(orders.get(accountId, orderId), 200);
        }
        queue.setStep(orderId, Step.CANCEL_REQUESTED);
        orders.recordVendorStatus(orderId, "cancel-requested", actor, "cancellation requested from the vendor; the hold stays until it confirms");
        return new Result(orders.get(accountId, orderId), 202);
    }
}
