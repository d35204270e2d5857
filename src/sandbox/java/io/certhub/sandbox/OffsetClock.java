package io.certhub.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The hub's clock in the sandbox (issue 13 §2): the system UTC clock plus an offset that only
 * grows, so a test (or a person trying the sandbox) can move time forward across a multi-year
 * term in seconds ({@code POST /sandbox/clock {advanceDays}}). It still ticks in real time: timers,
 * back-offs and claims keep working after a move. Made only when {@code hub.sandbox.enabled=true}
 * ({@link ClockConfig}); production has the plain system clock.
 *
 * <p>What moves with it: every instant the hub and the sandbox vendor take from the Spring
 * {@link Clock} bean — order, history, ledger and certificate times, the certificate validity
 * check, the certificate inventory's EXPIRED, term and renewal points, delivery and vendor claims
 * and back-offs, instance heartbeats, and the sandbox vendor's issue times, approval delays and
 * certificate validity (its CA signs with this clock). What does not: Quartz schedules, Camel
 * timers, the database's own time, the cluster leader locks (Spring Integration's lock registry
 * keeps its own time), GreenMail, and TLS checks of the JVM. The offset lives in memory: a restart
 * starts again from {@code hub.sandbox.clock-start} (or the system time when that is empty).
 */
public final class OffsetClock extends Clock {

    private final Clock base;
    private volatile Duration offset;

    /**
     * @param base   the ticking clock (UTC)
     * @param offset how far ahead of it this clock starts (negative for a start in the past)
     */
    public OffsetClock(Clock base, Duration offset) {
        this.base = base;
        this.offset = offset;
    }

    /**
     * Moves the clock forward.
     *
     * @param by how far (0 or more)
     * @return the new now
     * @throws IllegalArgumentException when {@code by} is negative (time never goes back)
     */
    public synchronized Instant advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the clock only moves forward, not by " + by);
        }
        offset = offset.plus(by);
        return instant();
    }

    /** @return how far ahead of the system clock this clock is */
    public Duration offset() {
        return offset;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.offset(base.withZone(zone), offset);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset);
    }
}
