package io.certhub.sandbox;

import io.certhub.api.ApiKeyService;
import io.certhub.config.HubProperties;
import io.certhub.ledger.LedgerService;
import io.certhub.ledger.Money;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Creates the sandbox accounts and keys of shared/CONTRACT.md ({@code demo}/{@code demo-key}
 * 1000.00 USD, {@code other}/{@code other-key} 100.00 USD) and makes the configured operator key
 * ({@code hub.operator-key}) the only valid one at start-up ({@link ApiKeyService#replaceOperatorKey}:
 * earlier operator keys are revoked in the same transaction); keys are stored hashed. With the
 * sandbox off, the sandbox's default keys left in the database by an earlier sandbox start are
 * revoked (issue 16 item 2). Existing accounts are left as they are (balances survive restarts).
 * Runs before the HTTP port opens.
 */
@Component
public class SandboxAccounts implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxAccounts.class);

    private final HubProperties props;
    private final LedgerService ledger;
    private final ApiKeyService keys;

    /**
     * @param props  hub configuration
     * @param ledger the ledger
     * @param keys   API keys
     */
    public SandboxAccounts(HubProperties props, LedgerService ledger, ApiKeyService keys) {
        this.props = props;
        this.ledger = ledger;
        this.keys = keys;
    }

    @Override
    public void afterPropertiesSet() {
        if (props.getOperatorKey() != null && !props.getOperatorKey().isBlank()) {
            keys.replaceOperatorKey(props.getOperatorKey());
        }
        if (!props.getSandbox().isEnabled()) {
            keys.revokeSandboxDefaults(props.getOperatorKey());
            return;
        }
        for (HubProperties.SandboxAccount a : props.getSandbox().getAccounts()) {
            if (ledger.createAccountIfAbsent(a.getId(), a.getCurrency(), Money.parse(a.getOpeningBalance(), a.getCurrency()))) {
                LOG.info("sandbox account {} created with {} {}", a.getId(), a.getOpeningBalance(), a.getCurrency());
            }
            keys.addIfAbsent(a.getApiKey(), a.getId());
        }
    }
}
