package io.certhub.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.ledger.LedgerService;
import io.certhub.problem.HubProblem;
import io.certhub.webhook.HubEvent;
import io.certhub.webhook.WebhookEventType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The order lifecycle (shared/DESIGN.md, "Rules of the domain"): create (save or submit),
 * edit a saved order, submit, cancel, complete, decline. Each state change, its history entry and
 * its ledger entry (hold, capture, release) commit in one transaction; a change whose
 * precondition no longer holds (the order moved meanwhile) is refused with 409
 * {@code INVALID_STATE} and writes nothing. Inside the same transaction each change publishes its
 * webhook event ({@link HubEvent}: {@code order.submitted}, {@code order.completed},
 * {@code order.cancelled}, {@code order.declined}, {@code hold.captured}, {@code hold.released}),
 * which the webhook outbox writes before the commit (issue 13 §4).
 *
 * <p>Errors are {@link HubProblem}s: 404 {@code ORDER_NOT_FOUND} (also for another account's
 * order), 409 {@code INVALID_STATE}, 409 {@code CLIENT_REFERENCE_CONFLICT}, 402
 * {@code INSUFFICIENT_FUNDS}, 422 for document rules ({@link OrderValidator}).
 */
@Service
public class OrderService {

    /**
     * Outcome of {@link #create}.
     *
     * @param order   the order (new, or the existing one with the same reference and content)
     * @param created true when this call created it
     */
    public record CreateResult(Order order, boolean created) { }

    /**
     * Published after the commit of a submission: the order is IN_PROGRESS with its hold and
     * waits to be sent to the vendor.
     *
     * @param orderId the submitted order
     */
    public record OrderSubmitted(String orderId) { }

    /**
     * Published after the commit of a new order (saved or submitted), a submission and an edit:
     * the order's names are stored as they now are, for checks that only warn (issue 11 §5,
     * {@link RegistrationWarnings}). Listeners run in the publishing thread and must not make it
     * wait on the network.
     *
     * @param orderId the order
     */
    public record OrderNamesSet(String orderId) { }

    private final OrderRepository repo;
    private final OrderValidator validator;
    private final LedgerService ledger;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ObjectMapper json;
    private final ApplicationEventPublisher events;

    /**
     * @param repo      order storage
     * @param validator document rules
     * @param ledger    holds and journal
     * @param tx        transaction template of the hub database
     * @param clock     time source
     * @param json      Jackson mapper (contacts)
     * @param events    publisher of {@link OrderSubmitted} (after the commit) and {@link HubEvent} (inside the transaction)
     */
    public OrderService(OrderRepository repo, OrderValidator validator, LedgerService ledger, TransactionTemplate tx, Clock clock,
                        ObjectMapper json, ApplicationEventPublisher events) {
        this.repo = repo;
        this.validator = validator;
        this.ledger = ledger;
        this.tx = tx;
        this.clock = clock;
        this.json = json;
        this.events = events;
    }

    /**
     * Creates an order from a document: validated whole first, then stored PENDING and, for
     * {@code handle: process}, submitted in the same transaction (so a 402 creates nothing).
     * The same client reference with the same content returns the existing order; with other
     * content it is refused.
     *
     * @param accountId owning account
     * @param doc       the order document
     * @param actor     who places it, e.g. {@code account:demo} or {@code file:orders.csv}
     * @return the order and whether it was created now
     * @throws HubProblem 422 (rules), 409 CLIENT_REFERENCE_CONFLICT, 402 INSUFFICIENT_FUNDS
     */
    public CreateResult create(String accountId, OrderDocument doc, String actor) {
        return create(accountId, doc, actor, null);
    }

    /**
     * What a renewal may change of the order it renews; null fields keep the renewed order's.
     *
     * @param clientReference the renewal's own reference (default {@code renew-<id of the renewed order>},
     *                        so a retried request finds the renewal it made instead of placing another)
     * @param csr             a new PEM CSR (default: the renewed order's CSR)
     * @param period          years (default: the renewed order's)
     * @param handle          {@code process} (default: submitted at once, its price on hold) or {@code save}
     */
    public record Renewal(String clientReference, String csr, Integer period, String handle) { }

