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

/**
 * REST handlers of the account API (routes/ledger/account-rest-api.camel.yaml):
 * {@code GET /account} → {@code {id, currency, balance, held, available}} (decimal strings),
 * {@code GET /account/ledger} → a page of journal rows, newest first, and
 * {@code POST /accounts/{id}/deposits} {@code {amount, currency, reference}} (operator key).
 */
@Component("accountApi")
public class AccountApi {

    private final ApiSupport api;
    private final LedgerService ledger;

    /**
     * @param api    shared REST support
     * @param ledger the ledger
     */
    public AccountApi(ApiSupport api, LedgerService ledger) {
        this.api = api;
        this.ledger = ledger;
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
            m.put("at", e.at().toString());
            return m;
        }).toList();
        api.respond(ex, api.ok(200, OrderViews.page(items, page, size, ledger.journalCount(caller.accountId()))));
    }

    /** {@code POST /accounts/{id}/deposits} (operator): 201 with the account after the deposit. @param ex exchange */
    public void deposit(Exchange ex) {
        Caller caller = api.operator(ex);
        String accountId = ex.getMessage().getHeader("id", String.class);
        byte[] body = api.body(ex);
        api.respond(ex, api.idempotent(ex, caller, body, () -> {
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
                throw new HubProblem(422, "FIELD_INVALID", "amount", "amount: " + e.getMessage());
            }
            if (money.minor() <= 0) {
                throw new HubProblem(422, "FIELD_INVALID", "amount", "amount must be positive");
            }
            return api.ok(201, view(ledger.deposit(accountId, money, node.path("reference").asText("deposit by operator"))));
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
