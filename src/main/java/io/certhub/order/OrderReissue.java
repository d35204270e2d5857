package io.certhub.order;

import io.certhub.csr.ParsedCsr;
import io.certhub.issuer.VendorAdapter;
import io.certhub.issuer.VendorException;
import io.certhub.issuer.Vendors;
import io.certhub.problem.HubProblem;
import io.certhub.problem.HubProblem.FieldError;
import io.certhub.term.LifecycleProperties;
import io.certhub.term.TermService;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reissue on request (issue 13 §5, {@code POST /api/v1/orders/{id}/reissue}): a COMPLETED order's
 * certificate is reissued by its vendor for a new CSR (e.g. after a key compromise), free within the
 * paid term: no hold, no capture, no ledger entry. Table {@code order_reissue} (Flyway V22).
 *
 * <p>Checked before anything is written, in this order: the order is the caller's (404
 * {@code ORDER_NOT_FOUND}); the configured vendor offers reissue through its API (409
 * {@code VENDOR_UNSUPPORTED}); the order is COMPLETED (409 {@code INVALID_STATE}); its paid term
 * has not ended (409 {@code TERM_OVER}); its current certificate is ACTIVE and not expired, or was
 * revoked (a revoked chain is restarted only by an explicit reissue) (409
 * {@code NO_ACTIVE_CERTIFICATE}); no other reissue of it is under way (409
 * {@code REISSUE_IN_PROGRESS}); the CSR passes the order's CSR rules ({@link OrderValidator#checkCsr}:
 * 422 {@code CSR_WEAK_KEY}, {@code CSR_NAME_MISSING} …, field {@code csr}) and names nothing the order
 * does not cover (422 {@code CSR_NAME_NOT_ORDERED}, field {@code csr}: a reissue keeps the order's
 * names); {@code reason} is one line of at most 256 characters.
 *
 * <p>Then: the request is recorded ({@code REQUESTED}, under the order's row lock; the unique
 * {@code open_order_id} keeps one reissue per order under way across instances), the vendor is asked
 * ({@link VendorAdapter#reissue}), and in one transaction the outcome is recorded with one history
 * entry: {@code SENT} and the new CSR becomes the order's (later term reissues and the certificate
 * check use it), or {@code FAILED} with the vendor's refusal (the order keeps its CSR). A vendor
 * answer that was lost (AMBIGUOUS) counts as sent (the vendor may have reissued), but the order keeps
 * its CSR until a certificate for the new one arrives. The new
 * certificate arrives by the vendor's email and is stored by {@link OrderCompletion} as a reissue
 * (previous certificate SUPERSEDED, delivered to the admin contact, {@code certificate.reissued}),
 * which marks the request {@code COMPLETED}. A request still open after
 * {@code hub.lifecycle.reissue-grace} (the vendor never sent the certificate, or the hub stopped
 * between the two steps) no longer blocks a new one.
 */
@Service
public class OrderReissue {

    /** Longest {@code reason}. */
    public static final int MAX_REASON = 256;

    /**
     * A reissue request.
     *
     * @param id                    its id
     * @param orderId               the order
     * @param state                 {@code REQUESTED}, {@code SENT}, {@code COMPLETED} or {@code FAILED}
     * @param reason                the reseller's reason, or null
     * @param csrKeySha256          SHA-256 of the new CSR's public key (SubjectPublicKeyInfo)
     * @param previousCertificateId the order's current certificate when it was requested
     * @param certificateId         the certificate it brought (COMPLETED), else null
     * @param errorCode             why it FAILED (the vendor's code), else null
     * @param errorDetail           in words, else null
     * @param requestedAt           when it was requested
     * @param sentAt                when the vendor took it, else null
     * @param completedAt           when its certificate was stored, else null
     */
    public record Reissue(String id, String orderId, String state, String reason, String csrKeySha256, String previousCertificateId,
                          String certificateId, String errorCode, String errorDetail, Instant requestedAt, Instant sentAt,
                          Instant completedAt) { }

    /**
     * An open reissue as {@link OrderCompletion} needs it.
     *
     * @param id  request id
     * @param csr the new CSR (canonical PEM)
     */
    public record Open(String id, String csr) { }

    private final OrderService orders;
    private final OrderRepository repo;
    private final OrderValidator validator;
    private final Vendors vendors;
    private final TermService terms;
    private final LifecycleProperties lifecycle;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    /**
     * @param orders    lifecycle (ownership, history)
     * @param repo      order rows (row lock)
     * @param validator the order's CSR rules
     * @param vendors   the configured vendor adapter
     * @param terms     the paid term
     * @param lifecycle {@code hub.lifecycle.reissue-grace}: how long an open request blocks another
     * @param jdbc      template on the hub database
     * @param tx        transactions
     * @param clock     the hub's clock
     */
    public OrderReissue(OrderService orders, OrderRepository repo, OrderValidator validator, Vendors vendors, TermService terms,
                        LifecycleProperties lifecycle, JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
        this.orders = orders;
        this.repo = repo;
        this.validator = validator;
        this.vendors = vendors;
        this.terms = terms;
        this.lifecycle = lifecycle;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * Reissues an order's certificate for a new CSR (see the class documentation).
     *
     * @param accountId the caller's account
     * @param orderId   the order
     * @param csrPem    the new CSR (PEM)
     * @param reason    why (optional)
     * @param actor     who asks, e.g. {@code account:demo}
     * @return the request after the vendor's answer ({@code SENT})
     * @throws HubProblem 404 {@code ORDER_NOT_FOUND}; 409 {@code VENDOR_UNSUPPORTED}, {@code INVALID_STATE},
     *                    {@code TERM_OVER}, {@code NO_ACTIVE_CERTIFICATE}, {@code REISSUE_IN_PROGRESS},
     *                    {@code VENDOR_REFUSED}; 422 CSR codes, {@code CSR_NAME_NOT_ORDERED}, {@code FIELD_INVALID_CHARACTERS},
     *                    {@code FIELD_TOO_LONG}; 503 {@code VENDOR_UNAVAILABLE} (nothing reissued; retry)
     */
    public Reissue reissue(String accountId, String orderId, String csrPem, String reason, String actor) {
        Order order = orders.get(accountId, orderId);
        VendorAdapter vendor = vendors.forOrder(order);
        if (!vendor.supports(VendorAdapter.LifecycleAction.REISSUE)) {
            throw new HubProblem(409, "VENDOR_UNSUPPORTED", null, "the configured vendor (" + vendor.name() + ") does not offer reissue"
                + " through its API: OpenSRS offers it only through its CA portal; nothing was changed");
        }
        String previous = checkReissuable(order);
        ParsedCsr csr = checkRequest(order, csrPem, reason);
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        try {
            tx.executeWithoutResult(s -> {
                Order locked = repo.findForUpdate(orderId).orElseThrow();
                String current = checkReissuable(locked);
                jdbc.update("insert into order_reissue (id, order_id, account_id, open_order_id, state, csr, csr_key_sha256, previous_csr,"
                        + " reason, previous_certificate_id, actor, requested_at) values (?, ?, ?, ?, 'REQUESTED', ?, ?, ?, ?, ?, ?, ?)",
                    id, orderId, accountId, orderId, csr.canonicalPem(), csr.publicKeySha256(), locked.csr(), reason, current, actor,
                    Timestamp.from(now));
            });
        } catch (DuplicateKeyException raced) {
            throw inProgress(orderId);
        }
        String why = reason == null ? "" : " (reason: " + reason + ")";
        String vendorState;
        try {
            vendorState = vendor.reissue(order.vendorOrderId(), csr.canonicalPem(), reason);
        } catch (VendorException e) {
            if (e.kind() != VendorException.Kind.AMBIGUOUS) {
                tx.executeWithoutResult(s -> {
                    jdbc.update("update order_reissue set state = 'FAILED', open_order_id = null, error_code = ?, error_detail = ?,"
                        + " completed_at = ? where id = ? and state = 'REQUESTED'", e.code(), truncate(e.getMessage()), Timestamp.from(clock.instant()), id);
                    orders.note(orderId, actor, "reissue requested" + why + "; the vendor did not take it (" + e.code() + ": "
                        + e.getMessage() + "); the order keeps its CSR and certificate");
                });
                throw e.toProblem();
            }
            vendorState = null;                 // the vendor may have reissued: wait for its certificate like a sent one
            String lost = e.code();
            tx.executeWithoutResult(s -> sent(order, id, csr, null, false, actor, "reissue requested" + why + " for a new CSR (key sha256 "
                + csr.publicKeySha256() + "); the vendor's answer was lost (" + lost + "): if it reissued, the certificate is stored when"
                + " its email arrives; no charge"));
            return find(id).orElseThrow();
        }
        String state = vendorState;
        tx.executeWithoutResult(s -> sent(order, id, csr, state, true, actor, "reissue requested" + why + " for a new CSR (key sha256 "
            + csr.publicKeySha256() + "); the vendor took it (" + state + "); the certificate follows by email; no charge"));
        return find(id).orElseThrow();
    }

    /**
     * SENT; with {@code useNewCsr} (the vendor took it) the new CSR becomes the order's now, otherwise
     * (its answer was lost) when the certificate for it arrives ({@link #completed}); a certificate
     * stored meanwhile has already done both.
     */
    private void sent(Order order, String id, ParsedCsr csr, String vendorState, boolean useNewCsr, String actor, String history) {
        Instant at = clock.instant();
        int open = jdbc.update("update order_reissue set state = 'SENT', sent_at = ?, vendor_state = ? where id = ? and state = 'REQUESTED'",
            Timestamp.from(at), vendorState, id);
        if (open == 1 && useNewCsr) {
            useCsr(order.id(), csr.canonicalPem(), csr.publicKeySha256(), at);
        }
        orders.note(order.id(), actor, history);
    }

    /**
     * Makes a reissue's CSR the order's (joins the caller's transaction).
     *
     * @param orderId      the order
     * @param csrPem       canonical PEM
     * @param csrKeySha256 its key's fingerprint
     * @param at           now
     */
    void useCsr(String orderId, String csrPem, String csrKeySha256, Instant at) {
        jdbc.update("update orders set csr = ?, csr_key_sha256 = ?, updated_at = ? where id = ? and csr_key_sha256 <> ?",
            csrPem, csrKeySha256, Timestamp.from(at), orderId, csrKeySha256);
    }

    /**
     * @param orderId an order
     * @return its open reissue request ({@code REQUESTED} or {@code SENT}), if any
     */
    public Optional<Open> open(String orderId) {
        return jdbc.query("select id, csr from order_reissue where open_order_id = ?", (rs, i) -> new Open(rs.getString(1), rs.getString(2)),
            orderId).stream().findFirst();
    }

    /**
     * Marks an open request COMPLETED with the certificate it brought, and makes its CSR the order's
     * (joins the storing transaction of {@link OrderCompletion}).
     *
     * @param open          the request
     * @param orderId       its order
     * @param certificateId the stored certificate
     */
    void completed(Open open, String orderId, String certificateId) {
        Instant at = clock.instant();
        jdbc.update("update order_reissue set state = 'COMPLETED', open_order_id = null, certificate_id = ?, completed_at = ?,"
            + " sent_at = coalesce(sent_at, ?) where id = ?", certificateId, Timestamp.from(at), Timestamp.from(at), open.id());
        String key = jdbc.queryForObject("select csr_key_sha256 from order_reissue where id = ?", String.class, open.id());
        useCsr(orderId, open.csr(), key.trim(), at);
    }

    /**
     * @param orderId an order
     * @return its newest reissue request, if any
     */
    public Optional<Reissue> latest(String orderId) {
        return jdbc.query(SELECT + " where order_id = ? order by requested_at desc, id desc fetch first 1 rows only", MAPPER, orderId)
            .stream().findFirst();
    }

    /**
     * @param id a reissue request's id
     * @return the request
     */
    public Optional<Reissue> find(String id) {
        return jdbc.query(SELECT + " where id = ?", MAPPER, id).stream().findFirst();
    }

    /**
     * The order's state rules (checked before the write and again under the row lock).
     *
     * @return the id of the order's current certificate (ACTIVE, or REVOKED)
     */
    private String checkReissuable(Order o) {
        if (o.state() != OrderState.COMPLETED) {
            throw new HubProblem(409, "INVALID_STATE", "state", "cannot reissue order " + o.id() + " in state " + o.state()
                + ": only a COMPLETED order has a certificate to reissue");
        }
        Instant now = clock.instant();
        Instant paidUntil = terms.paidUntil(o.id(), o.period()).orElse(null);
        if (paidUntil == null || !now.isBefore(paidUntil)) {
            throw new HubProblem(409, "TERM_OVER", null, "order " + o.id() + ": its paid term "
                + (paidUntil == null ? "has no certificate" : "ended at " + paidUntil) + "; renew it instead (POST /api/v1/orders/" + o.id() + "/renew)");
        }
        record Current(String id, String state, Instant notAfter) { }
        Current c = jdbc.query("select id, state, not_after from certificate where order_id = ? and state <> 'SUPERSEDED'"
                + " order by not_before desc, id desc fetch first 1 rows only",
            (rs, i) -> new Current(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()), o.id()).stream().findFirst().orElse(null);
        boolean activeNow = c != null && c.state().equals("ACTIVE") && c.notAfter().isAfter(now);
        if (!activeNow && (c == null || !c.state().equals("REVOKED"))) {
            throw new HubProblem(409, "NO_ACTIVE_CERTIFICATE", null, "order " + o.id() + " has no ACTIVE certificate"
                + (c == null ? "" : " (its newest expired at " + c.notAfter() + ")") + "; nothing to reissue");
        }
        List<Instant> open = jdbc.query("select requested_at from order_reissue where open_order_id = ?", (rs, i) -> rs.getTimestamp(1).toInstant(), o.id());
        if (!open.isEmpty()) {
            if (open.get(0).plus(lifecycle.getReissueGrace()).isAfter(now)) {
                throw inProgress(o.id());
            }
            // an open request older than the grace: the vendor never sent its certificate; it no longer blocks
            jdbc.update("update order_reissue set state = 'FAILED', open_order_id = null, error_code = 'NO_CERTIFICATE', error_detail = ?"
                + " where open_order_id = ?", "no certificate arrived within hub.lifecycle.reissue-grace (" + lifecycle.getReissueGrace() + ")", o.id());
        }
        return c.id();
    }

    /** The body's rules: the order's CSR rules plus names the order covers; a one-line reason. */
    private ParsedCsr checkRequest(Order o, String csrPem, String reason) {
        List<FieldError> errors = new ArrayList<>();
        List<String> names = o.names();
        ParsedCsr csr = validator.checkCsr(csrPem, names, errors);
        if (csr != null) {
            for (String n : csr.names()) {
                if (!names.contains(n)) {
                    errors.add(new FieldError("CSR_NAME_NOT_ORDERED", "csr", "the CSR names " + n + ", which order " + o.id()
                        + " does not cover (its names: " + names + "); a reissue keeps the order's names, place a new order for others"));
                }
            }
        }
        if (reason != null) {
            FieldRules.singleLine(reason, "reason", MAX_REASON, errors);
        }
        if (!errors.isEmpty()) {
            throw HubProblem.unprocessable(errors);
        }
        if (csr.canonicalPem().length() > FieldRules.MAX_CSR_PEM) {
            throw HubProblem.unprocessable(List.of(new FieldError(FieldRules.TOO_LONG, "csr", "the CSR is "
                + csr.canonicalPem().length() + " characters long as PEM; the maximum is " + FieldRules.MAX_CSR_PEM)));
        }
        return csr;
    }

    private static HubProblem inProgress(String orderId) {
        return new HubProblem(409, "REISSUE_IN_PROGRESS", null, "a reissue of order " + orderId
            + " is under way; its certificate is stored when the vendor's email arrives (see the order's reissue)");
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    private static final String SELECT = "select id, order_id, state, reason, csr_key_sha256, previous_certificate_id, certificate_id,"
        + " error_code, error_detail, requested_at, sent_at, completed_at from order_reissue";

    private static final RowMapper<Reissue> MAPPER = (rs, i) -> new Reissue(rs.getString("id"), rs.getString("order_id"),
        rs.getString("state"), rs.getString("reason"), rs.getString("csr_key_sha256").trim(), rs.getString("previous_certificate_id"),
        rs.getString("certificate_id"), rs.getString("error_code"), rs.getString("error_detail"), instant(rs.getTimestamp("requested_at")),
        instant(rs.getTimestamp("sent_at")), instant(rs.getTimestamp("completed_at")));

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
