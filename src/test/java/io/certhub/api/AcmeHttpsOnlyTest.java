package io.certhub.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.acme.AcmeServerProperties;
import io.certhub.acme.AcmeThrottle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** {@code hub.acme.require-https} (the production profile's): the ACME front door answers https requests only. */
class AcmeHttpsOnlyTest {

    static MockHttpServletResponse get(boolean requireHttps, boolean secure) throws Exception {
        ApiGuardFilter filter = new ApiGuardFilter(null, null, null, new ApiProperties(),
            new AcmeThrottle(new AcmeServerProperties("", 20, 100, requireHttps, "", 80, false, 100, 500, 8, 3, java.time.Duration.ofSeconds(2)), new SimpleMeterRegistry()));
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/acme/directory");
        req.setServletPath("/acme/directory");
        req.setSecure(secure);
        MockHttpServletResponse res = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(req, res, chain);
        if (chain.getRequest() != null) {
            res.setStatus(299);                               // passed on to the ACME server
        }
        return res;
    }

    @Test
    void plainHttpIsRefusedWhenHttpsIsRequired() throws Exception {
        MockHttpServletResponse refused = get(true, false);
        assertThat(refused.getStatus()).isEqualTo(403);
        assertThat(refused.getContentType()).isEqualTo("application/problem+json");
        assertThat(refused.getContentAsString()).contains("urn:ietf:params:acme:error:unauthorized").contains("https only");
        assertThat(get(true, true).getStatus()).isEqualTo(299);
        assertThat(get(false, false).getStatus()).isEqualTo(299);
    }
}
