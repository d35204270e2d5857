package io.certhub.term;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class LifecycleScansTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void aScanIsTimedUnderItsTagAndWhatItDidIsCounted() {
        assertEquals(3, LifecycleScans.timed(meters, LifecycleScans.RENEWAL_REMINDERS, LifecycleScans.REMINDERS_QUEUED, () -> 3));
        assertEquals(2, LifecycleScans.timed(meters, LifecycleScans.RENEWAL_REMINDERS, LifecycleScans.REMINDERS_QUEUED, () -> 2));

        assertEquals(2, meters.get(LifecycleScans.TIMER).tag("scan", "renewal-reminders").timer().count());
        assertEquals(5.0, meters.get(LifecycleScans.REMINDERS_QUEUED).counter().count());
        assertEquals(0, meters.find(LifecycleScans.TIMER).tag("scan", "reissue-overdue").timers().size());
    }

    @Test
    void aScanThatThrowsIsTimedAndCountsNothing() {
        IllegalStateException boom = new IllegalStateException("database down");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> LifecycleScans.timed(meters,
            LifecycleScans.REISSUE_OVERDUE_SCAN, LifecycleScans.REISSUES_OVERDUE, () -> { throw boom; }));

        assertSame(boom, thrown);
        assertEquals(1, meters.get(LifecycleScans.TIMER).tag("scan", "reissue-overdue").timer().count());
        assertEquals(0, meters.find(LifecycleScans.REISSUES_OVERDUE).counters().size());
    }
}
