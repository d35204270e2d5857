package io.certhub.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.cluster.HubInstance;
import io.certhub.ledger.LedgerService;
import io.certhub.ledger.Money;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The vendor tracking columns on their own: a fresh H2 database migrated by Flyway, no Spring context. */
class VendorQueueTest {

    final Clock clock = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);
    JdbcTemplate jdbc;
    VendorQueue queue;
    HubInstance instance;

    @BeforeEach
    void setUp() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/common").load().migrate();
        jdbc = new JdbcTemplate(ds);
        instance = new HubInstance(jdbc, clock, "test", Duration.ofSeconds(1), Duration.ofSeconds(15));
        instance.start();
        queue = new VendorQueue(jdbc, clock, instance);
        new LedgerService(jdbc, clock).createAccountIfAbsent("acme", "USD", Money.parse("100.00", "USD"));
        jdbc.update("insert into orders(id, account_id, client_reference, content_hash, product_type, state, domain, period, server_type,"
            + " dcv_method, csr, csr_key_sha256, contacts, price_minor, currency, created_at, updated_at, vendor_step) values"
            + " ('o1', 'acme', 'r1', 'h', 'comodo_ssl', 'IN_PROGRESS', 'a.example.com', 1, 'nginx', 'email', 'csr', 'k', '{}', 2900, 'USD',"
            + " now(), now(), 'SUBMITTING')");
    }

    @AfterEach
    void stopHeartbeat() {
        instance.stop();
    }

    @Test
    void theSubmissionsAnswerMovesSubmittingToSubmittedAndGivesTheClaimBack() {
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isTrue();
        assertThat(queue.submitted("o1", Duration.ofSeconds(10), true)).isTrue();
        assertThat(queue.step("o1")).isEqualTo(VendorQueue.Step.SUBMITTED);
        assertThat(jdbc.queryForObject("select vendor_claimed_until from orders where id = 'o1'", java.sql.Timestamp.class)).isNull();
        assertThat(jdbc.queryForObject("select vendor_next_at from orders where id = 'o1'", java.sql.Timestamp.class).toInstant())
            .isEqualTo(Instant.parse("2026-11-29T12:00:10Z"));
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isTrue();      // free again
    }

    @Test
    void aCancelClaimsOnlyAnOrderStillWaitingForItsFirstPlacement() {
        // o1 is at step SUBMITTING: a worker placed it, so a cancel must go to the vendor instead
        assertThat(queue.claimWhileQueued("o1", Duration.ofMinutes(1))).isFalse();
        jdbc.update("update orders set vendor_step = 'QUEUED' where id = 'o1'");
        assertThat(queue.claimWhileQueued("o1", Duration.ofMinutes(1))).isTrue();
        assertThat(jdbc.queryForObject("select vendor_claimed_by from orders where id = 'o1'", String.class)).isEqualTo(instance.id());
        jdbc.update("update orders set vendor_claimed_until = null, vendor_claimed_by = null, vendor_order_id = '7000001' where id = 'o1'");
        assertThat(queue.claimWhileQueued("o1", Duration.ofMinutes(1))).isFalse();          // placed meanwhile
        jdbc.update("update orders set vendor_order_id = null, state = 'DECLINED' where id = 'o1'");
        assertThat(queue.claimWhileQueued("o1", Duration.ofMinutes(1))).isFalse();          // refused by the vendor meanwhile
        assertThat(jdbc.queryForObject("select vendor_claimed_by from orders where id = 'o1'", String.class)).isNull();
    }

    @Test
    void keepingTheClaimLeavesItForTheCaller() {
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isTrue();
        assertThat(queue.submitted("o1", null, false)).isTrue();
        assertThat(jdbc.queryForObject("select vendor_next_at from orders where id = 'o1'", java.sql.Timestamp.class)).isNull();
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isFalse();     // still held
    }

    @Test
    void anUnchangedPollIsCountedRescheduledAndItsClaimGivenBackInOneUpdate() {
        assertThat(queue.submitted("o1", null, false)).isTrue();
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isTrue();
        queue.later("o1", Duration.ofSeconds(20), true, true);
        assertThat(queue.attempts("o1")).isEqualTo(1);
        assertThat(queue.retry("o1")).hasValueSatisfying(r -> assertThat(r).containsEntry("nextAttemptAt", "2026-11-29T12:00:20Z"));
        assertThat(jdbc.queryForMap("select vendor_claimed_until, vendor_claimed_by from orders where id = 'o1'"))
            .containsEntry("vendor_claimed_until", null).containsEntry("vendor_claimed_by", null);
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isTrue();      // free again
        queue.later("o1", Duration.ofSeconds(40), true, false);
        assertThat(queue.attempts("o1")).isEqualTo(2);
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isFalse();     // kept by the caller
    }

    @Test
    void aNewVendorStatusMovesTheStepResetsTheAttemptsAndGivesTheClaimBack() {
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isTrue();
        queue.later("o1", Duration.ofSeconds(20), true, false);
        queue.schedule("o1", VendorQueue.Step.SUBMITTED, Duration.ofSeconds(10), true);
        assertThat(queue.step("o1")).isEqualTo(VendorQueue.Step.SUBMITTED);
        assertThat(queue.attempts("o1")).isZero();
        assertThat(queue.retry("o1")).hasValueSatisfying(r -> assertThat(r).containsEntry("nextAttemptAt", "2026-11-29T12:00:10Z"));
        assertThat(queue.claim("o1", Duration.ofMinutes(2))).isTrue();
    }

    @Test
    void takingAnOrderSaysWhoseStaleClaimItReplaced() {
        assertThat(queue.take("o1", Duration.ofMinutes(2))).isEqualTo(new VendorQueue.Claim(null));     // free
        assertThat(queue.take("o1", Duration.ofMinutes(2))).isNull();                                   // held
        queue.release("o1");
        jdbc.update("update orders set vendor_claimed_until = ?, vendor_claimed_by = 'gone' where id = 'o1'",
            java.sql.Timestamp.from(Instant.parse("2026-11-29T11:59:00Z")));                           // ran out
        assertThat(queue.take("o1", Duration.ofMinutes(2))).isEqualTo(new VendorQueue.Claim("gone"));
        assertThat(queue.take("nope", Duration.ofMinutes(2))).isNull();
    }

    @Test
    void aCancellationRequestedDuringTheSubmissionKeepsItsStep() {
        queue.setStep("o1", VendorQueue.Step.CANCEL_REQUESTED);
        assertThat(queue.submitted("o1", Duration.ofSeconds(10), true)).isFalse();
        assertThat(queue.step("o1")).isEqualTo(VendorQueue.Step.CANCEL_REQUESTED);
    }
}
