package io.certhub.api;

import io.certhub.config.HubProperties;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * At start-up, before the HTTP port opens: makes the configured operator key
 * ({@code hub.operator-key}) the only valid one ({@link ApiKeyService#replaceOperatorKey}: earlier
 * operator keys are revoked in the same transaction; stored hashed) and, with the sandbox off
 * ({@code hub.sandbox.enabled=false}, production), revokes the sandbox's default keys an earlier
 * sandbox start left in the database ({@link ApiKeyService#revokeSandboxDefaults}; issue 16 item 2).
 * A bean of its own, outside {@code io.certhub.sandbox}, so production loads no sandbox class
 * (issue 12 §2); the sandbox's accounts are made by {@code io.certhub.sandbox.SandboxAccounts}.
 */
@Component
public class OperatorKeyStartup implements InitializingBean {

    private final HubProperties props;
    private final ApiKeyService keys;

    /**
     * @param props hub configuration ({@code hub.operator-key}, {@code hub.sandbox.enabled})
     * @param keys  API keys
     */
    public OperatorKeyStartup(HubProperties props, ApiKeyService keys) {
        this.props = props;
        this.keys = keys;
    }

    @Override
    public void afterPropertiesSet() {
        if (props.getOperatorKey() != null && !props.getOperatorKey().isBlank()) {
            keys.replaceOperatorKey(props.getOperatorKey());
        }
        if (!props.getSandbox().isEnabled()) {
            keys.revokeSandboxDefaults(props.getOperatorKey());
        }
    }
}