    /**
     * Places the renewal of a COMPLETED order (issue 13 §3): a new order for the same product,
     * names, server type, DCV method, approver and contacts, with the changes of {@code r},
     * validated whole like any order, with its own hold when submitted (one transaction, as
     * {@link #create}), marked as renewing {@code orderId} ({@code orders.renewal_of}, V20) so the
     * vendor receives it as a renewal (OpenSRS {@code sw_register reg_type=renew},
     * shared/reference/opensrs-trust-api.md); the renewed order's history notes it. The same
     * request again returns the renewal already made (by its client reference).
     *
     * @param accountId the caller's account
     * @param orderId   the order to renew
     * @param r         what changes (may be all null)
     * @param actor     who renews
     * @return the renewal order and whether it was created now
     * @throws HubProblem 404 ORDER_NOT_FOUND (another account's order too), 409 INVALID_STATE (not
     *                    COMPLETED), 409 CLIENT_REFERENCE_CONFLICT (the reference names another order),
     *                    422 (the renewal breaks an order rule, e.g. a weak new CSR), 402 INSUFFICIENT_FUNDS
     */
    public CreateResult renew(String accountId, String orderId, Renewal r, String actor) {
        Order source = get(accountId, orderId);
        if (source.state() != OrderState.COMPLETED) {
            throw invalidState(source, "renew", "only a COMPLETED order can be renewed");
        }
        OrderDocument d = document(source);
        OrderDocument doc = new OrderDocument(r.clientReference() != null ? r.clientReference() : "renew-" + source.id(), d.productType(),
            r.handle(), r.period() != null ? r.period() : d.period(), d.domain(), d.additionalDomains(), r.csr() != null ? r.csr() : d.csr(),
            d.serverType(), d.approverEmail(), d.dcvMethod(), d.contacts());
        return create(accountId, doc, actor, source.id());
    }

    private CreateResult create(String accountId, OrderDocument doc, String actor, String renewalOf) {
        ValidatedOrder v = validator.validate(doc);
        CreateResult result;
        try {
            result = tx.execute(s -> createInTx(accountId, v, actor, renewalOf));
        } catch (DuplicateKeyException raced) {
            result = tx.execute(s -> existing(accountId, v, renewalOf).orElseThrow(() -> raced));
        }
        if (result.created()) {
            publishAfterCommit(new OrderNamesSet(result.order().id()));
        }
        if (result.created() && result.order().state() == OrderState.IN_PROGRESS) {
            publishAfterCommit(new OrderSubmitted(result.order().id()));
        }
        return result;
    }

