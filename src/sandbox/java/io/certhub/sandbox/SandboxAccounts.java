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
 * 1000.00 USD, {@code other}/{@code other-key} 100.00 USD); keys are stored hashed. Existing
 * accounts are left as they are (balances survive restarts). Runs before the HTTP port opens.
 * Made only with the sandbox on; the operator key, and the revocation of sandbox keys when the
 * sandbox is off, are {@link io.certhub.api.OperatorKeyStartup}'s.
 */
@Component("sandboxAccounts")
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
        for (HubProperties.SandboxAccount a : props.getSandbox().getAccounts()) {
            if (ledger.createAccountIfAbsent(a.getId(), a.getCurrency(), Money.parse(a.getOpeningBalance(), a.getCurrency()))) {
                LOG.info("sandbox account {} created with {} {}", a.getId(), a.getOpeningBalance(), a.getCurrency());
            }
            keys.addIfAbsent(a.getApiKey(), a.getId());
        }
    }
}
