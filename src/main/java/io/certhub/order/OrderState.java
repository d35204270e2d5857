package io.certhub.order;

import java.util.EnumSet;
import java.util.Set;

/**
 * Hub order states (shared/DESIGN.md): PENDING = saved (nothing held, nothing sent);
 * IN_PROGRESS = submitted with its price on hold; COMPLETED = issued (hold captured);
 * CANCELLED = cancelled by the reseller or the vendor (hold released); DECLINED = refused by
 * the vendor/CA (hold released; may be fixed and submitted again, OpenSRS {@code process_pending}).
 */
public enum OrderState {
    PENDING, IN_PROGRESS, COMPLETED, CANCELLED, DECLINED;

    /**
     * @param to target state
     * @return whether the lifecycle allows going from this state to {@code to}
     */
    public boolean canGo(OrderState to) {
        return next().contains(to);
    }

    /** @return the states reachable in one step */
    public Set<OrderState> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(IN_PROGRESS, CANCELLED);
            case IN_PROGRESS -> EnumSet.of(COMPLETED, CANCELLED, DECLINED);
            case DECLINED -> EnumSet.of(IN_PROGRESS, CANCELLED);
            case COMPLETED, CANCELLED -> EnumSet.noneOf(OrderState.class);
        };
    }
}
