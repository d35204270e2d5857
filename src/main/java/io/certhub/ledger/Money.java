package io.certhub.ledger;

import java.math.BigDecimal;
import java.util.Currency;

/**
 * An amount of money: integer minor units (cents for USD) plus its ISO 4217 currency code.
 * Never a double. Outside the hub money is a decimal string ({@code "49.00"}).
 *
 * @param minor    amount in minor units of {@code currency}
 * @param currency ISO 4217 code, e.g. {@code USD}
 */
public record Money(long minor, String currency) {

    /**
     * The largest amount, in minor units, that {@link #parse} accepts and a ledger balance may
     * reach: 10^15 (10 000 000 000 000.00 USD), far below {@code Long.MAX_VALUE}, so sums of
     * balances and holds never overflow the {@code bigint} columns.
     */
    public static final long MAX_MINOR = 1_000_000_000_000_000L;

    /**
     * Parses a decimal string in {@code currency}.
     *
     * @param decimal  e.g. {@code "49.00"} or {@code "49"}; at most the currency's fraction digits
     * @param currency ISO 4217 code
     * @return the amount
     * @throws IllegalArgumentException when the string is not a number, has more fraction digits
     *                                  than the currency allows, is larger than {@link #MAX_MINOR}
     *                                  minor units (e.g. {@code "1e400"}, 30 digits), or the currency is unknown
     */
    public static Money parse(String decimal, String currency) {
        int digits = Currency.getInstance(currency).getDefaultFractionDigits();
        BigDecimal value;
        try {
            value = new BigDecimal(decimal.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("'" + decimal + "' is not a decimal amount");
        }
        if (value.scale() > digits) {
            throw new IllegalArgumentException("'" + decimal + "' has more than " + digits + " fraction digits for " + currency);
        }
        BigDecimal minor = value.movePointRight(digits);
        if (minor.abs().compareTo(BigDecimal.valueOf(MAX_MINOR)) > 0) {
            throw new IllegalArgumentException("'" + decimal.trim() + "' is larger than the largest amount the ledger keeps ("
                + decimal(MAX_MINOR, currency) + " " + currency + ")");
        }
        return new Money(minor.longValueExact(), currency);
    }

    /** @return the amount as a decimal string with the currency's fraction digits, e.g. {@code "49.00"} */
    public String decimal() {
        return decimal(minor, currency);
    }

    /**
     * Formats minor units as a decimal string.
     *
     * @param minor    amount in minor units
     * @param currency ISO 4217 code
     * @return e.g. {@code "1000.00"}
     */
    public static String decimal(long minor, String currency) {
        int digits = Currency.getInstance(currency).getDefaultFractionDigits();
        return BigDecimal.valueOf(minor, digits).toPlainString();
    }

    /**
     * @param factor a non-negative multiplier (e.g. years)
     * @return this amount times {@code factor}
     * @throws ArithmeticException on overflow
     */
    public Money times(int factor) {
        return new Money(Math.multiplyExact(minor, factor), currency);
    }
}
