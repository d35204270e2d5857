package io.certhub.ledger;

import io.certhub.problem.HubProblem;

/**
 * 402 {@code INSUFFICIENT_FUNDS}: a hold would make the account's available funds
 * (balance − open holds) negative. Thrown before anything is written.
 */
public class InsufficientFundsException extends HubProblem {

    /**
     * @param accountId the account
     * @param required  the amount the hold needs
     * @param available what the account had available, same currency
     */
    public InsufficientFundsException(String accountId, Money required, Money available) {
        super(402, "INSUFFICIENT_FUNDS", null,
            "account " + accountId + " has " + available.decimal() + " " + available.currency()
                + " available; the order needs " + required.decimal() + " " + required.currency());
    }
}
