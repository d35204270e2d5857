package io.certhub.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.ledger.LedgerService;
import io.certhub.ledger.Money;
import io.certhub.problem.HubProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * REST handlers of the account API (routes/ledger/account-rest-api.camel.yaml):
 * {@code GET /account} → {@code {id, currency, balance, held, available}} (decimal strings),
 * {@code GET /account/ledger} → a page of journal rows, newest first, and
 * {@code POST /accounts/{id}/deposits} {@code {amount, currency, reference}} (operator key),
 * {@code POST /accounts} {@code {id, currency, openingBalance}} (operator key) and
 * {@code POST /accounts/{id}/api-keys}, {@code GET /accounts/{id}/api-keys},
 * {@code DELETE /accounts/{id}/api-keys/{keyId}}, {@code GET /operator-keys} and
 * {@code DELETE /operator-keys/{keyId}} (operator key).
 */
@Component("accountApi")
public class AccountApi {

    /**
     * Account ids: lower-case letters, digits and hyphens, 1–64 characters, starting with a letter
     * or digit. The id is also the account's inbox folder ({@code inbox/<id>/}), so it must be a
     * safe folder name on every file system.
     */
    static final java.util.regex.Pattern ACCOUNT_ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private final ApiSupport api;
    private final LedgerService ledger;
    private final ApiKeyService keys;
    private final TransactionTemplate tx;

    /**
     * @param api    shared REST support
     * @param ledger the ledger
     * @param keys   API keys (new accounts get one)
     * @param tx     transaction template of the hub database (an account and its first key commit together)
     */
    public AccountApi(ApiSupport api, LedgerService ledger, ApiKeyService keys, TransactionTemplate tx) {
        this.api = api;
        this.ledger = ledger;
        this.keys = keys;
        this.tx = tx;
    }

