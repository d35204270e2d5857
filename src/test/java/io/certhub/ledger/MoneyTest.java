package io.certhub.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void parsesAndFormatsInMinorUnits() {
        assertThat(Money.parse("49.00", "USD")).isEqualTo(new Money(4900, "USD"));
        assertThat(Money.parse("49", "USD").minor()).isEqualTo(4900);
        assertThat(Money.parse("0.5", "USD").minor()).isEqualTo(50);
        assertThat(Money.parse("1000", "JPY").minor()).isEqualTo(1000);
        assertThat(new Money(123456, "USD").decimal()).isEqualTo("1234.56");
        assertThat(new Money(2900, "USD").times(3)).isEqualTo(new Money(8700, "USD"));
    }

    @Test
    void refusesWhatIsNotAnAmount() {
        assertThatThrownBy(() -> Money.parse("1.001", "USD")).hasMessageContaining("fraction digits");
        assertThatThrownBy(() -> Money.parse("ten", "USD")).hasMessageContaining("not a decimal");
        assertThatThrownBy(() -> Money.parse("1", "XYZ1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAmountsPastTheLedgersLimitInsteadOfOverflowing() {
        // before: ArithmeticException (longValueExact) -> 500 on POST /accounts/{id}/deposits
        assertThatThrownBy(() -> Money.parse("1e400", "USD")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("larger than the largest amount");
        assertThatThrownBy(() -> Money.parse("123456789012345678901234567890", "USD")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("larger than the largest amount");
        assertThatThrownBy(() -> Money.parse("10000000000000.01", "USD")).hasMessageContaining("10000000000000.00 USD");
        assertThat(Money.parse("10000000000000.00", "USD").minor()).isEqualTo(Money.MAX_MINOR);
        assertThatThrownBy(() -> Money.parse("1e-400", "USD")).hasMessageContaining("fraction digits");
    }
}
