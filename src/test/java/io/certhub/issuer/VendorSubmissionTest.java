package io.certhub.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.certhub.cluster.HubInstance;
import io.certhub.issuer.VendorQueue.Step;
import io.certhub.order.Order;
import io.certhub.order.OrderFixture;
import io.certhub.order.OrderState;
import io.certhub.support.TestCsrs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VendorSubmission} on its own (issue 14 §5: it had no test class): the real order core on
 * H2 ({@link OrderFixture}), the real {@link VendorQueue} and {@link PossibleOrphans}, a scripted
 * vendor adapter (Mockito) and the status tracking mocked. What the class promises, counted in
 * vendor calls and rows: one placement per order however its answers go, a lost submission
 * answer looked up before anything is sent again, a definite refusal declines and releases the
 * hold once, a refused login pauses all sending.
 */
class VendorSubmissionTest {

    final Clock clock = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);
    OrderFixture core;
    VendorAdapter vendor;
    VendorQueue queue;
    VendorSubmission submission;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() {
        core = new OrderFixture(clock);
        vendor = mock(VendorAdapter.class);
        when(vendor.name()).thenReturn("opensrs");
        HubInstance instance = mock(HubInstance.class);
        when(instance.id()).thenReturn("unit-1");
        queue = new VendorQueue(core.jdbc, clock, instance);
        VendorTracking tracking = mock(VendorTracking.class);
        VendorProperties props = new VendorProperties();
        submission = new VendorSubmission(queue, core.repository, core.orders, new Vendors(List.of(vendor), props, core.catalog), props, tracking,
            meters, core.tx, new PossibleOrphans(core.jdbc, clock));
    }

    Order submitted(String ref) {
        return core.orders.create("demo", OrderFixture.order(ref, "process", 1, TestCsrs.ec(ref.toLowerCase() + ".example.com")),
            "account:demo").order();
    }

    /** Makes the order due again now (a retry's backoff passed). */
    void due(String orderId) {
        core.jdbc.update("update orders set vendor_next_at = ? where id = ?", Timestamp.from(clock.instant().minusSeconds(1)), orderId);
    }

    @Test
    void aQueuedOrderIsPlacedAndSubmittedOnceAndItsVendorOrderIdRecorded() {
        Order o = submitted("VS-1");
        when(vendor.place(any(), anyBoolean())).thenReturn("7000001");
        when(vendor.submit(any(), anyString())).thenReturn("pending");

        assertThat(submission.due()).containsExactly(o.id());
        submission.process(o.id());

        verify(vendor, times(1)).place(any(), anyBoolean());
        verify(vendor, times(1)).submit(any(), anyString());
        assertThat(core.repository.find(o.id()).orElseThrow().vendorOrderId()).isEqualTo("7000001");
        assertThat(queue.step(o.id())).isEqualTo(Step.SUBMITTED);
        submission.process(o.id());                                    // nothing waits any more
        verify(vendor, times(1)).place(any(), anyBoolean());
        assertThat(core.count("select count(*) from hold where order_id = ? and state = 'HELD'", o.id())).isEqualTo(1);
    }

    @Test
    void aLostPlacementAnswerIsRecordedAsAPossibleOrphanAndPlacedAgainLater() {
        Order o = submitted("VS-2");
        when(vendor.place(any(), anyBoolean()))
            .thenThrow(new VendorException(VendorException.Kind.AMBIGUOUS, "TIMEOUT", "read timed out"))
            .thenReturn("7000002");
        when(vendor.submit(any(), anyString())).thenReturn("pending");

        submission.process(o.id());
        assertThat(queue.step(o.id())).isEqualTo(Step.QUEUED);
        assertThat(core.repository.find(o.id()).orElseThrow().vendorOrderId()).isNull();
        assertThat(core.count("select count(*) from vendor_possible_orphan where order_id = ?", o.id())).isEqualTo(1);
        assertThat(queue.attempts(o.id())).isEqualTo(1);

        due(o.id());
        submission.process(o.id());
        assertThat(core.repository.find(o.id()).orElseThrow().vendorOrderId()).isEqualTo("7000002");
        verify(vendor, times(2)).place(any(), anyBoolean());
        verify(vendor, times(1)).submit(any(), anyString());
    }

    @Test
    void aLostSubmissionAnswerIsLookedUpAndSentAgainOnlyWhileTheVendorOrderIsStillPending() {
        Order o = submitted("VS-3");
        when(vendor.place(any(), anyBoolean())).thenReturn("7000003");
        when(vendor.submit(any(), anyString())).thenThrow(new VendorException(VendorException.Kind.AMBIGUOUS, "705", "reply lost"));
        submission.process(o.id());
        assertThat(queue.step(o.id())).isEqualTo(Step.SUBMITTING);

        // the vendor did take it: looked up, not sent again
        when(vendor.info("7000003")).thenReturn(new VendorAdapter.VendorOrder("7000003", "processing", "dv_single", null));
        due(o.id());
        submission.process(o.id());
        verify(vendor, times(1)).submit(any(), anyString());
        verify(vendor, times(1)).info("7000003");
        assertThat(queue.step(o.id())).isEqualTo(Step.SUBMITTED);
        verify(vendor, times(1)).place(any(), anyBoolean());
    }

    @Test
    void aDefiniteRefusalDeclinesTheOrderAndReleasesItsHoldOnce() {
        Order o = submitted("VS-4");
        when(vendor.place(any(), anyBoolean())).thenThrow(new VendorException(VendorException.Kind.REFUSED, "435", "product not enabled"));

        submission.process(o.id());

        Order declined = core.repository.find(o.id()).orElseThrow();
        assertThat(declined.state()).isEqualTo(OrderState.DECLINED);
        assertThat(declined.lastErrorCode()).isEqualTo("VENDOR_REFUSED_435");
        assertThat(queue.step(o.id())).isEqualTo(Step.DONE);
        assertThat(core.count("select count(*) from hold where order_id = ? and state = 'RELEASED'", o.id())).isEqualTo(1);
        assertThat(core.count("select count(*) from journal where order_id = ? and entry_type = 'RELEASE'", o.id())).isEqualTo(1);
        assertThat(core.ledger.account("demo").available()).isEqualTo(2500);
        assertThat(meters.counter("certhub.vendor.refused", "code", "VENDOR_REFUSED_435").count()).isEqualTo(1.0);
    }

    @Test
    void aRefusedSubmissionLeavesTheOutcomeToAResellersCancellationUnderWayOrAlreadySettled() {
        // the vendor refuses sw_process because the reseller's cancel reached it first: while the
        // cancel is recorded (CANCEL_REQUESTED) or already settled (step DONE, CANCELLED), the
        // refusal neither declines the order nor releases anything a second time
        Order requested = submitted("VS-7");
        Order settled = submitted("VS-8");
        when(vendor.place(any(), anyBoolean())).thenReturn("7000007", "7000008");
        when(vendor.submit(any(), anyString())).thenAnswer(call -> {
            Order o = call.getArgument(0);
            if (o.id().equals(requested.id())) {
                queue.setStep(o.id(), Step.CANCEL_REQUESTED);
            } else {
                core.tx.executeWithoutResult(s -> {
                    queue.setStep(o.id(), Step.DONE);
                    core.orders.cancelConfirmed(o.id(), "account:demo", "cancelled by the reseller; the vendor confirmed; hold released");
                });
            }
            throw new VendorException(VendorException.Kind.REFUSED, "465", "Order " + call.getArgument(1) + " is cancelled");
        });

        submission.process(requested.id());
        submission.process(settled.id());

        Order a = core.repository.find(requested.id()).orElseThrow();
        assertThat(a.state()).isEqualTo(OrderState.IN_PROGRESS);
        assertThat(a.lastErrorCode()).isNull();
        assertThat(queue.step(requested.id())).isEqualTo(Step.CANCEL_REQUESTED);
        assertThat(core.count("select count(*) from hold where order_id = ? and state = 'HELD'", requested.id())).isEqualTo(1);
        Order b = core.repository.find(settled.id()).orElseThrow();
        assertThat(b.state()).isEqualTo(OrderState.CANCELLED);
        assertThat(core.count("select count(*) from journal where order_id = ? and entry_type = 'RELEASE'", settled.id())).isEqualTo(1);
        assertThat(meters.find("certhub.vendor.refused").counters()).isEmpty();
    }

    @Test
    void aRefusedLoginPausesAllSendingAndKeepsTheQueue() {
        Order first = submitted("VS-5");
        Order second = submitted("VS-6");
        when(vendor.place(any(), anyBoolean())).thenThrow(new VendorException(VendorException.Kind.AUTH_FAILED, "400", "authentication failed"));

        submission.process(first.id());
        assertThat(submission.due()).isEmpty();                         // paused for hub.vendor.auth-pause
        submission.process(second.id());
        verify(vendor, times(1)).place(any(), anyBoolean());
        verify(vendor, never()).submit(any(), anyString());
        assertThat(queue.step(first.id())).isEqualTo(Step.QUEUED);
        assertThat(queue.step(second.id())).isEqualTo(Step.QUEUED);
        assertThat(core.repository.find(first.id()).orElseThrow().state()).isEqualTo(OrderState.IN_PROGRESS);
        assertThat(meters.counter("certhub.vendor.auth.failures").count()).isEqualTo(1.0);
    }
}
