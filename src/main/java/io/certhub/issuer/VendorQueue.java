package io.certhub.issuer;

import io.certhub.cluster.HubInstance;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * JDBC access to the vendor tracking columns of {@code orders} (migration V2): the step each
 * IN_PROGRESS order is at with the vendor, when it is due, and the short claim a worker holds
 * on it so that two workers (threads or hub instances) never act on one order at once.
 */
@Repository
public class VendorQueue {

    /** Steps of an order with the vendor (column {@code vendor_step}). */
    public enum Step { QUEUED, SAVED, SUBMITTING, SUBMITTED, CANCEL_REQUESTED, DONE }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final HubInstance instance;

    /**
     * @param jdbc     template on the hub database
     * @param clock    time source
     * @param instance this hub instance: claims name it, and a dead instance's claims are free
     */
    public VendorQueue(JdbcTemplate jdbc, Clock clock, HubInstance instance) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.instance = instance;
    }

    /**
     * @param steps steps to look for
     * @param limit most ids returned
     * @return ids of IN_PROGRESS orders at one of {@code steps}, due now and not claimed (or claimed
     *         by a dead instance), oldest due first
     */
    public List<String> due(List<Step> steps, int limit) {
        Timestamp now = now();
        String in = String.join(",", steps.stream().map(s -> "'" + s.name() + "'").toList());
        return jdbc.queryForList("select id from orders where state = 'IN_PROGRESS' and vendor_step in (" + in + ")"
            + " and (vendor_next_at is null or vendor_next_at <= ?) and (vendor_claimed_until is null or vendor_claimed_until < ? or "
            + HubInstance.claimantDead("orders.vendor_claimed_by") + ")"
            + " order by vendor_next_at nulls first limit ?", String.class, now, now, instance.deadBefore(), limit);
    }

    /**
     * Takes an order for {@code hold} in this instance's name; fails when another worker holds it.
     * A claim whose instance stopped beating ({@code hub.cluster.claim-takeover}) is taken at once.
     *
     * @param orderId order id
     * @param hold    claim length
     * @return whether this caller now holds it
     */
    public boolean claim(String orderId, Duration hold) {
        Timestamp now = now();
        return jdbc.update("update orders set vendor_claimed_until = ?, vendor_claimed_by = ? where id = ?"
                + " and (vendor_claimed_until is null or vendor_claimed_until < ? or " + HubInstance.claimantDead("orders.vendor_claimed_by") + ")",
            Timestamp.from(now.toInstant().plus(hold)), instance.id(), orderId, now, instance.deadBefore()) == 1;
    }

    /**
     * Takes an order like {@link #claim}, but only while it is still waiting for its first
     * placement: IN_PROGRESS, step QUEUED, no vendor order id. A reseller's cancel uses it so that a
     * snapshot read before a worker placed (or the vendor refused) the order never cancels it here
     * as if the vendor did not have it.
     *
     * @param orderId order id
     * @param hold    claim length
     * @return whether this caller now holds it (false: another worker holds it, or it left QUEUED)
     */
    public boolean claimWhileQueued(String orderId, Duration hold) {
        Timestamp now = now();
        return jdbc.update("update orders set vendor_claimed_until = ?, vendor_claimed_by = ? where id = ?"
                + " and state = 'IN_PROGRESS' and vendor_step = 'QUEUED' and vendor_order_id is null"
                + " and (vendor_claimed_until is null or vendor_claimed_until < ? or " + HubInstance.claimantDead("orders.vendor_claimed_by") + ")",
            Timestamp.from(now.toInstant().plus(hold)), instance.id(), orderId, now, instance.deadBefore()) == 1;
    }

    /**
     * Takes an order like {@link #claim} and says whose claim it replaced: a claim still on the row
     * when this one succeeds was left by a worker that stopped (its instance died, or the work
     * failed before giving it back) or ran out.
     *
     * @param orderId order id
     * @param hold    claim length
     * @return null when another worker holds the order; else the claim, with
     *         {@link Claim#takenFrom()} the former claimant ({@code "unknown"} when the row named
     *         none) or null when the order was free
     */
    public Claim take(String orderId, Duration hold) {
        java.util.Map<String, Object> before = jdbc.queryForList(
            "select vendor_claimed_until, vendor_claimed_by from orders where id = ?", orderId).stream().findFirst().orElse(null);
        if (before == null || !claim(orderId, hold)) {
            return null;
        }
        Object by = before.get("vendor_claimed_by");
        return new Claim(before.get("vendor_claimed_until") == null ? null : by == null ? "unknown" : by.toString());
    }

    /**
     * A claim this instance now holds.
     *
     * @param takenFrom the instance whose stale claim it replaced, or null when the order was free
     */
    public record Claim(String takenFrom) {
    }

    /** Gives an order back. @param orderId order id */
    public void release(String orderId) {
        jdbc.update("update orders set vendor_claimed_until = null, vendor_claimed_by = null where id = ?", orderId);
    }

    /**
     * @param orderId order id
     * @return its step, or null when it never went to the vendor
     */
    public Step step(String orderId) {
        String s = jdbc.queryForObject("select vendor_step from orders where id = ?", String.class, orderId);
        return s == null ? null : Step.valueOf(s);
    }

    /**
     * The retry state of an order waiting for the vendor.
     *
     * @param orderId order id
     * @return {@code {attempts, nextAttemptAt}} (attempts failed so far; ISO 8601 UTC, null when
     *         due now), empty for an unknown order
     */
    public java.util.Optional<java.util.Map<String, Object>> retry(String orderId) {
        return jdbc.query("select vendor_attempts, vendor_next_at from orders where id = ?", (rs, i) -> {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("attempts", rs.getInt("vendor_attempts"));
            java.sql.Timestamp next = rs.getTimestamp("vendor_next_at");
            m.put("nextAttemptAt", next == null ? null : next.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString());
            return m;
        }, orderId).stream().findFirst();
    }

    /**
     * @param orderId order id
     * @return attempts (retries, or unchanged polls) so far
     */
    public int attempts(String orderId) {
        return jdbc.queryForObject("select vendor_attempts from orders where id = ?", Integer.class, orderId);
    }

    /**
     * Moves an order to a step, due at once, attempts reset.
     *
     * @param orderId order id
     * @param step    new step
     */
    public void setStep(String orderId, Step step) {
        jdbc.update("update orders set vendor_step = ?, vendor_attempts = 0, vendor_next_at = null where id = ?", step.name(), orderId);
    }

    /**
     * Records that the vendor took the order: SUBMITTING → SUBMITTED (guarded: a cancellation
     * requested meanwhile keeps its step), attempts reset, the next poll due after
     * {@code nextPoll} (null: due at once) and, when {@code release}, the caller's claim given
     * back in the same update.
     *
     * @param orderId  order id
     * @param nextPoll wait before the status poll, or null
     * @param release  whether to clear the claim
     * @return whether the order was still SUBMITTING (false: nothing was changed)
     */
    public boolean submitted(String orderId, Duration nextPoll, boolean release) {
        return jdbc.update("update orders set vendor_step = 'SUBMITTED', vendor_attempts = 0, vendor_next_at = ?"
            + (release ? ", vendor_claimed_until = null, vendor_claimed_by = null" : "") + " where id = ? and vendor_step = 'SUBMITTING'",
            nextPoll == null ? null : Timestamp.from(clock.instant().plus(nextPoll)), orderId) == 1;
    }

    /**
     * Records the vendor's order id and moves QUEUED → SAVED (guarded).
     *
     * @param orderId       order id
     * @param vendorOrderId vendor id
     * @return whether the order was QUEUED
     */
    public boolean saved(String orderId, String vendorOrderId) {
        return jdbc.update("update orders set vendor_order_id = ?, vendor_step = 'SAVED', vendor_attempts = 0, vendor_next_at = null, updated_at = ?"
            + " where id = ? and vendor_step = 'QUEUED'", vendorOrderId, now(), orderId) == 1;
    }

    /**
     * Schedules the next attempt and counts it.
     *
     * @param orderId order id
     * @param delay   wait before it is due again
     * @param counted whether to add one to attempts (false keeps the count)
     */
    public void later(String orderId, Duration delay, boolean counted) {
        later(orderId, delay, counted, false);
    }

    /**
     * Schedules the next attempt, counts it and, when {@code release}, gives the caller's claim
     * back in the same update (one commit where two were).
     *
     * @param orderId order id
     * @param delay   wait before it is due again
     * @param counted whether to add one to attempts (false keeps the count)
     * @param release whether to clear the claim
     */
    public void later(String orderId, Duration delay, boolean counted, boolean release) {
        jdbc.update("update orders set vendor_next_at = ?, vendor_attempts = vendor_attempts + ?"
                + (release ? ", vendor_claimed_until = null, vendor_claimed_by = null" : "") + " where id = ?",
            Timestamp.from(clock.instant().plus(delay)), counted ? 1 : 0, orderId);
    }

    /**
     * Moves an order to a step due after {@code delay}, attempts reset and, when {@code release},
     * the caller's claim given back, in one update.
     *
     * @param orderId order id
     * @param step    new step
     * @param delay   wait before it is due
     * @param release whether to clear the claim
     */
    public void schedule(String orderId, Step step, Duration delay, boolean release) {
        jdbc.update("update orders set vendor_step = ?, vendor_attempts = 0, vendor_next_at = ?"
                + (release ? ", vendor_claimed_until = null, vendor_claimed_by = null" : "") + " where id = ?",
            step.name(), Timestamp.from(clock.instant().plus(delay)), orderId);
    }

    /**
     * Stores the vendor's DCV details (JSON) on the order.
     *
     * @param orderId order id
     * @param json    details as JSON, or null
     */
    public void dcvDetails(String orderId, String json) {
        jdbc.update("update orders set dcv_details = ? where id = ?", json, orderId);
    }

    /**
     * @param orderId order id
     * @return the stored DCV details JSON, or null
     */
    public String dcvDetails(String orderId) {
        return jdbc.queryForObject("select dcv_details from orders where id = ?", String.class, orderId);
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    /** @return the current time of the queue's clock */
    public Instant instant() {
        return clock.instant();
    }
}
