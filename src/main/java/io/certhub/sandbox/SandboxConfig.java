package io.certhub.sandbox;

import io.certhub.config.HubProperties;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Beans of the sandbox vendor that are not components of their own; made only when
 * {@code hub.sandbox.enabled=true} (the embedded default; shared/CONTRACT.md "Sandbox").
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "hub.sandbox.enabled", havingValue = "true")
public class SandboxConfig {

    /** Folder of the sandbox CA under {@code hub.data-dir}: {@value}. */
    public static final String CA_DIR = "sandbox-ca";

    /**
     * The sandbox vendor's throw-away CA, kept under {@code <hub.data-dir>/sandbox-ca} so its
     * root survives restarts (its {@code root.crt} is the trust anchor of sandbox certificates).
     *
     * @param props hub configuration ({@code hub.data-dir})
     * @param clock the hub's clock (validity periods)
     * @return the CA, loaded or made on first use
     * @throws IllegalStateException if the CA folder holds broken files (see {@link SandboxCa#loadOrCreate})
     */
    @Bean
    public SandboxCa sandboxCa(HubProperties props, Clock clock) {
        return SandboxCa.loadOrCreate(caDir(props), clock);
    }

    /**
     * @param props hub configuration
     * @return {@code <hub.data-dir>/sandbox-ca}
     */
    public static Path caDir(HubProperties props) {
        return props.getDataDir().resolve(CA_DIR);
    }
}
