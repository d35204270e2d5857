package io.certhub.order;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrderStateTest {

    @Test
    void lifecycleAllowsOnlyTheSeedTransitions() {
        assertThat(OrderState.PENDING.next()).containsExactlyInAnyOrder(OrderState.IN_PROGRESS, OrderState.CANCELLED);
        assertThat(OrderState.IN_PROGRESS.next()).containsExactlyInAnyOrder(OrderState.COMPLETED, OrderState.CANCELLED, OrderState.DECLINED);
        assertThat(OrderState.DECLINED.canGo(OrderState.IN_PROGRESS)).isTrue();
        assertThat(OrderState.COMPLETED.next()).isEmpty();
        assertThat(OrderState.CANCELLED.next()).isEmpty();
        assertThat(OrderState.PENDING.canGo(OrderState.COMPLETED)).isFalse();
    }
}