    /**
     * Publishes an event about a new order once the order is visible to other threads: at once,
     * or, when the caller's own transaction is still open (an ACME finalize makes its Certhub order
     * inside one), after that transaction commits — never for a rolled-back one.
     */
    private void publishAfterCommit(Object event) {
        if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
            org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                new org.springframework.transaction.support.TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        events.publishEvent(event);
                    }
                });
        } else {
            events.publishEvent(event);
        }
    }

    /**
     * Writes a new order in as few statements as the rules allow (issue 6, findings): after the
     * client-reference lookup, the order row is inserted in its final state (PENDING, or
     * IN_PROGRESS queued for the vendor with submission 1; a reference taken meanwhile surfaces as
     * the unique key's {@link DuplicateKeyException}, which {@link #create} turns into the existing
     * order or a conflict); the account's currency comes from the ledger's cache; the hold and its
     * journal row follow in the same transaction, and both history entries go in one batch. The
     * order returned is the one written, not read back.
     */
    private CreateResult createInTx(String accountId, ValidatedOrder v, String actor, String renewalOf) {
        // looked up first, so that a repeated client reference (a retry, a re-dropped file) never
        // reaches the insert: a unique-key violation inside the transaction left H2's transaction
        // store broken ("An old transaction with the same id is still open") in full test runs;
        // the insert's DuplicateKeyException stays the guard for two requests racing
        Optional<CreateResult> existing = existing(accountId, v, renewalOf);
        if (existing.isPresent()) {
            return existing.get();
        }
        String currency = ledger.currency(accountId);
        if (!currency.equals(v.price().currency())) {
            throw new HubProblem(422, "CURRENCY_MISMATCH", "productType", "account " + accountId + " is kept in " + currency
                + " but the catalog prices in " + v.price().currency());
        }
        Instant now = clock.instant();
        boolean submit = v.submit();
        Order o = new Order(UUID.randomUUID().toString(), accountId, v.clientReference(), v.contentHash(), v.product().productType(),
            submit ? OrderState.IN_PROGRESS : OrderState.PENDING, null, null, v.domain(), v.additionalDomains(), v.period(),
            v.serverType(), v.approverEmail(), v.dcvMethod(), v.csr().canonicalPem(), v.csr().publicKeySha256(), v.contactsJson(),
            v.price(), submit ? 1 : 0, null, null, now, now);
        repo.insert(o, submit ? "QUEUED" : null);
        Order.HistoryEntry saved = new Order.HistoryEntry(now, null, OrderState.PENDING, null, actor,
            renewalOf == null ? "order saved" : "order saved as the renewal of order " + renewalOf);
        if (renewalOf != null) {
            repo.markRenewal(o.id(), renewalOf);
            Order renewed = repo.find(renewalOf).orElseThrow(() -> notFound(renewalOf));
            repo.addHistory(renewalOf, new Order.HistoryEntry(now, renewed.state(), renewed.state(), renewed.vendorStatus(), actor,
                "renewal order " + o.id() + " placed (" + (submit ? "submitted" : "saved") + ")"));
        }
        if (!submit) {
            repo.addHistory(o.id(), List.of(saved));
            return new CreateResult(o, true);
        }
        ledger.hold(accountId, o.id(), 1, o.price());
        repo.addHistory(o.id(), List.of(saved, new Order.HistoryEntry(now, OrderState.PENDING, OrderState.IN_PROGRESS, null, actor,
            submittedReason(o))));
        events.publishEvent(new HubEvent(WebhookEventType.ORDER_SUBMITTED, accountId, o.id(), null));
        return new CreateResult(o, true);
    }

    private static String submittedReason(Order o) {
        return (o.state() == OrderState.DECLINED ? "submitted again; " : "submitted; ") + o.price().decimal() + " "
            + o.price().currency() + " on hold";
    }

    private Optional<CreateResult> existing(String accountId, ValidatedOrder v, String renewalOf) {
        return repo.findByClientReference(accountId, v.clientReference()).map(o -> {
            if (!o.contentHash().equals(v.contentHash())
                || (renewalOf != null && !renewalOf.equals(repo.renewalOf(o.id()).orElse(null)))) {
                throw new HubProblem(409, "CLIENT_REFERENCE_CONFLICT", "clientReference", "clientReference " + v.clientReference()
                    + " is already used by order " + o.id() + " with different content");
            }
            return new CreateResult(o, false);
        });
    }

    /**
     * Submits a PENDING or DECLINED order: holds its price and moves it to IN_PROGRESS.
     *
     * @param accountId owning account
     * @param orderId   order id
     * @param actor     who submits
     * @return the order after submission
     * @throws HubProblem 404, 409 INVALID_STATE (also for the loser of two submits at once),
     *                    402 INSUFFICIENT_FUNDS (the order keeps its state)
     */
    public Order submit(String accountId, String orderId, String actor) {
        Order o;
        try {
            o = tx.execute(s -> {
                // the row lock makes a second submit of the same order wait and then see IN_PROGRESS (409)
                Order current = repo.findForUpdate(orderId).filter(x -> x.accountId().equals(accountId))
                    .orElseThrow(() -> notFound(orderId));
                if (current.state() != OrderState.PENDING && current.state() != OrderState.DECLINED) {
                    throw invalidState(current, "submit", "only a PENDING or DECLINED order can be submitted");
                }
                return submitInTx(current, actor);
            });
        } catch (DuplicateKeyException | org.springframework.dao.ConcurrencyFailureException raced) {
            // another submit of this order won the race (hold_once_per_submission, or the database's
            // own concurrency check): nothing of this call was committed
            throw invalidState(get(accountId, orderId), "submit", "the order was submitted by another request at the same time");
        }
        events.publishEvent(new OrderNamesSet(o.id()));
        events.publishEvent(new OrderSubmitted(o.id()));
        return o;
    }

    private Order submitInTx(Order o, String actor) {
        int submission = o.submissions() + 1;
        ledger.hold(o.accountId(), o.id(), submission, o.price());
        repo.queueForVendor(o.id(), o.vendorOrderId() == null ? "QUEUED" : "SAVED");
        change(o, OrderState.IN_PROGRESS, o.vendorOrderId() == null ? null : o.vendorStatus(), submission, null, null, actor,
            submittedReason(o));
        return reload(o.id());
    }

    /**
     * Cancels an order that is not completed. PENDING and DECLINED orders hold nothing; an
     * IN_PROGRESS order's hold is released in the same transaction.
     *
     * @param accountId owning account
     * @param orderId   order id
     * @param actor     who cancels
     * @param reason    why (kept in the history)
     * @return the cancelled order
     * @throws HubProblem 404; 409 INVALID_STATE for COMPLETED (revoke instead) or CANCELLED
     */
    public Order cancel(String accountId, String orderId, String actor, String reason) {
        return tx.execute(s -> {
            // the row stays locked until the transition commits: a vendor refusal or confirmation
            // racing this cancel is seen, never overwritten or reported as a conflict
            Order o = repo.findForUpdate(orderId).filter(x -> x.accountId().equals(accountId)).orElseThrow(() -> notFound(orderId));
            if (!o.state().canGo(OrderState.CANCELLED)) {
                throw invalidState(o, "cancel", o.state() == OrderState.COMPLETED
                    ? "a completed certificate cannot be cancelled; it is revoked instead" : "the order is already cancelled");
            }
            if (o.state() == OrderState.IN_PROGRESS) {
                ledger.release(o.id()).ifPresent(h -> holdSettled(o, h));
            }
            change(o, OrderState.CANCELLED, o.vendorStatus(), o.submissions(), null, null, actor, reason == null ? "cancelled" : reason);
            return reload(o.id());
        });
    }

    /**
     * Completes an IN_PROGRESS order: captures its hold. Called by whichever path sees the
     * issued certificate first; later calls are no-ops.
     *
     * @param orderId order id
     * @param actor   who completes (vendor, mailbox)
     * @param reason  why
     * @return true when this call completed it, false when it was already COMPLETED
     * @throws HubProblem 404, 409 INVALID_STATE when the order is neither IN_PROGRESS nor COMPLETED
     */
    public boolean complete(String orderId, String actor, String reason) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            Order o = repo.findForUpdate(orderId).orElseThrow(() -> notFound(orderId));
            if (o.state() == OrderState.COMPLETED) {
                return false;
            }
            if (o.state() != OrderState.IN_PROGRESS) {
                throw invalidState(o, "complete", "only an IN_PROGRESS order can be completed");
            }
            ledger.capture(o.id()).ifPresent(h -> holdSettled(o, h));
            change(o, OrderState.COMPLETED, "completed", o.submissions(), null, null, actor, reason);
            return true;
        }));
    }

    /**
     * Records the vendor's refusal: IN_PROGRESS → DECLINED, hold released.
     *
     * @param orderId order id
     * @param code    refusal code (kept as {@code lastError.code})
     * @param detail  refusal detail
     * @param actor   who declined (vendor)
     * @return true when this call declined it, false when it was not IN_PROGRESS any more
     */
    public boolean decline(String orderId, String code, String detail, String actor) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            Order o = repo.findForUpdate(orderId).orElseThrow(() -> notFound(orderId));
            if (o.state() != OrderState.IN_PROGRESS) {
                return false;
            }
            ledger.release(o.id()).ifPresent(h -> holdSettled(o, h));
            change(o, OrderState.DECLINED, "declined", o.submissions(), code, detail, actor, detail);
            return true;
        }));
    }

    /**
     * Settles a cancellation the vendor confirmed (the reseller asked, or the vendor cancelled
     * on its own): IN_PROGRESS → CANCELLED, hold released, in one transaction.
     *
     * @param orderId order id
     * @param actor   who cancelled ({@code vendor}, or the reseller whose request was confirmed)
     * @param reason  why (kept in the history)
     * @return true when this call cancelled it, false when it was not IN_PROGRESS any more
     */
    public boolean cancelConfirmed(String orderId, String actor, String reason) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            Order o = repo.findForUpdate(orderId).orElseThrow(() -> notFound(orderId));
            if (o.state() != OrderState.IN_PROGRESS) {
                return false;
            }
            ledger.release(o.id()).ifPresent(h -> holdSettled(o, h));
            change(o, OrderState.CANCELLED, "cancelled", o.submissions(), null, null, actor, reason);
            return true;
        }));
    }

    /** Last-error code of an order whose vendor calls fail for now (outage, timeout, HTTP 5xx/429). */
    public static final String VENDOR_UNAVAILABLE = "VENDOR_UNAVAILABLE";

    /**
     * Shows on an IN_PROGRESS order that the vendor does not answer for now: {@code lastError}
     * {@code VENDOR_UNAVAILABLE} with the detail, and — only when the trouble starts, not on
     * every retry — one history entry (issue 11 §3).
     *
     * @param orderId order id
     * @param detail  what failed (the vendor call and its error)
     * @param retryIn when the next attempt is made
     */
    public void vendorTrouble(String orderId, String detail, java.time.Duration retryIn) {
        tx.executeWithoutResult(s -> {
            Order o = repo.find(orderId).orElse(null);
            if (o == null || o.state() != OrderState.IN_PROGRESS) {
                return;
            }
            Instant now = clock.instant();
            repo.lastError(orderId, VENDOR_UNAVAILABLE, detail, now);
            if (!VENDOR_UNAVAILABLE.equals(o.lastErrorCode())) {
                repo.addHistory(orderId, new Order.HistoryEntry(now, OrderState.IN_PROGRESS, OrderState.IN_PROGRESS, o.vendorStatus(), "vendor",
                    "the vendor does not answer (" + detail + "); retrying with backoff, next attempt in " + retryIn.toSeconds() + " s"));
            }
        });
    }

    /**
     * Clears {@code VENDOR_UNAVAILABLE} from an order whose vendor call went through again, with
     * one history entry. Does nothing when the order showed no such trouble.
     *
     * @param orderId  order id
     * @param attempts how many attempts failed before
     */
    public void vendorRecovered(String orderId, int attempts) {
        tx.executeWithoutResult(s -> {
            Order o = repo.find(orderId).orElse(null);
            if (o == null || !VENDOR_UNAVAILABLE.equals(o.lastErrorCode())) {
                return;
            }
            Instant now = clock.instant();
            repo.lastError(orderId, null, null, now);
            repo.addHistory(orderId, new Order.HistoryEntry(now, OrderState.IN_PROGRESS, OrderState.IN_PROGRESS, o.vendorStatus(), "vendor",
                "the vendor answers again" + (attempts > 0 ? " after " + attempts + " failed attempts" : "")));
        });
    }

    /**
     * Records a reseller's cancellation of an IN_PROGRESS order that a submission worker is
     * placing at this moment: vendor status {@code cancel-requested} and a history entry, in one
     * transaction, only while the order is still queued (no vendor order id recorded yet). The
     * worker then cancels what it placed (issue 11 §4).
     *
     * @param orderId order id
     * @param actor   who cancels
     * @param reason  why, in words
     * @return false when the placement was recorded first (the caller then cancels at the vendor)
     */
    public boolean requestCancelBeforePlacement(String orderId, String actor, String reason) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            Instant now = clock.instant();
            if (!repo.vendorStatusWhileQueued(orderId, "cancel-requested", now)) {
                return false;
            }
            repo.addHistory(orderId, new Order.HistoryEntry(now, OrderState.IN_PROGRESS, OrderState.IN_PROGRESS, "cancel-requested", actor, reason));
            return true;
        }));
    }

    /**
     * Adds an entry to an order's history without changing its state or vendor status, in
     * whatever state it is: what happened at the vendor to an order that has left IN_PROGRESS
     * (a vendor order saved while the order was being cancelled, and its cancellation there).
     *
     * @param orderId order id
     * @param actor   who acted (vendor, hub)
     * @param reason  what happened, in words
     * @throws HubProblem 404 when the order does not exist
     */
    public void note(String orderId, String actor, String reason) {
        tx.executeWithoutResult(s -> {
            Order o = repo.find(orderId).orElseThrow(() -> notFound(orderId));
            repo.addHistory(orderId, new Order.HistoryEntry(clock.instant(), o.state(), o.state(), o.vendorStatus(), actor, reason));
        });
    }

    /**
     * Records a new vendor status of an IN_PROGRESS order in its history (state unchanged).
     *
     * @param orderId      order id
     * @param vendorStatus the vendor's status string, unchanged
     * @param actor        who reported it (vendor, or the caller of a vendor action)
     * @param reason       why, in words
     * @return true when the status changed (or an explicit reason was recorded), false otherwise
     */
    public boolean recordVendorStatus(String orderId, String vendorStatus, String actor, String reason) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            if (reason == null) {
                Order o = repo.find(orderId).orElseThrow(() -> notFound(orderId));
                if (o.state() != OrderState.IN_PROGRESS || java.util.Objects.equals(o.vendorStatus(), vendorStatus)) {
                    return false;
                }
            }
            Instant now = clock.instant();
            if (!repo.vendorStatus(orderId, OrderState.IN_PROGRESS, vendorStatus, now)) {
                return false;
            }
            repo.addHistory(orderId, new Order.HistoryEntry(now, OrderState.IN_PROGRESS, OrderState.IN_PROGRESS, vendorStatus, actor,
                reason == null ? "vendor status " + vendorStatus : reason));
            return true;
        }));
    }

    /**
     * Records a DCV change the vendor accepted for an IN_PROGRESS order.
     *
     * @param orderId  order id
     * @param method   email, dns or http
     * @param approver approver for email, else null
     * @param actor    who changed it
     * @throws HubProblem 409 INVALID_STATE when the order is no longer IN_PROGRESS
     */
    public void changeDcv(String orderId, String method, String approver, String actor) {
        tx.executeWithoutResult(s -> {
            Order o = repo.find(orderId).orElseThrow(() -> notFound(orderId));
            Instant now = clock.instant();
            if (!repo.updateDcv(orderId, OrderState.IN_PROGRESS, method, approver, now)) {
                throw invalidState(o, "change the DCV method of", "only an IN_PROGRESS order's DCV can be changed");
            }
            repo.addHistory(orderId, new Order.HistoryEntry(now, OrderState.IN_PROGRESS, OrderState.IN_PROGRESS, o.vendorStatus(), actor,
                "DCV method changed to " + method + (approver == null ? "" : " (approver " + approver + ")")));
        });
    }

    /**
     * Edits a PENDING or DECLINED order (a DECLINED one is fixed, e.g. after {@code VENDOR_REJECTED},
     * and submitted again; its vendor order id is dropped so the edited content is placed anew):
     * the patch's non-null fields replace the stored ones, then the whole document is validated again. {@code clientReference}, {@code productType} and
     * {@code handle} cannot be patched.
     *
     * @param accountId owning account
     * @param orderId   order id
     * @param patch     fields to change
     * @param actor     who edits
     * @return the edited order
     * @throws HubProblem 404, 409 INVALID_STATE when neither PENDING nor DECLINED, 422 rules or FIELD_NOT_PATCHABLE
     */
    public Order patch(String accountId, String orderId, OrderDocument patch, String actor) {
        java.util.Map<String, String> fixed = new java.util.LinkedHashMap<>();
        fixed.put("clientReference", patch.clientReference());
        fixed.put("productType", patch.productType());
        fixed.put("handle", patch.handle());
        fixed.forEach((field, value) -> {
            if (value != null) {
                throw new HubProblem(422, "FIELD_NOT_PATCHABLE", field, field + " cannot be changed; place a new order instead");
            }
        });
        Order current = get(accountId, orderId);
        if (current.state() != OrderState.PENDING && current.state() != OrderState.DECLINED) {
            throw invalidState(current, "edit", "only a PENDING (saved) or DECLINED order can be edited");
        }
        OrderDocument stored = document(current);
        OrderDocument merged = new OrderDocument(stored.clientReference(), stored.productType(), "save",
            patch.period() != null ? patch.period() : stored.period(), patch.domain() != null ? patch.domain() : stored.domain(),
            patch.additionalDomains() != null ? patch.additionalDomains() : stored.additionalDomains(),
            patch.csr() != null ? patch.csr() : stored.csr(), patch.serverType() != null ? patch.serverType() : stored.serverType(),
            patch.approverEmail() != null ? patch.approverEmail() : stored.approverEmail(),
            patch.dcvMethod() != null ? patch.dcvMethod() : stored.dcvMethod(), patch.contacts() != null ? patch.contacts() : stored.contacts());
        ValidatedOrder v = validator.validate(merged);
        Order result = tx.execute(s -> {
            Instant now = clock.instant();
            Order edited = new Order(current.id(), current.accountId(), current.clientReference(), v.contentHash(), current.productType(),
                current.state(), current.vendorStatus(), current.vendorOrderId(), v.domain(), v.additionalDomains(), v.period(),
                v.serverType(), v.approverEmail(), v.dcvMethod(), v.csr().canonicalPem(), v.csr().publicKeySha256(), v.contactsJson(),
                v.price(), current.submissions(), current.lastErrorCode(), current.lastErrorDetail(), current.createdAt(), now);
            if (!repo.updateContent(edited, current.state(), now)) {
                throw invalidState(reload(orderId), "edit", "only a PENDING (saved) or DECLINED order can be edited");
            }
            repo.addHistory(orderId, new Order.HistoryEntry(now, current.state(), current.state(), current.vendorStatus(), actor,
                current.vendorOrderId() != null && current.state() == OrderState.DECLINED
                    ? "order edited; the next submission places it at the vendor anew (vendor order " + current.vendorOrderId() + " is left declined)"
                    : "order edited"));
            return reload(orderId);
        });
        events.publishEvent(new OrderNamesSet(orderId));
        return result;
    }

    /**
     * @param order a stored order
     * @return its content as an order document ({@code handle} null)
     */
    public OrderDocument document(Order order) {
        try {
            return new OrderDocument(order.clientReference(), order.productType(), null, order.period(), order.domain(),
                order.additionalDomains(), order.csr(), order.serverType(), order.approverEmail(), order.dcvMethod(),
                json.readValue(order.contactsJson(), OrderDocument.Contacts.class));
        } catch (Exception e) {
            throw new IllegalStateException("stored contacts of order " + order.id() + " are unreadable", e);
        }
    }

    /**
     * @param accountId the caller's account
     * @param orderId   order id
     * @return the order
     * @throws HubProblem 404 ORDER_NOT_FOUND when it does not exist or belongs to another account
     */
    public Order get(String accountId, String orderId) {
        return repo.find(orderId).filter(o -> o.accountId().equals(accountId)).orElseThrow(() -> notFound(orderId));
    }

    /**
     * @param orderId order id
     * @return the order it renews ({@link #renew}), or null
     */
    public String renewalOf(String orderId) {
        return repo.renewalOf(orderId).orElse(null);
    }

    /**
     * @param orderId order id
     * @return ids of its renewal orders, oldest first
     */
    public List<String> renewals(String orderId) {
        return repo.renewals(orderId);
    }

    /**
     * @param orderId order id
     * @return its warnings ({@code order_warning}), oldest first
     */
    public List<Order.Warning> warnings(String orderId) {
        return repo.warnings(orderId);
    }

    /**
     * Brings an order's warnings of one code in line with a check's findings, in one transaction:
     * each warning in {@code present} is added (or its detail replaced) and each field in
     * {@code cleared} loses its warning; every addition, change and removal gets one history entry
     * (state and vendor status unchanged). Nothing is written when nothing changes, so repeating a
     * check is harmless. The order's state is never touched: a warning never blocks an order.
     *
     * @param orderId order id (an order that no longer exists is ignored)
     * @param code    the warnings' code, e.g. {@code DOMAIN_NOT_REGISTERED}
     * @param present field (dotted path) → detail of each warning that should be on the order
     * @param cleared field → why, for each field whose warning of this code no longer applies
     * @param actor   who checked, e.g. {@code system}
     * @return how many warnings were added, changed or removed
     */
    public int reconcileWarnings(String orderId, String code, java.util.Map<String, String> present,
                                 java.util.Map<String, String> cleared, String actor) {
        try {
            return tx.execute(s -> reconcileWarningsInTx(orderId, code, present, cleared, actor));
        } catch (DuplicateKeyException raced) {
            // another instance recorded the same warning at the same time; its entry stands
            return 0;
        }
    }

    private int reconcileWarningsInTx(String orderId, String code, java.util.Map<String, String> present,
                                      java.util.Map<String, String> cleared, String actor) {
        Order o = repo.find(orderId).orElse(null);
        if (o == null) {
            return 0;
        }
        java.util.Map<String, Order.Warning> existing = new java.util.HashMap<>();
        for (Order.Warning w : repo.warnings(orderId)) {
            if (w.code().equals(code)) {
                existing.put(w.field(), w);
            }
        }
        Instant now = clock.instant();
        List<Order.HistoryEntry> entries = new java.util.ArrayList<>();
        for (java.util.Map.Entry<String, String> p : present.entrySet()) {
            Order.Warning old = existing.get(p.getKey());
            if (old != null && old.detail().equals(p.getValue())) {
                continue;
            }
            if (old != null) {
                repo.removeWarning(orderId, code, p.getKey());
            }
            repo.addWarning(orderId, new Order.Warning(code, p.getKey(), p.getValue(), now));
            entries.add(new Order.HistoryEntry(now, o.state(), o.state(), o.vendorStatus(), actor,
                "warning " + code + " (" + p.getKey() + "): " + p.getValue()));
        }
        for (java.util.Map.Entry<String, String> c : cleared.entrySet()) {
            if (existing.containsKey(c.getKey()) && !present.containsKey(c.getKey()) && repo.removeWarning(orderId, code, c.getKey())) {
                entries.add(new Order.HistoryEntry(now, o.state(), o.state(), o.vendorStatus(), actor,
                    "warning " + code + " (" + c.getKey() + ") cleared: " + c.getValue()));
            }
        }
        if (!entries.isEmpty()) {
            repo.addHistory(orderId, entries);
        }
        return entries.size();
    }

    /**
     * @param orderId order id
     * @return its history, oldest first
     */
    public List<Order.HistoryEntry> history(String orderId) {
        return repo.history(orderId);
    }

    private void change(Order o, OrderState to, String vendorStatus, int submissions, String errorCode, String errorDetail,
                        String actor, String reason) {
        Instant now = clock.instant();
        if (!repo.transition(o.id(), o.state(), to, vendorStatus, submissions, errorCode, errorDetail, now)) {
            throw invalidState(reload(o.id()), to.name(), "the order changed meanwhile");
        }
        repo.addHistory(o.id(), new Order.HistoryEntry(now, o.state(), to, vendorStatus, actor, reason));
        WebhookEventType type = switch (to) {
            case IN_PROGRESS -> WebhookEventType.ORDER_SUBMITTED;
            case COMPLETED -> WebhookEventType.ORDER_COMPLETED;
            case CANCELLED -> WebhookEventType.ORDER_CANCELLED;
            case DECLINED -> WebhookEventType.ORDER_DECLINED;
            default -> null;
        };
        if (type != null) {
            // inside the transaction of the change: the webhook outbox writes it before the commit (issue 13 §4)
            events.publishEvent(new HubEvent(type, o.accountId(), o.id(), null));
        }
    }

    /** Publishes {@code hold.captured} / {@code hold.released} inside the settling transaction (issue 13 §4). */
    private void holdSettled(Order o, LedgerService.Hold h) {
        java.util.Map<String, Object> hold = new java.util.LinkedHashMap<>();
        hold.put("id", h.id());
        hold.put("submission", h.submission());
        hold.put("state", h.state().name());
        hold.put("amountMinor", h.amount().minor());
        hold.put("currency", h.amount().currency());
        events.publishEvent(new HubEvent(h.state() == LedgerService.HoldState.CAPTURED ? WebhookEventType.HOLD_CAPTURED
            : WebhookEventType.HOLD_RELEASED, o.accountId(), o.id(), java.util.Map.of("hold", hold)));
    }

    private Order reload(String id) {
        return repo.find(id).orElseThrow(() -> notFound(id));
    }

    private static HubProblem notFound(String id) {
        return new HubProblem(404, "ORDER_NOT_FOUND", null, "no order " + id);
    }

    private static HubProblem invalidState(Order o, String action, String rule) {
        return new HubProblem(409, "INVALID_STATE", "state", "cannot " + action.toLowerCase() + " order " + o.id() + " in state "
            + o.state() + ": " + rule);
    }
}
