package io.certhub.config;

import io.certhub.csr.CsrParser;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Makes the (thread-safe, caching) {@link CsrParser} a shared bean. */
@Configuration(proxyBeanMethods = false)
public class CsrConfig {

    /** @return the hub's CSR parser */
    @Bean
    public CsrParser csrParser() {
        return new CsrParser();
    }
}
