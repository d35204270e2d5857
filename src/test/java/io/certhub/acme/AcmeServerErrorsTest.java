package io.certhub.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.order.ProductCatalog;
import java.time.Clock;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ACME server's shared error handler ({@code acme-errors}): every failure answers an RFC 8555
 * problem document with a fresh nonce, never the REST API's own problem type.
 */
class AcmeServerErrorsTest {

    final AcmeNonces nonces = mock(AcmeNonces.class);
    final AcmeServer server;

    AcmeServerErrorsTest() {
        when(nonces.issue()).thenReturn("fresh-nonce");
        ProductCatalog catalog = mock(ProductCatalog.class);
        when(catalog.all()).thenReturn(List.of());
        server = new AcmeServer(nonces, mock(JdbcTemplate.class), mock(TransactionTemplate.class), Clock.systemUTC(),
            new AcmeServerProperties("https://hub.example.com", 20, 100, false, "", 80, false, 100, 500, 8, 3, java.time.Duration.ofSeconds(2)), catalog);
    }

    JsonNode fail(Throwable t, Exchange ex) throws Exception {
        ex.setProperty(Exchange.EXCEPTION_CAUGHT, t);
        server.failed(ex);
        assertThat(ex.getMessage().getHeader("Replay-Nonce")).isEqualTo("fresh-nonce");
        assertThat(ex.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo("application/problem+json");
        return new ObjectMapper().readTree(ex.getMessage().getBody(String.class));
    }

    @Test
    void anUnexpectedFailureIsServerInternalAndAnAcmeProblemKeepsItsTypeAndRetryAfter() throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        Exchange ex = new DefaultExchange(camel);
        JsonNode doc = fail(new IllegalStateException("boom"), ex);
        assertThat(doc.get("type").asText()).isEqualTo("urn:ietf:params:acme:error:serverInternal");
        assertThat(doc.get("detail").asText()).doesNotContain("boom");
        assertThat(ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);

        Exchange limited = new DefaultExchange(camel);
        doc = fail(new AcmeProblem(429, "rateLimited", "slow down").retryAfter(42), limited);
        assertThat(doc.get("type").asText()).isEqualTo("urn:ietf:params:acme:error:rateLimited");
        assertThat(limited.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(429);
        assertThat(limited.getMessage().getHeader("Retry-After")).isEqualTo("42");

        Exchange raced = new DefaultExchange(camel);
        doc = fail(new org.springframework.dao.DuplicateKeyException("dup"), raced);
        assertThat(raced.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(409);
        assertThat(doc.get("type").asText()).isEqualTo("urn:ietf:params:acme:error:malformed");
    }
}