    /**
     * {@code POST /accounts} (operator), body {@code {id, currency, openingBalance}}: creates a
     * reseller account and its first API key in one transaction. 201 with
     * {@code {id, currency, balance, held, available, apiKey}} — the only time the key is shown
     * (only its SHA-256 is stored; {@code POST /accounts/{id}/api-keys} issues another). An
     * {@code openingBalance} (decimal string in the account currency, optional) is journaled as a
     * DEPOSIT. There is no Idempotency-Key replay here, so that the plain key is never stored: a
     * retry of a create that succeeded answers 409 {@code ACCOUNT_EXISTS}.
     *
     * @param ex exchange
     * @throws HubProblem 401/403; 400 not JSON; 422 {@code FIELD_REQUIRED} / {@code FIELD_INVALID}
     *                    naming {@code id}, {@code currency} (ISO 4217) or {@code openingBalance};
     *                    409 {@code ACCOUNT_EXISTS}
     */
    public void create(Exchange ex) {
        api.operator(ex);
        JsonNode node = api.parse(api.body(ex));
        if (!node.isObject()) {
            throw new HubProblem(400, "MALFORMED_REQUEST", null, "the body must be a JSON object {id, currency, openingBalance}");
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!java.util.Set.of("id", "currency", "openingBalance").contains(f)) {
                throw new HubProblem(422, "FIELD_UNKNOWN", f, "unknown field " + f + "; known: id, currency, openingBalance");
            }
        });
        String id = text(node, "id");
        String currency = text(node, "currency");
        if (id == null) {
            throw new HubProblem(422, "FIELD_REQUIRED", "id", "id is required: the account id, e.g. \"acme\"");
        }
        if (!ACCOUNT_ID.matcher(id).matches()) {
            throw new HubProblem(422, "FIELD_INVALID", "id", "id must be 1-64 lower-case letters, digits or hyphens, starting with a"
                + " letter or digit (it is also the account's inbox folder name)");
        }
        if (currency == null) {
            throw new HubProblem(422, "FIELD_REQUIRED", "currency", "currency is required, an ISO 4217 code such as \"USD\"");
        }
        try {
            if (!java.util.Currency.getInstance(currency).getCurrencyCode().equals(currency)) {
                throw new IllegalArgumentException(currency);
            }
        } catch (IllegalArgumentException e) {
            throw new HubProblem(422, "FIELD_INVALID", "currency", "currency must be an ISO 4217 code such as \"USD\", not " + currency);
        }
        Money opening = new Money(0, currency);
        String openingText = text(node, "openingBalance");
        if (openingText != null) {
            try {
                opening = Money.parse(openingText, currency);
            } catch (IllegalArgumentException e) {
                throw new HubProblem(422, "FIELD_INVALID", "openingBalance", "openingBalance: " + e.getMessage());
            }
            if (opening.minor() < 0) {
                throw new HubProblem(422, "FIELD_INVALID", "openingBalance", "openingBalance must not be negative");
            }
        }
        Money balance = opening;
        Map<String, Object> created;
        try {
            created = tx.execute(s -> {
                if (!ledger.createAccountIfAbsent(id, currency, balance)) {
                    throw accountExists(id);
                }
                Map<String, Object> view = view(ledger.account(id));
                view.put("apiKey", keys.issue(id));
                return view;
            });
        } catch (org.springframework.dao.DuplicateKeyException raced) {
            throw accountExists(id);
        }
        api.respond(ex, api.ok(201, created));
    }

    /**
     * {@code POST /accounts/{id}/api-keys} (operator): issues another key for the account (a lost
     * key, a rotation; keys issued before stay valid). 201 {@code {accountId, apiKey}}, shown once.
     *
     * @param ex exchange
     * @throws HubProblem 401/403; 404 {@code ACCOUNT_NOT_FOUND}
     */
    public void issueKey(Exchange ex) {
        api.operator(ex);
        String accountId = ex.getMessage().getHeader("id", String.class);
        if (accountId == null || !ledger.exists(accountId)) {
            throw new HubProblem(404, "ACCOUNT_NOT_FOUND", null, "no account " + accountId);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accountId", accountId);
        m.put("apiKey", keys.issue(accountId));
        api.respond(ex, api.ok(201, m));
    }

    /**
     * {@code GET /accounts/{id}/api-keys} (operator): 200 {@code {accountId, items: [{id, prefix,
     * role, created, revokedAt}]}}, oldest first; the keys themselves are never shown (only their
     * hash is stored). Issue 16 item 2.
     *
     * @param ex exchange
     * @throws HubProblem 401/403; 404 {@code ACCOUNT_NOT_FOUND}
     */
    public void listKeys(Exchange ex) {
        api.operator(ex);
        String accountId = existingAccount(ex);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accountId", accountId);
        m.put("items", keys.list(accountId));
        api.respond(ex, api.ok(200, m));
    }

    /**
     * {@code DELETE /accounts/{id}/api-keys/{keyId}} (operator): revokes one key of the account;
     * 204, and the key answers 401 from the next request on. Revoking a revoked key again is 204
     * too (its first revocation time stays).
     *
     * @param ex exchange
     * @throws HubProblem 401/403; 404 {@code ACCOUNT_NOT_FOUND}, 404 {@code API_KEY_NOT_FOUND} (field {@code keyId})
     */
    public void revokeKey(Exchange ex) {
        api.operator(ex);
        String accountId = existingAccount(ex);
        String keyId = ex.getMessage().getHeader("keyId", String.class);
        if (!keys.revoke(accountId, keyId)) {
            throw new HubProblem(404, "API_KEY_NOT_FOUND", "keyId", "account " + accountId + " has no API key " + keyId);
        }
        noContent(ex);
    }

    /**
     * {@code GET /operator-keys} (operator): 200 {@code {items: [{id, prefix, role, created,
     * revokedAt}]}}, oldest first. The configured {@code hub.operator-key} is the valid one; the
     * others were revoked at the start-up that replaced them.
     *
     * @param ex exchange
     * @throws HubProblem 401/403
     */
    public void listOperatorKeys(Exchange ex) {
        api.operator(ex);
        api.respond(ex, api.ok(200, Map.of("items", keys.list(null))));
    }

    /**
     * {@code DELETE /operator-keys/{keyId}} (operator): revokes an operator key at once (204). The
     * configured {@code hub.operator-key} is made valid again at the next start-up: to retire it
     * for good, change {@code HUB_OPERATOR_KEY} and restart.
     *
     * @param ex exchange
     * @throws HubProblem 401/403; 404 {@code API_KEY_NOT_FOUND} (field {@code keyId})
     */
    public void revokeOperatorKey(Exchange ex) {
        api.operator(ex);
        String keyId = ex.getMessage().getHeader("keyId", String.class);
        if (!keys.revoke(null, keyId)) {
            throw new HubProblem(404, "API_KEY_NOT_FOUND", "keyId", "there is no operator key " + keyId);
        }
        noContent(ex);
    }

    private String existingAccount(Exchange ex) {
        String accountId = ex.getMessage().getHeader("id", String.class);
        if (accountId == null || !ledger.exists(accountId)) {
            throw new HubProblem(404, "ACCOUNT_NOT_FOUND", null, "no account " + accountId);
        }
        return accountId;
    }

    private static void noContent(Exchange ex) {
        var m = ex.getMessage();
        m.removeHeaders("*", "CamelHttp*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        m.setBody(null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new HubProblem(422, "FIELD_INVALID", field, field + " must be a string");
        }
        return v.asText().isBlank() ? null : v.asText().trim();
    }

    private static HubProblem accountExists(String id) {
        return new HubProblem(409, "ACCOUNT_EXISTS", "id", "account " + id + " already exists");
    }

    /** {@code GET /account}. @param ex exchange */
    public void account(Exchange ex) {
        Caller caller = api.reseller(ex);
        api.respond(ex, api.ok(200, view(ledger.account(caller.accountId()))));
    }

    /** {@code GET /account/ledger?page=&size=}: {@code {items: [{id, type, amount, currency, orderId, reference, at}], page, size, totalElements}}. @param ex exchange */
    public void journal(Exchange ex) {
        Caller caller = api.reseller(ex);
        int page = OrderApi.intParam(ex.getMessage().getHeader("page", String.class), 0, 0, Integer.MAX_VALUE / 500, "page");
        int size = OrderApi.intParam(ex.getMessage().getHeader("size", String.class), 50, 1, 500, "size");
        List<Map<String, Object>> items = ledger.journal(caller.accountId(), page, size).stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("type", e.type().name());
            m.put("amount", e.amount().decimal());
            m.put("currency", e.amount().currency());
            m.put("orderId", e.orderId());
            m.put("reference", e.reference());
            m.put("at", OrderViews.instant(e.at()));
            return m;
        }).toList();
        api.respond(ex, api.ok(200, OrderViews.page(items, page, size, ledger.journalCount(caller.accountId()))));
    }

    /** {@code POST /accounts/{id}/deposits} (operator): 201 with the account after the deposit. @param ex exchange */
    public void deposit(Exchange ex) {
        Caller caller = api.operator(ex);
        String accountId = ex.getMessage().getHeader("id", String.class);
        byte[] body = api.body(ex);
        // atomic: the deposit and its stored answer commit together (issue 16 item 6)
        api.respond(ex, api.idempotentAtomic(ex, caller, body, () -> {
            if (!ledger.exists(accountId)) {
                throw new HubProblem(404, "ACCOUNT_NOT_FOUND", null, "no account " + accountId);
            }
            JsonNode node = api.parse(body);
            LedgerService.AccountView account = ledger.account(accountId);
            String amount = node.path("amount").asText(null);
            String currency = node.path("currency").asText(account.currency());
            if (amount == null || amount.isBlank()) {
                throw new HubProblem(422, "FIELD_REQUIRED", "amount", "amount is required, a decimal string such as \"100.00\"");
            }
            if (!currency.equals(account.currency())) {
                throw new HubProblem(422, "CURRENCY_MISMATCH", "currency", "account " + accountId + " is kept in " + account.currency());
            }
            Money money;
            try {
                money = Money.parse(amount, currency);
            } catch (IllegalArgumentException e) {
                throw new HubProblem(422, e.getMessage().contains("larger than") ? "AMOUNT_TOO_LARGE" : "FIELD_INVALID", "amount",
                    "amount: " + e.getMessage());
            }
            if (money.minor() <= 0) {
                throw new HubProblem(422, "FIELD_INVALID", "amount", "amount must be positive");
            }
            List<HubProblem.FieldError> errors = new java.util.ArrayList<>();
            String reference = node.path("reference").asText("deposit by operator");
            if (!io.certhub.order.FieldRules.singleLine(reference, "reference", 256, errors)) {
                throw HubProblem.unprocessable(errors);
            }
            try {
                return api.ok(201, view(ledger.deposit(accountId, money, reference)));
            } catch (IllegalArgumentException e) {
                throw new HubProblem(422, "AMOUNT_TOO_LARGE", "amount", e.getMessage());
            }
        }));
    }

    static Map<String, Object> view(LedgerService.AccountView a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("currency", a.currency());
        m.put("balance", Money.decimal(a.balance(), a.currency()));
        m.put("held", Money.decimal(a.held(), a.currency()));
        m.put("available", Money.decimal(a.available(), a.currency()));
        return m;
    }
}
