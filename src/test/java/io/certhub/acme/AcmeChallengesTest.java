package io.certhub.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.certhub.cluster.HubInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link AcmeChallenges} on a fresh H2 database migrated by Flyway: a claim takes at most the
 * configured batch, one validator at a time (another instance gets nothing while a claim runs),
 * a claim left by a validator that stopped is taken over when it runs out, and a challenge that is
 * not served is tried the configured number of times, then makes its authorization and order
 * invalid. The check itself connects to port 1 on loopback (refused at once).
 */
class AcmeChallengesTest {

    Instant now = Instant.parse("2026-12-08T12:00:00Z");
    final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    JdbcTemplate jdbc;
    TransactionTemplate tx;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/common").load().migrate();
        jdbc = new JdbcTemplate(ds);
        tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        Timestamp t = Timestamp.from(now);
        jdbc.update("insert into account(id, currency, created_at) values ('demo', 'USD', ?)", t);
        jdbc.update("insert into acme_eab_key(kid, account_id, customer, products, hmac_key, expires_at, created_at, created_by)"
            + " values ('kid_1', 'demo', 'Shop', 'quickssl_premium', 'k', ?, ?, 'test')", Timestamp.from(now.plus(Duration.ofDays(1))), t);
        jdbc.update("insert into acme_client_account(id, thumbprint, jwk, account_id, eab_kid, customer, status, created_at)"
            + " values ('acct-1', 'thumb', '{}', 'demo', 'kid_1', 'Shop', 'valid', ?)", t);
        jdbc.update("insert into acme_server_order(id, client_account_id, account_id, product_type, identifiers, status, expires_at, created_at,"
            + " updated_at) values ('order-1', 'acct-1', 'demo', 'quickssl_premium', 'localhost', 'pending', ?, ?, ?)",
            Timestamp.from(now.plus(Duration.ofDays(7))), t, t);
        for (int i = 0; i < 5; i++) {
            jdbc.update("insert into acme_server_authz(id, acme_order_id, identifier, wildcard, status, token, expires_at)"
                + " values (?, 'order-1', 'localhost', false, 'pending', ?, ?)", "authz-" + i, "token" + i, Timestamp.from(now.plus(Duration.ofDays(7))));
        }
    }

    AcmeChallenges validator(String name, int threads) {
        HubInstance instance = mock(HubInstance.class);
        when(instance.id()).thenReturn(name);
        return new AcmeChallenges(jdbc, tx, clock, instance, meters, new AcmeServerProperties("", 20, 100, false, "", 1, true, 100, 500, threads, 2,
            Duration.ofSeconds(2)));
    }

    @Test
    void aClaimTakesAtMostTheBatchAndOneValidatorAtATimeUntilItRunsOut() {
        AcmeChallenges a = validator("hub-a", 2);
        AcmeChallenges b = validator("hub-b", 8);
        assertThat(a.claim()).as("nothing requested yet").isEmpty();
        for (int i = 0; i < 5; i++) {
            assertThat(a.request("authz-" + i, "http-01")).isTrue();
        }
        assertThat(a.request("authz-0", "dns-01")).as("the first request decides the challenge").isFalse();
        assertThat(jdbc.queryForObject("select challenge_type from acme_server_authz where id = 'authz-0'", String.class)).isEqualTo("http-01");

        assertThat(a.claim()).containsExactly("authz-0", "authz-1");
        // one ACME account takes at most two places of a batch
        assertThat(b.claim()).containsExactly("authz-2", "authz-3");
        assertThat(b.claim()).containsExactly("authz-4");
        assertThat(a.claim()).as("all claimed").isEmpty();
        // hub-a stopped: its claims run out and another validator takes them over
        now = now.plus(AcmeChallenges.CLAIM).plusSeconds(1);
        assertThat(b.claim()).containsExactly("authz-0", "authz-1");
        a.validate("authz-0");                                   // no longer hub-a's: nothing happens
        assertThat(jdbc.queryForObject("select validation_attempts from acme_server_authz where id = 'authz-0'", Integer.class)).isZero();
    }

    @Test
    void aChallengeNotServedIsTriedAgainAfterTheDelayThenMakesTheAuthorizationAndTheOrderInvalid() {
        AcmeChallenges a = validator("hub-a", 8);
        a.request("authz-0", "http-01");
        assertThat(a.claim()).containsExactly("authz-0");
        a.validate("authz-0");
        assertThat(jdbc.queryForMap("select status, validation_attempts, validation_claimed_by from acme_server_authz where id = 'authz-0'"))
            .containsEntry("status", "pending").containsEntry("validation_attempts", 1).containsEntry("validation_claimed_by", null);
        assertThat(a.claim()).as("not before the retry delay").isEmpty();
        now = now.plusSeconds(3);
        assertThat(a.claim()).containsExactly("authz-0");
        a.validate("authz-0");
        assertThat(jdbc.queryForMap("select status, error_type, validation_attempts from acme_server_authz where id = 'authz-0'"))
            .containsEntry("status", "invalid").containsEntry("error_type", "incorrectResponse").containsEntry("validation_attempts", 2);
        assertThat(jdbc.queryForObject("select error_detail from acme_server_authz where id = 'authz-0'", String.class))
            .contains("http://localhost/.well-known/acme-challenge/token0", "2 tries");
        assertThat(jdbc.queryForList("select status from acme_server_order where id = 'order-1'", String.class)).isEqualTo(List.of("invalid"));
        assertThat(meters.counter("certhub.acme.validations", "type", "http-01", "outcome", "retry").count()).isEqualTo(1.0);
        assertThat(meters.counter("certhub.acme.validations", "type", "http-01", "outcome", "invalid").count()).isEqualTo(1.0);
        now = now.plusSeconds(60);
        assertThat(a.claim()).as("decided: never claimed again").isEmpty();
    }

    @Test
    void anotherCustomersChallengeIsNotHeldBackByOneCustomersMany() {
        Timestamp t = Timestamp.from(now);
        jdbc.update("insert into acme_client_account(id, thumbprint, jwk, account_id, eab_kid, customer, status, created_at)"
            + " values ('acct-2', 'thumb2', '{}', 'demo', 'kid_1', 'Other', 'valid', ?)", t);
        jdbc.update("insert into acme_server_order(id, client_account_id, account_id, product_type, identifiers, status, expires_at, created_at,"
            + " updated_at) values ('order-2', 'acct-2', 'demo', 'quickssl_premium', 'localhost', 'pending', ?, ?, ?)",
            Timestamp.from(now.plus(Duration.ofDays(7))), t, t);
        jdbc.update("insert into acme_server_authz(id, acme_order_id, identifier, wildcard, status, token, expires_at)"
            + " values ('authz-other', 'order-2', 'localhost', false, 'pending', 'tokenx', ?)", Timestamp.from(now.plus(Duration.ofDays(7))));
        AcmeChallenges a = validator("hub-a", 4);
        for (int i = 0; i < 5; i++) {
            a.request("authz-" + i, "dns-01");
        }
        now = now.plusSeconds(1);
        a.request("authz-other", "http-01");                    // asked last
        assertThat(a.claim()).containsExactly("authz-0", "authz-1", "authz-other");
    }
}
