package io.certhub.api;

/**
 * Who is calling the API, from the {@code X-Api-Key} header.
 *
 * @param accountId the reseller account, or null for an operator key
 * @param operator  true for an operator key
 */
public record Caller(String accountId, boolean operator) {

    /**
     * Servlet request attribute under which {@link ApiGuardFilter} leaves the caller it
     * authenticated, for the handlers ({@link ApiSupport#caller}): {@value}.
     */
    public static final String REQUEST_ATTRIBUTE = "io.certhub.api.Caller";

    /** @return the actor name kept in order histories: {@code account:<id>} or {@code operator} */
    public String actor() {
        return operator ? "operator" : "account:" + accountId;
    }
}
