package io.certhub.order;

import com.google.common.util.concurrent.Striped;
import io.certhub.dcv.ApproverDiscovery;
import io.certhub.dcv.DcvProperties;
import io.certhub.dcv.OwnerLookup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Warns on an order whose names' registered domain is not registered according to WHOIS/RDAP
 * (issue 11 §5): warning {@value #CODE} with the name's dotted {@code field} ({@code domain},
 * {@code additionalDomains[0]}, …) and a {@code detail} naming the name, the source and its
 * server, shown in the order's {@code warnings} and, when added or cleared, in its history
 * (actor {@value #ACTOR}). The order is never refused, held back or changed otherwise: lookups can
 * be wrong or out of date, and a domain may be registered between order and validation.
 *
 * <p>When: after the commit of a new order (saved or submitted), of a submission and of an edit
 * ({@link OrderService.OrderNamesSet}), whichever entry point made it (REST, file intake,
 * dashboard). The order's answer never waits on the network:
 * <ol>
 *   <li>in the caller's thread, only answers already in {@link ApproverDiscovery}'s owner cache
 *       are used ({@link ApproverDiscovery#cachedOwner(String)}: no I/O), so a domain looked up a
 *       moment earlier ({@code GET /approvers}, the approver rule) has its warning in the 201
 *       already;</li>
 *   <li>names not in the cache are looked up on a small thread pool of this class
 *       ({@value #THREADS} threads, {@value #QUEUE} checks queued; a check that finds the queue
 *       full is dropped and logged, never run in the caller), each lookup bounded by
 *       {@code hub.dcv.timeout} per exchange as for {@code GET /approvers}; the warning then
 *       appears in the order's JSON and history once the lookup has answered.</li>
 * </ol>
 * A lookup that fails (outage, throttled server) leaves the order's warnings as they are; a name
 * found registered (or whose TLD has no registration data service) clears its warning, as does a
 * name no longer on the order after an edit.
 *
 * <p>While {@code hub.dcv.lookups-enabled} is false (the sandbox) nothing is checked at all: the
 * sandbox's configured owners ({@code hub.dcv.sandbox-owners}) are never "not registered".
 *
 * <p>Thread-safe: checks of one order are serialised in this instance; across instances the
 * unique key {@code order_warning_once} keeps one warning per order, code and field.
 */
@Component
public class RegistrationWarnings implements DisposableBean {

    /** Warning code: WHOIS/RDAP says the ordered name's registered domain is not registered. */
    public static final String CODE = "DOMAIN_NOT_REGISTERED";
    /** Actor of the history entries. */
    static final String ACTOR = "system";
    /** Threads that look up names not in the cache. */
    static final int THREADS = 2;
    /** Checks waiting for a thread at most; more are dropped (and logged). */
    static final int QUEUE = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(RegistrationWarnings.class);

    private final OrderRepository repo;
    private final OrderService orders;
    private final ApproverDiscovery discovery;
    private final DcvProperties properties;
    private final Striped<Lock> locks = Striped.lock(64);
    private final ThreadPoolExecutor pool;

    /**
     * @param repo       order storage (the order's names)
     * @param orders     records the warnings
     * @param discovery  owner lookups and their cache
     * @param properties {@code hub.dcv.*} (whether lookups are on)
     */
    public RegistrationWarnings(OrderRepository repo, OrderService orders, ApproverDiscovery discovery, DcvProperties properties) {
        this.repo = repo;
        this.orders = orders;
        this.discovery = discovery;
        this.properties = properties;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "registration-check-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (r, executor) -> LOG.warn("Registration check: {} checks are waiting already; this one is dropped (its order gets no "
            + CODE + " warning from it)", QUEUE));
        this.pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Checks an order whose names were just stored (see the class description).
     *
     * @param event the order
     */
    @EventListener
    public void onNamesSet(OrderService.OrderNamesSet event) {
        check(event.orderId());
    }

    /**
     * Checks an order: from the cache at once, then (for names not cached) on this class's pool.
     * Never throws and never waits on the network.
     *
     * @param orderId order id
     */
    public void check(String orderId) {
        if (!properties.isLookupsEnabled()) {
            return;
        }
        try {
            if (!apply(orderId, discovery::cachedOwner)) {
                pool.execute(() -> {
                    try {
                        apply(orderId, discovery::owner);
                    } catch (RuntimeException e) {
                        LOG.warn("Registration check of order {} failed; its warnings are left as they were", orderId, e);
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("Registration check of order {} failed; its warnings are left as they were", orderId, e);
        }
    }

    /**
     * Looks up each name of the order with {@code lookup} and records what it answered.
     *
     * @return true when every name had an answer (nothing left to look up)
     */
    private boolean apply(String orderId, Function<String, Optional<OwnerLookup>> lookup) {
        Order o = repo.find(orderId).orElse(null);
        if (o == null) {
            return true;
        }
        Map<String, String> fields = fields(o);
        Map<String, String> present = new LinkedHashMap<>();
        Map<String, String> cleared = new LinkedHashMap<>();
        boolean complete = true;
        for (Map.Entry<String, String> f : fields.entrySet()) {
            Optional<OwnerLookup> answer;
            try {
                answer = lookup.apply(f.getValue());
            } catch (IllegalArgumentException e) {
                answer = Optional.empty();        // not a DNS name: the validator refused such names already
            }
            if (answer.isEmpty()) {
                complete = false;                 // not cached yet, or the lookup failed: leave it as it is
                continue;
            }
            Optional<String> words = ApproverDiscovery.notRegistered(answer.get());
            if (words.isPresent()) {
                present.put(f.getKey(), detail(f.getValue(), words.get()));
            } else {
                cleared.put(f.getKey(), answer.get().status() == OwnerLookup.Status.FOUND
                    ? answer.get().domain() + " is registered" : "no registration data service knows " + answer.get().domain());
            }
        }
        for (Order.Warning w : orders.warnings(orderId)) {
            if (w.code().equals(CODE) && !fields.containsKey(w.field())) {
                cleared.put(w.field(), "the name is no longer on the order");
            }
        }
        if (!present.isEmpty() || !cleared.isEmpty()) {
            Lock lock = locks.get(orderId);
            lock.lock();
            try {
                orders.reconcileWarnings(orderId, CODE, present, cleared, ACTOR);
            } finally {
                lock.unlock();
            }
        }
        return complete;
    }

    /** Field (dotted path) → name: {@code domain}, then {@code additionalDomains[i]} as stored. */
    static Map<String, String> fields(Order o) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("domain", o.domain());
        List<String> extra = o.additionalDomains();
        for (int i = 0; i < extra.size(); i++) {
            fields.put("additionalDomains[" + i + "]", extra.get(i));
        }
        return fields;
    }

    /**
     * The warning's detail.
     *
     * @param name  the ordered name
     * @param words what the lookup says, from {@link ApproverDiscovery#notRegistered(OwnerLookup)}
     * @return e.g. {@code "shop.no-such.com: WHOIS (whois.verisign-grs.com) says no-such.com is not
     *         registered; …"}
     */
    static String detail(String name, String words) {
        return name + ": " + words + "; mail to its approver addresses cannot arrive and the CA cannot validate it until it is"
            + " registered. The order goes on (registration data can be wrong or late): check the spelling or register the domain.";
    }

    /** Stops the pool; checks still queued are dropped (they only warn). */
    @Override
    public void destroy() {
        pool.shutdownNow();
    }

    /** @return checks waiting for a lookup thread now (for tests and diagnosis) */
    int queued() {
        return pool.getQueue().size();
    }
}
