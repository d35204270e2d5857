package io.certhub.sandbox;

import io.certhub.config.HubProperties;
import io.certhub.csr.CsrException;
import io.certhub.csr.CsrParser;
import io.certhub.csr.ParsedCsr;
import io.certhub.pki.Certificates;
import io.certhub.term.ValidityCaps;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sandbox vendor's order book and its life cycle: the tables {@code sandbox_order} and
 * {@code sandbox_mail_outbox} (migration V3), the state changes of opensrs-trust-api.md ("Order
 * states") and issuance with {@link SandboxCa}.
 *
 * <p>Life cycle: {@code sw_register} makes a {@value SandboxOrder#PENDING} order; submitting it
 * ({@code process_pending}, from pending or declined) issues an instant product at once
 * ({@value SandboxOrder#COMPLETED}), and otherwise moves it to
 * {@value SandboxOrder#AWAITING_APPROVAL}: a DV order waits for its domain control validation
 * (approval link, DNS record or file token), an OV/EV order for organization vetting
 * ({@code hub.sandbox.vetting-delay}). An approved DV order is {@value SandboxOrder#APPROVER_CONFIRMED}
 * and is issued by the next {@link #tick()}. Any order not completed may be cancelled or
 * declined.
 *
 * <p>Every change runs in one transaction with the row locked (an UPDATE of its {@code lock_version}), so
 * a protocol call, an operator call and the clock never overwrite each other; the email a change
 * owes (approval request, issued certificate) is written to the outbox in the same transaction
 * ({@link SandboxMailer} sends it).
 */
@Component("sandboxOrders")
public class SandboxOrders {

    /** Outbox kind of a DV approval request email. */
    public static final String MAIL_APPROVAL = "APPROVAL";
    /** Outbox kind of an issued-certificate email. */
    public static final String MAIL_ISSUED = "ISSUED";

    /** DCV methods of the protocol ({@code dv_auth_method}). */
    public static final Set<String> DV_METHODS = Set.of("email", "dns", "file");

    private static final Logger LOG = LoggerFactory.getLogger(SandboxOrders.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "order_id, product_id, state, reg_type, product_type, validation, instant, domain,"
        + " additional_domains, csr, period, server_type, approver_email, dv_auth_method, dv_token, dv_file_name, contacts,"
        + " approval_due_at, vetting_due_at, cert_pem, ca_pem, root_pem, issued_at, created_at, updated_at";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final SandboxCa ca;
    private final CsrParser csrParser;
    private final HubProperties props;
    private final String hubMailbox;
    private final ValidityCaps caps;

    /**
     * What {@code sw_register} asks for, already checked by {@link SandboxVendor}.
     *
     * @param regType           {@code reg_type}, e.g. {@code new}
     * @param productType       a catalog product
     * @param validation        DV, OV or EV
     * @param instant           issued at once
     * @param domain            main name, normalised
     * @param additionalDomains further names, normalised
     * @param csr               canonical PEM
     * @param period            years, ≥ 1
     * @param serverType        may be null
     * @param approverEmail     may be null
     * @param dvAuthMethod      email, dns or file
     * @param contactsJson      {@code contact_set} as JSON, may be null
     */
    public record Registration(String regType, String productType, String validation, boolean instant, String domain,
                               List<String> additionalDomains, String csr, int period, String serverType,
                               String approverEmail, String dvAuthMethod, String contactsJson) { }

    /**
     * @param jdbc       the hub database
     * @param tx         transactions
     * @param clock      the hub clock
     * @param ca         the sandbox CA
     * @param csrParser  CSR parser (the stored CSR is parsed again at issuance)
     * @param props      hub configuration ({@code hub.sandbox.*})
     * @param hubMailbox {@code hub.mailbox.username}: where issued certificates are emailed
     * @param caps       the validity caps and renewal rule of multi-year terms ({@code hub.lifecycle.*})
     */
    public SandboxOrders(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, SandboxCa ca, CsrParser csrParser,
                         HubProperties props,
                         @Value("${hub.mailbox.username:ssl-orders@reseller.example.com}") String hubMailbox, ValidityCaps caps) {
        this.caps = caps;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.ca = ca;
        this.csrParser = csrParser;
        this.props = props;
        this.hubMailbox = hubMailbox;
    }

    // ------------------------------------------------------------------ queries

    /**
     * @param orderId vendor order id
     * @return the order, or empty when unknown
     */
    public Optional<SandboxOrder> find(String orderId) {
        if (orderId == null || orderId.isBlank()) {
            return Optional.empty();
        }
        return jdbc.query("select " + COLUMNS + " from sandbox_order where order_id = ?", MAPPER, orderId.trim())
            .stream().findFirst();
    }

    /**
     * @param productId product id of a completed order
     * @return the order, or empty when unknown
     */
    public Optional<SandboxOrder> findByProductId(String productId) {
        if (productId == null || productId.isBlank()) {
            return Optional.empty();
        }
        return jdbc.query("select " + COLUMNS + " from sandbox_order where product_id = ?", MAPPER, productId.trim())
            .stream().findFirst();
    }

    /**
     * @param orderId vendor order id
     * @return the order
     * @throws SandboxRefusal 404 when unknown
     */
    public SandboxOrder get(String orderId) {
        return find(orderId).orElseThrow(() -> SandboxRefusal.notFound(orderId));
    }

    // ------------------------------------------------------------------ changes

    /**
     * Saves a new order in state {@value SandboxOrder#PENDING}; its id comes from the sequence
     * {@code sandbox_order_seq} (7730001, 7730002, …).
     *
     * @param r the checked registration
     * @return the saved order
     */
    public SandboxOrder create(Registration r) {
        return tx.execute(s -> {
            long id = jdbc.queryForObject("select nextval('sandbox_order_seq')", Long.class);
            String orderId = Long.toString(id);
            Timestamp now = Timestamp.from(clock.instant());
            jdbc.update("insert into sandbox_order (order_id, state, reg_type, product_type, validation, instant, domain,"
                    + " additional_domains, csr, period, server_type, approver_email, dv_auth_method, contacts, created_at, updated_at)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                orderId, SandboxOrder.PENDING, r.regType(), r.productType(), r.validation(), r.instant(), r.domain(),
                String.join(" ", r.additionalDomains()), r.csr(), r.period(), r.serverType(), r.approverEmail(),
                r.dvAuthMethod(), r.contactsJson(), now, now);
            return current(orderId);
        });
    }

    /**
     * Submits a pending or declined order ({@code process_pending}).
     *
     * <p>Instant products are issued at once ({@value SandboxOrder#COMPLETED}). Other DV orders
     * become {@value SandboxOrder#AWAITING_APPROVAL} with a fresh token: for {@code email} an
     * approval request is queued to the approver; for {@code dns}/{@code file} the token is what
     * the record or file must hold. OV/EV orders become {@value SandboxOrder#AWAITING_APPROVAL}
     * until {@code hub.sandbox.vetting-delay} has passed.
     *
     * @param orderId       vendor order id
     * @param dvAuthMethod  a new DCV method, or null to keep the order's
     * @param approverEmail a new approver, or null to keep the order's
     * @return the order after the change
     * @throws SandboxRefusal 404 unknown order; 465 not pending/declined, bad method, or a DV
     *                        email order without an approver
     */
    public SandboxOrder submit(String orderId, String dvAuthMethod, String approverEmail) {
        requireSubmittable(get(orderId));           // refused before any lock: nothing to roll back
        return tx.execute(s -> {
            SandboxOrder o = locked(orderId);
            requireSubmittable(o);
            String method = dvAuthMethod == null ? o.dvAuthMethod() : checkMethod(dvAuthMethod);
            String approver = approverEmail == null ? o.approverEmail() : approverEmail;
            Instant now = clock.instant();
            jdbc.update("update sandbox_order set dv_auth_method = ?, approver_email = ?, updated_at = ? where order_id = ?",
                method, approver, Timestamp.from(now), orderId);
            if (o.instant()) {
                issueLocked(current(orderId));
            } else if (o.domainValidated()) {
                startDcv(orderId, method, approver, now);
            } else {
                jdbc.update("update sandbox_order set state = ?, vetting_due_at = ?, approval_due_at = null, dv_token = null,"
                        + " dv_file_name = null, updated_at = ? where order_id = ?",
                    SandboxOrder.AWAITING_APPROVAL, Timestamp.from(now.plus(nonNegative(props.getSandbox().getVettingDelay()))),
                    Timestamp.from(now), orderId);
            }
            return current(orderId);
        });
    }

    /**
     * Cancels an order ({@code cancel_order}, {@code process_pending command=cancel}, or the
     * operator). Cancelling a cancelled order changes nothing.
     *
     * @param orderId vendor order id
     * @return the order, {@value SandboxOrder#CANCELLED}
     * @throws SandboxRefusal 404 unknown; 465 completed (a completed certificate is revoked, not cancelled)
     */
    public SandboxOrder cancel(String orderId) {
        requireCancellable(get(orderId));           // refused before any lock: nothing to roll back
        return tx.execute(s -> {
            SandboxOrder o = locked(orderId);
            requireCancellable(o);
            if (!SandboxOrder.CANCELLED.equals(o.state())) {
                setState(orderId, SandboxOrder.CANCELLED);
            }
            return current(orderId);
        });
    }

    /**
     * Declines an order as the CA would (operator endpoint). Declining a declined order changes
     * nothing.
     *
     * @param orderId vendor order id
     * @return the order, {@value SandboxOrder#DECLINED}
     * @throws SandboxRefusal 404 unknown; 465 completed or cancelled
     */
    public SandboxOrder decline(String orderId) {
        requireDeclinable(get(orderId));            // refused before any lock: nothing to roll back
        return tx.execute(s -> {
            SandboxOrder o = locked(orderId);
            requireDeclinable(o);
            if (!SandboxOrder.DECLINED.equals(o.state())) {
                setState(orderId, SandboxOrder.DECLINED);
            }
            return current(orderId);
        });
    }

    /**
     * The approver opened the approval link: an awaiting DV email order becomes
     * {@value SandboxOrder#APPROVER_CONFIRMED} (issued by the next {@link #tick()}). Opening it
     * again once approved changes nothing.
     *
     * @param token the token from the link
     * @return the order, or empty when no email order has this token
     * @throws SandboxRefusal 465 when the order is neither awaiting approval nor approved already
     */
    public Optional<SandboxOrder> approveByToken(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        return tx.execute(s -> {
            List<String> ids = jdbc.queryForList("select order_id from sandbox_order where dv_token = ? and dv_auth_method = 'email'",
                String.class, token.trim());
            if (ids.isEmpty()) {
                return Optional.empty();
            }
            SandboxOrder o = locked(ids.get(0));
            confirmLocked(o);
            return Optional.of(current(o.orderId()));
        });
    }

    /**
     * The DNS record or file of a {@code dns}/{@code file} DV order is taken as found (operator
     * endpoint {@code POST /sandbox/dcv/{id}/check}): the order becomes
     * {@value SandboxOrder#APPROVER_CONFIRMED} and is issued by the next {@link #tick()}.
     *
     * @param orderId vendor order id
     * @return the order after the change
     * @throws SandboxRefusal 404 unknown; 465 not a DV dns/file order awaiting approval
     */
    public SandboxOrder markDcvValidated(String orderId) {
        return tx.execute(s -> {
            SandboxOrder o = locked(orderId);
            if (!o.domainValidated() || "email".equals(o.dvAuthMethod())) {
                throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + orderId + " is not a DV order validated by dns or file (dv_auth_method "
                    + o.dvAuthMethod() + ", " + o.validation() + ")");
            }
            confirmLocked(o);
            return current(orderId);
        });
    }

    /**
     * Changes the DCV method of a submitted DV order ({@code update_dv_auth}): a new token for
     * dns/file, a new approval request for email; the auto-approve timer starts again. On a
     * pending order only the method (and approver) are recorded. With {@code onDemandCheck} a
     * dns/file order is checked at once: the sandbox, having no DNS or web to look at, finds the
     * token when {@code hub.sandbox.auto-approve} is on.
     *
     * @param orderId       vendor order id
     * @param method        email, dns or file; null keeps the current one
     * @param approverEmail new approver, or null to keep it
     * @param onDemandCheck {@code dv_auth_on_demand_check=1}
     * @return the order after the change
     * @throws SandboxRefusal 404 unknown; 465 bad method, not DV, not pending/awaiting approval,
     *                        or an email method without approver
     */
    public SandboxOrder changeDvAuth(String orderId, String method, String approverEmail, boolean onDemandCheck) {
        return tx.execute(s -> {
            SandboxOrder o = locked(orderId);
            String m = method == null ? o.dvAuthMethod() : checkMethod(method);
            String approver = approverEmail == null ? o.approverEmail() : approverEmail;
            if (!o.domainValidated()) {
                throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + orderId + " is " + o.validation() + "; dv_auth applies to DV orders");
            }
            Instant now = clock.instant();
            if (SandboxOrder.PENDING.equals(o.state())) {
                jdbc.update("update sandbox_order set dv_auth_method = ?, approver_email = ?, updated_at = ? where order_id = ?",
                    m, approver, Timestamp.from(now), orderId);
                return current(orderId);
            }
            if (!SandboxOrder.AWAITING_APPROVAL.equals(o.state())) {
                throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + orderId + " is " + o.state()
                    + "; the DCV method can change only while it is pending or awaiting approval");
            }
            boolean sameMethod = m.equals(o.dvAuthMethod());
            if (sameMethod && onDemandCheck && !"email".equals(m)) {
                if (props.getSandbox().isAutoApprove()) {
                    confirmLocked(o);
                }
                return current(orderId);
            }
            jdbc.update("update sandbox_order set dv_auth_method = ?, approver_email = ?, updated_at = ? where order_id = ?",
                m, approver, Timestamp.from(now), orderId);
            startDcv(orderId, m, approver, now);
            if (onDemandCheck && !"email".equals(m) && props.getSandbox().isAutoApprove()) {
                confirmLocked(current(orderId));
            }
            return current(orderId);
        });
    }

    /**
     * Queues the approval request of an awaiting DV email order again ({@code resend_approve_email}).
     *
     * @param orderId vendor order id
     * @return the order
     * @throws SandboxRefusal 404 unknown; 465 not an awaiting DV email order
     */
    public SandboxOrder resendApproval(String orderId) {
        return tx.execute(s -> {
            SandboxOrder o = locked(orderId);
            if (!SandboxOrder.AWAITING_APPROVAL.equals(o.state()) || !o.domainValidated() || !"email".equals(o.dvAuthMethod())) {
                throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + orderId + " is " + o.state() + " (" + o.validation()
                    + ", dv_auth_method " + o.dvAuthMethod() + "); only DV email orders awaiting approval have an approval email");
            }
            queueMail(orderId, MAIL_APPROVAL, o.approverEmail());
            return o;
        });
    }

    /**
     * One step of the vendor's own progress (called by the route {@code sandbox-vendor-clock}):
     * issues approver-confirmed orders; with {@code hub.sandbox.auto-approve} confirms DV orders
     * whose approval delay has passed (issued on the following step, so
     * {@value SandboxOrder#APPROVER_CONFIRMED} is observable); issues OV/EV orders whose vetting
     * delay has passed. A failing order is logged and left for the next step.
     *
     * @return how many orders changed
     */
    public int tick() {
        Timestamp now = Timestamp.from(clock.instant());
        int changed = 0;
        for (String id : jdbc.queryForList("select order_id from sandbox_order where state = ?", String.class,
                SandboxOrder.APPROVER_CONFIRMED)) {
            changed += step(id, o -> SandboxOrder.APPROVER_CONFIRMED.equals(o.state()), this::issueLocked);
        }
        if (props.getSandbox().isAutoApprove()) {
            for (String id : jdbc.queryForList("select order_id from sandbox_order where state = ? and validation = 'DV'"
                    + " and approval_due_at <= ?", String.class, SandboxOrder.AWAITING_APPROVAL, now)) {
                changed += step(id, o -> SandboxOrder.AWAITING_APPROVAL.equals(o.state()), this::confirmLocked);
            }
        }
        for (String id : jdbc.queryForList("select order_id from sandbox_order where state = ? and validation <> 'DV'"
                + " and vetting_due_at <= ?", String.class, SandboxOrder.AWAITING_APPROVAL, now)) {
            changed += step(id, o -> SandboxOrder.AWAITING_APPROVAL.equals(o.state()), this::issueLocked);
        }
        return changed;
    }

    private int step(String orderId, java.util.function.Predicate<SandboxOrder> still,
                     java.util.function.Consumer<SandboxOrder> action) {
        try {
            Boolean done = tx.execute(s -> {
                SandboxOrder o = locked(orderId);
                if (!still.test(o)) {
                    return false;
                }
                action.accept(o);
                return true;
            });
            return Boolean.TRUE.equals(done) ? 1 : 0;
        } catch (RuntimeException e) {
            LOG.error("sandbox vendor: order {} could not progress; retried on the next clock step", orderId, e);
            return 0;
        }
    }

    // ------------------------------------------------------------------ internals (inside a transaction)

    /**
     * Locks the order's row for the rest of the transaction and reads it. The lock is taken by an
     * UPDATE of {@code lock_version} (migration V6), not by {@code SELECT … FOR UPDATE}: H2 2.3's
     * FOR UPDATE path ({@code TransactionMap.lock}) was seen spinning for ever (SandboxVendorTest:
     * an operator cancel whose thread stayed RUNNABLE in {@code MVMap.operate}), while an UPDATE
     * that changes a value takes the lock on H2's ordinary write path (and any database's).
     *
     * @throws SandboxRefusal 404 when there is no such order
     */
    private SandboxOrder locked(String orderId) {
        String id = orderId == null ? "" : orderId.trim();
        if (jdbc.update("update sandbox_order set lock_version = lock_version + 1 where order_id = ?", id) == 0) {
            throw SandboxRefusal.notFound(orderId);
        }
        return current(id);
    }

    // The refusals below are checked twice: on a plain read before the transaction (the usual
    // case: refused without taking a lock, so no transaction is rolled back after locking a row),
    // and again under the lock (a change that raced in).

    private static void requireSubmittable(SandboxOrder o) {
        if (!SandboxOrder.PENDING.equals(o.state()) && !SandboxOrder.DECLINED.equals(o.state())) {
            throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + o.orderId() + " is " + o.state()
                + "; only pending or declined orders can be processed");
        }
    }

    private static void requireCancellable(SandboxOrder o) {
        if (SandboxOrder.COMPLETED.equals(o.state())) {
            throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + o.orderId()
                + " is completed; a completed certificate cannot be cancelled");
        }
    }

    private static void requireDeclinable(SandboxOrder o) {
        if (o.finished()) {
            throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + o.orderId() + " is " + o.state() + " and cannot be declined");
        }
    }

    /** Reads a row this transaction has already locked (or inserted). */
    private SandboxOrder current(String orderId) {
        List<SandboxOrder> rows = jdbc.query("select " + COLUMNS + " from sandbox_order where order_id = ?",
            MAPPER, orderId == null ? "" : orderId.trim());
        if (rows.isEmpty()) {
            throw SandboxRefusal.notFound(orderId);
        }
        return rows.get(0);
    }

    private void setState(String orderId, String state) {
        jdbc.update("update sandbox_order set state = ?, approval_due_at = null, vetting_due_at = null, updated_at = ? where order_id = ?",
            state, Timestamp.from(clock.instant()), orderId);
    }

    /** Starts DV validation: state awaiting-approval, fresh token (and file name), auto-approve timer, approval email. */
    private void startDcv(String orderId, String method, String approver, Instant now) {
        if ("email".equals(method) && (approver == null || approver.isBlank())) {
            throw SandboxRefusal.invalid("approver_email", "a DV order validated by email needs an approver_email");
        }
        String token = randomHex(16);
        String fileName = "file".equals(method) ? randomHex(16) : null;
        jdbc.update("update sandbox_order set state = ?, dv_token = ?, dv_file_name = ?, approval_due_at = ?, vetting_due_at = null,"
                + " updated_at = ? where order_id = ?",
            SandboxOrder.AWAITING_APPROVAL, token, fileName,
            Timestamp.from(now.plus(nonNegative(props.getSandbox().getApprovalDelay()))), Timestamp.from(now), orderId);
        if ("email".equals(method)) {
            queueMail(orderId, MAIL_APPROVAL, approver);
        }
    }

    private void confirmLocked(SandboxOrder o) {
        switch (o.state()) {
            case SandboxOrder.APPROVER_CONFIRMED, SandboxOrder.COMPLETED -> { }
            case SandboxOrder.AWAITING_APPROVAL -> setState(o.orderId(), SandboxOrder.APPROVER_CONFIRMED);
            default -> throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + o.orderId() + " is " + o.state()
                + " and cannot be approved");
        }
    }

    /**
     * Issues the first certificate of a locked order, completes it and queues the issued-certificate
     * email. Its validity is {@link ValidityCaps#validity}: the cap in force today (per product,
     * {@code hub.lifecycle.*}), never past the paid term, which starts at this certificate's notBefore
     * and lasts {@code period × 365} days ({@link ValidityCaps#termEnd}); the term's end and the
     * renewal point of the certificate are recorded for {@link #reissueDue()}.
     */
    private void issueLocked(SandboxOrder o) {
        Instant now = clock.instant();
        Instant termEnd = ValidityCaps.termEnd(now.minus(SandboxCa.BACKDATE).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
            Math.max(1, o.period()));
        IssuedCertificate cert = issueFor(o, now, termEnd);
        long productId = jdbc.queryForObject("select nextval('sandbox_product_seq')", Long.class);
        Timestamp ts = Timestamp.from(now);
        jdbc.update("update sandbox_order set state = ?, product_id = ?, cert_pem = ?, ca_pem = ?, root_pem = ?, issued_at = ?,"
                + " approval_due_at = null, vetting_due_at = null, updated_at = ?, term_ends_at = ?, certificates_issued = 1,"
                + " renew_at = ? where order_id = ?",
            SandboxOrder.COMPLETED, Long.toString(productId), cert.leafPem(), cert.chainPem(),
            IssuedCertificate.pem(cert.root()), ts, ts, Timestamp.from(termEnd), renewAt(cert, termEnd), o.orderId());
        queueIssuedMail(o.orderId(), cert);
        LOG.info("sandbox vendor: order {} issued for {} (product {}), valid until {}, term until {}", o.orderId(), o.names(),
            productId, cert.leaf().getNotAfter().toInstant(), termEnd);
    }

    /**
     * The vendor's automatic reissue of multi-year orders (OpenSRS reissues a paid term as a chain
     * of certificates and emails each one; there is no reissue action in its API): each completed
     * order whose current certificate passed its renewal point ({@code renew_at}, see
     * {@link ValidityCaps#renewalPoint}) while its term goes on past that certificate gets the next
     * certificate, for the same CSR and names, valid {@link ValidityCaps#validity} (the cap in force
     * now, at most to the term's end), emailed to the hub's mailbox exactly like the first. Called by
     * the route {@code sandbox-reissue-sweep}; each order in its own transaction under its row lock,
     * re-checked there, so two sweeps (or instances) never reissue one certificate twice. A failing
     * order is logged and left for the next sweep.
     *
     * @return how many certificates were reissued
     */
    public int reissueDue() {
        Timestamp now = Timestamp.from(clock.instant());
        int n = 0;
        for (String id : jdbc.queryForList("select order_id from sandbox_order where state = ? and renew_at <= ? order by renew_at",
                String.class, SandboxOrder.COMPLETED, now)) {
            try {
                Boolean done = tx.execute(s -> {
                    SandboxOrder o = locked(id);
                    Object[] term = jdbc.queryForObject("select term_ends_at, renew_at, certificates_issued from sandbox_order where order_id = ?",
                        (rs, i) -> new Object[] {rs.getTimestamp(1), rs.getTimestamp(2), rs.getInt(3)}, id);
                    Timestamp termEnds = (Timestamp) term[0];
                    Timestamp renewAt = (Timestamp) term[1];
                    Instant at = clock.instant();
                    if (!SandboxOrder.COMPLETED.equals(o.state()) || renewAt == null || termEnds == null || renewAt.toInstant().isAfter(at)) {
                        return false;
                    }
                    if (!at.isBefore(termEnds.toInstant())) {
                        // the term ended before a sweep came (clock moved far ahead): nothing more is owed
                        jdbc.update("update sandbox_order set renew_at = null where order_id = ?", id);
                        return false;
                    }
                    IssuedCertificate cert = issueFor(o, at, termEnds.toInstant());
                    int issued = (Integer) term[2] + 1;
                    jdbc.update("update sandbox_order set cert_pem = ?, ca_pem = ?, root_pem = ?, issued_at = ?, updated_at = ?,"
                            + " certificates_issued = ?, renew_at = ? where order_id = ?",
                        cert.leafPem(), cert.chainPem(), IssuedCertificate.pem(cert.root()), Timestamp.from(at), Timestamp.from(at),
                        issued, renewAt(cert, termEnds.toInstant()), id);
                    queueIssuedMail(id, cert);
                    LOG.info("sandbox vendor: order {} reissued (certificate {}), valid until {}, term until {}", id, issued,
                        cert.leaf().getNotAfter().toInstant(), termEnds.toInstant());
                    return true;
                });
                n += Boolean.TRUE.equals(done) ? 1 : 0;
            } catch (RuntimeException e) {
                LOG.error("sandbox vendor: order {} could not be reissued; retried on the next sweep", id, e);
            }
        }
        return n;
    }

    /**
     * Reissues a completed order's certificate for a new CSR on request (XCP action
     * {@code reissue_cert}, a sandbox extension of the protocol: the real OpenSRS offers reissue only
     * in its CA portal; issue 13 §5). The CSR must name every name of the order (the names do not
     * change); the order takes the new CSR (its later term reissues use it), and the new certificate
     * is issued at once (the domains were validated for the order; the sandbox asks no DCV again),
     * valid {@link ValidityCaps#validity} to at most the term's end, and emailed to the hub's mailbox
     * like every other. The term's renewal point moves to the new certificate's. Free: the sandbox
     * keeps no money anyway.
     *
     * @param orderId vendor order id
     * @param csrPem  the new CSR
     * @return the order after the reissue
     * @throws SandboxRefusal 404 unknown; 465 not completed, its term over, or a CSR that does not
     *                        parse or does not name the order's names
     */
    public SandboxOrder reissue(String orderId, String csrPem) {
        ParsedCsr csr;
        try {
            csr = csrParser.parse(csrPem);
        } catch (CsrException e) {
            throw SandboxRefusal.invalid("csr", e.detail());
        }
        return tx.execute(s -> {
            SandboxOrder o = locked(orderId);
            if (!SandboxOrder.COMPLETED.equals(o.state())) {
                throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + orderId + " is " + o.state() + "; only a completed order is reissued");
            }
            for (String n : o.names()) {
                if (!csr.names().contains(n)) {
                    throw SandboxRefusal.invalid("csr", n + " is not named in the CSR (its CN and SANs: " + csr.names() + ")");
                }
            }
            Timestamp termEnds = jdbc.queryForObject("select term_ends_at from sandbox_order where order_id = ?", Timestamp.class, orderId);
            Instant at = clock.instant();
            if (termEnds == null || !at.isBefore(termEnds.toInstant())) {
                throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + orderId + ": its term ended at " + termEnds + "; nothing is reissued");
            }
            jdbc.update("update sandbox_order set csr = ? where order_id = ?", csr.canonicalPem(), orderId);
            SandboxOrder withCsr = current(orderId);
            IssuedCertificate cert = issueFor(withCsr, at, termEnds.toInstant());
            jdbc.update("update sandbox_order set cert_pem = ?, ca_pem = ?, root_pem = ?, issued_at = ?, updated_at = ?,"
                    + " certificates_issued = certificates_issued + 1, renew_at = ? where order_id = ?",
                cert.leafPem(), cert.chainPem(), IssuedCertificate.pem(cert.root()), Timestamp.from(at), Timestamp.from(at),
                renewAt(cert, termEnds.toInstant()), orderId);
            queueIssuedMail(orderId, cert);
            LOG.info("sandbox vendor: order {} reissued on request for a new CSR, valid until {}", orderId, cert.leaf().getNotAfter().toInstant());
            return current(orderId);
        });
    }

    /**
     * Revokes one certificate of an order (XCP action {@code revoke_cert}, a sandbox extension of the
     * protocol; issue 13 §5), recorded like a CRL entry in {@code sandbox_certificate} (V23). Revoking
     * the order's current certificate stops its automatic term reissues ({@code renew_at} cleared: no
     * automatic reissue of a revoked chain; an explicit {@link #reissue} starts it again). Revoking a
     * revoked certificate again changes nothing and succeeds (a retry after a lost reply).
     *
     * @param orderId   vendor order id
     * @param serialHex the certificate's serial (hex, any case)
     * @param reason    the RFC 5280 reason name (checked by the caller)
     * @return true when this call revoked it, false when it was revoked already
     * @throws SandboxRefusal 404 unknown order; 465 not completed, or no certificate of the order has this serial
     */
    public boolean revoke(String orderId, String serialHex, String reason) {
        String serial = serialHex.trim().toLowerCase(java.util.Locale.ROOT);
        return Boolean.TRUE.equals(tx.execute(s -> {
            SandboxOrder o = locked(orderId);
            if (!SandboxOrder.COMPLETED.equals(o.state()) || o.certPem() == null) {
                throw new SandboxRefusal(SandboxRefusal.INVALID, "Order " + orderId + " is " + o.state() + "; it has no certificate to revoke");
            }
            boolean current = serial.equals(serialOf(o.certPem()));
            List<Timestamp> revoked = jdbc.query("select revoked_at from sandbox_certificate where serial_hex = ? and order_id = ?",
                (rs, i) -> rs.getTimestamp(1), serial, orderId);
            if (revoked.isEmpty()) {
                if (!current) {
                    throw SandboxRefusal.invalid("serial", serial + " is not a certificate of order " + orderId);
                }
                X509Certificate leaf = Certificates.parseAny(o.certPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)).get(0);
                jdbc.update("insert into sandbox_certificate (serial_hex, order_id, issued_at, not_after) values (?, ?, ?, ?)",
                    serial, orderId, Timestamp.from(leaf.getNotBefore().toInstant()), Timestamp.from(leaf.getNotAfter().toInstant()));
            } else if (revoked.get(0) != null) {
                return false;
            }
            Instant now = clock.instant();
            jdbc.update("update sandbox_certificate set revoked_at = ?, revocation_reason = ? where serial_hex = ?", Timestamp.from(now), reason, serial);
            if (current) {
                jdbc.update("update sandbox_order set renew_at = null, updated_at = ? where order_id = ?", Timestamp.from(now), orderId);
            }
            LOG.info("sandbox vendor: order {} certificate {} revoked ({}){}", orderId, serial, reason,
                current ? "; no automatic reissue of its chain" : "");
            return true;
        }));
    }

    private static String serialOf(String leafPem) {
        X509Certificate leaf = Certificates.parseAny(leafPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).get(0);
        return io.certhub.pki.CertificateFacts.serialHex(leaf.getSerialNumber());
    }

    private IssuedCertificate issueFor(SandboxOrder o, Instant now, Instant termEnd) {
        ParsedCsr csr;
        try {
            csr = csrParser.parse(o.csr());
        } catch (CsrException e) {
            throw new IllegalStateException("order " + o.orderId() + ": stored CSR no longer parses: " + e.getMessage(), e);
        }
        Duration validity = caps.validity(o.productType(), now, termEnd);
        if (validity.isZero() || validity.isNegative()) {
            throw new IllegalStateException("order " + o.orderId() + ": its term ended at " + termEnd);
        }
        return ca.issue(csr.publicKey(), o.names(), validity);
    }

    /** @return the renewal point of {@code cert}, or null when it reaches the term's end (no successor) */
    private Timestamp renewAt(IssuedCertificate cert, Instant termEnd) {
        Instant notAfter = cert.leaf().getNotAfter().toInstant();
        if (!notAfter.isBefore(termEnd)) {
            return null;
        }
        return Timestamp.from(caps.renewalPoint(cert.leaf().getNotBefore().toInstant(), notAfter));
    }

    private void queueIssuedMail(String orderId, IssuedCertificate cert) {
        Timestamp now = Timestamp.from(clock.instant());
        // every certificate the vendor issues is listed (V23), so a later revoke_cert can name it by serial
        jdbc.update("insert into sandbox_certificate (serial_hex, order_id, issued_at, not_after) values (?, ?, ?, ?)",
            io.certhub.pki.CertificateFacts.serialHex(cert.leaf().getSerialNumber()), orderId, now,
            Timestamp.from(cert.leaf().getNotAfter().toInstant()));
        jdbc.update("insert into sandbox_mail_outbox (order_id, kind, recipient, created_at, next_attempt_at, cert_pem, ca_pem)"
                + " values (?, ?, ?, ?, ?, ?, ?)",
            orderId, MAIL_ISSUED, hubMailbox, now, now, cert.leafPem(), cert.chainPem() + IssuedCertificate.pem(cert.root()));
    }

    private void queueMail(String orderId, String kind, String recipient) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update("insert into sandbox_mail_outbox (order_id, kind, recipient, created_at, next_attempt_at) values (?, ?, ?, ?, ?)",
            orderId, kind, recipient, now, now);
    }

    private static String checkMethod(String method) {
        String m = method.trim().toLowerCase(java.util.Locale.ROOT);
        if (!DV_METHODS.contains(m)) {
            throw SandboxRefusal.invalid("dv_auth_method", "'" + method + "' is not one of email, dns, file");
        }
        return m;
    }

    private static Duration nonNegative(Duration d) {
        return d == null || d.isNegative() ? Duration.ZERO : d;
    }

    /**
     * @param bytes number of random bytes
     * @return them as lower-case hex (2 characters a byte), from a CSPRNG
     */
    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static final RowMapper<SandboxOrder> MAPPER = (rs, n) -> {
        String extra = rs.getString("additional_domains");
        List<String> additional = extra == null || extra.isBlank() ? List.of() : Arrays.asList(extra.trim().split(" +"));
        return new SandboxOrder(rs.getString("order_id"), rs.getString("product_id"), rs.getString("state"),
            rs.getString("reg_type"), rs.getString("product_type"), rs.getString("validation"), rs.getBoolean("instant"),
            rs.getString("domain"), additional, rs.getString("csr"), rs.getInt("period"), rs.getString("server_type"),
            rs.getString("approver_email"), rs.getString("dv_auth_method"), rs.getString("dv_token"),
            rs.getString("dv_file_name"), rs.getString("contacts"), instant(rs, "approval_due_at"),
            instant(rs, "vetting_due_at"), rs.getString("cert_pem"), rs.getString("ca_pem"), rs.getString("root_pem"),
            instant(rs, "issued_at"), instant(rs, "created_at"), instant(rs, "updated_at"));
    };
}
