package io.certhub.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.certhub.ledger.LedgerService;
import io.certhub.problem.HubProblem;
import io.certhub.support.TestCsrs;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link OrderService} on its own (issue 14 §5: it had no test class): a fresh H2 database migrated
 * by Flyway, the real validator, repository and ledger, no Spring context. The money rules of the
 * order lifecycle, counted in rows: a submitted order holds its price once, a 402 creates nothing,
 * the same order twice is one order, cancel and decline release, completion captures once, a
 * resubmission after a decline holds again.
 */
class OrderServiceTest {

    final Clock clock = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);
    JdbcTemplate jdbc;
    LedgerService ledger;
    OrderService orders;
    List<Object> events;
    OrderFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new OrderFixture(clock);
        jdbc = fixture.jdbc;
        ledger = fixture.ledger;
        orders = fixture.orders;
        events = fixture.events;
    }

    static OrderDocument order(String ref, String handle, int period, String csr) {
        return OrderFixture.order(ref, handle, period, csr);
    }

    long count(String sql, Object... args) {
        return fixture.count(sql, args);
    }

    long available(String account) {
        return ledger.account(account).available();
    }

    @Test
    void aSubmittedOrderHoldsItsPriceOnceAndTheSameOrderAgainIsTheSameOrder() {
        String csr = TestCsrs.ec("s-1.example.com");
        OrderService.CreateResult first = orders.create("demo", order("S-1", "process", 1, csr), "account:demo");

        assertThat(first.created()).isTrue();
        assertThat(first.order().state()).isEqualTo(OrderState.IN_PROGRESS);
        assertThat(count("select count(*) from hold where order_id = ? and state = 'HELD' and amount_minor = 1000", first.order().id()))
            .isEqualTo(1);
        assertThat(available("demo")).isEqualTo(1500);
        assertThat(events).anyMatch(e -> e instanceof OrderService.OrderSubmitted s && s.orderId().equals(first.order().id()));

        OrderService.CreateResult again = orders.create("demo", order("S-1", "process", 1, csr), "account:demo");
        assertThat(again.created()).isFalse();
        assertThat(again.order().id()).isEqualTo(first.order().id());
        assertThat(count("select count(*) from orders where account_id = 'demo'")).isEqualTo(1);
        assertThat(count("select count(*) from hold where account_id = 'demo'")).isEqualTo(1);
        assertThat(available("demo")).isEqualTo(1500);

        HubProblem conflict = catchThrowableOfType(HubProblem.class,
            () -> orders.create("demo", order("S-1", "process", 2, csr), "account:demo"));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.code()).isEqualTo("CLIENT_REFERENCE_CONFLICT");
        assertThat(count("select count(*) from orders where account_id = 'demo'")).isEqualTo(1);
    }

    @Test
    void anOrderTheAccountCannotPayCreatesNothing() {
        HubProblem p = catchThrowableOfType(HubProblem.class,
            () -> orders.create("demo", order("BIG-1", "process", 2, TestCsrs.ec("big-1.example.com")), "account:demo"));   // 20.00 of 25.00: fits
        assertThat(p).isNull();
        HubProblem broke = catchThrowableOfType(HubProblem.class,
            () -> orders.create("demo", order("BIG-2", "process", 1, TestCsrs.ec("big-2.example.com")), "account:demo"));  // 10.00 of 5.00 left
        assertThat(broke.status()).isEqualTo(402);
        assertThat(broke.code()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(count("select count(*) from orders where client_reference = 'BIG-2'")).isZero();
        assertThat(count("select count(*) from hold where account_id = 'demo'")).isEqualTo(1);
        assertThat(available("demo")).isEqualTo(500);

        // saved, it is created without a hold; submitting it is refused the same way and leaves it PENDING
        Order saved = orders.create("demo", order("BIG-3", "save", 1, TestCsrs.ec("big-3.example.com")), "account:demo").order();
        assertThat(saved.state()).isEqualTo(OrderState.PENDING);
        assertThat(catchThrowableOfType(HubProblem.class, () -> orders.submit("demo", saved.id(), "account:demo")).code())
            .isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(orders.get("demo", saved.id()).state()).isEqualTo(OrderState.PENDING);
        assertThat(count("select count(*) from hold where order_id = ?", saved.id())).isZero();
    }

    @Test
    void cancelReleasesCompletionCapturesOnceAndADeclinedOrderHoldsAgainWhenResubmitted() {
        Order cancelled = orders.create("demo", order("C-1", "process", 1, TestCsrs.ec("c-1.example.com")), "account:demo").order();
        orders.cancel("demo", cancelled.id(), "account:demo", "changed my mind");
        assertThat(orders.get("demo", cancelled.id()).state()).isEqualTo(OrderState.CANCELLED);
        assertThat(count("select count(*) from hold where order_id = ? and state = 'RELEASED'", cancelled.id())).isEqualTo(1);
        assertThat(available("demo")).isEqualTo(2500);
        assertThat(catchThrowableOfType(HubProblem.class, () -> orders.cancel("demo", cancelled.id(), "account:demo", null)).code())
            .isEqualTo("INVALID_STATE");

        Order done = orders.create("demo", order("C-2", "process", 1, TestCsrs.ec("c-2.example.com")), "account:demo").order();
        assertThat(orders.complete(done.id(), "vendor", "issued")).isTrue();
        assertThat(orders.complete(done.id(), "mailbox", "issued")).isFalse();            // the second path to see it changes nothing
        assertThat(count("select count(*) from journal where order_id = ? and entry_type = 'CAPTURE'", done.id())).isEqualTo(1);
        assertThat(count("select count(*) from hold where order_id = ? and state = 'CAPTURED'", done.id())).isEqualTo(1);
        assertThat(ledger.account("demo").balance()).isEqualTo(1500);
        assertThat(catchThrowableOfType(HubProblem.class, () -> orders.cancel("demo", done.id(), "account:demo", null)).code())
            .isEqualTo("INVALID_STATE");

        Order declined = orders.create("demo", order("C-3", "process", 1, TestCsrs.ec("c-3.example.com")), "account:demo").order();
        assertThat(orders.decline(declined.id(), "VENDOR_REFUSED", "435 permission denied", "vendor")).isTrue();
        assertThat(orders.decline(declined.id(), "VENDOR_REFUSED", "435 again", "vendor")).isFalse();
        assertThat(count("select count(*) from hold where order_id = ? and state = 'RELEASED'", declined.id())).isEqualTo(1);
        Order resubmitted = orders.submit("demo", declined.id(), "account:demo");
        assertThat(resubmitted.state()).isEqualTo(OrderState.IN_PROGRESS);
        assertThat(count("select count(*) from hold where order_id = ?", declined.id())).isEqualTo(2);
        assertThat(count("select count(*) from hold where order_id = ? and state = 'HELD' and submission = 2", declined.id())).isEqualTo(1);
        assertThat(available("demo")).isEqualTo(500);
    }

    @Test
    void anotherAccountsOrderIsNotFound() {
        Order mine = orders.create("demo", order("N-1", "save", 1, TestCsrs.ec("n-1.example.com")), "account:demo").order();
        for (HubProblem p : List.of(
                catchThrowableOfType(HubProblem.class, () -> orders.get("other", mine.id())),
                catchThrowableOfType(HubProblem.class, () -> orders.submit("other", mine.id(), "account:other")),
                catchThrowableOfType(HubProblem.class, () -> orders.cancel("other", mine.id(), "account:other", null)))) {
            assertThat(p.status()).isEqualTo(404);
            assertThat(p.code()).isEqualTo("ORDER_NOT_FOUND");
        }
        assertThat(orders.get("demo", mine.id()).state()).isEqualTo(OrderState.PENDING);
        assertThat(count("select count(*) from hold")).isZero();
    }
}
