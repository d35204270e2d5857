package io.certhub.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link AdminDelivery#messageId}: RFC 5322 §3.6.4 msg-id of a delivery's email. */
class MessageIdTest {

    @Test
    void theSenderDomainIsTheRightPartAndTheOrderAndDeliveryTheLeft() {
        assertThat(AdminDelivery.messageId("6f1c2e4a-0000-4000-8000-000000000001", 42, "certificates@reseller.example.com"))
            .isEqualTo("<6f1c2e4a-0000-4000-8000-000000000001.42@reseller.example.com>");
        assertThat(AdminDelivery.messageId("o-1", 7, "Certhub <certs@mail.example.net>")).isEqualTo("<o-1.7@mail.example.net>");
    }

    @Test
    void anUnusableSenderFallsBackToAReservedDomain() {
        assertThat(AdminDelivery.messageId("o-1", 7, "not an address")).isEqualTo("<o-1.7@certhub.invalid>");
        assertThat(AdminDelivery.messageId("o-1", 7, "")).isEqualTo("<o-1.7@certhub.invalid>");
    }
}
