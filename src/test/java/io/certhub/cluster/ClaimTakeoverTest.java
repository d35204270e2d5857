package io.certhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.delivery.DeliveryQueue;
import io.certhub.issuer.VendorQueue;
import io.certhub.ledger.LedgerService;
import io.certhub.ledger.Money;
import io.certhub.support.TestPostgres;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Claims follow the instance's death (issue 16 item 10), on H2 and on a real PostgreSQL server
 * (skipped without one): two instances on one database; the first claims an order's vendor step
 * and a delivery for the usual leases (2 minutes); while it beats, the second cannot take them;
 * once its heartbeat is older than hub.cluster.claim-takeover (15 s), the second takes both at
 * once, long before the leases end. A graceful stop frees them at once.
 */
class ClaimTakeoverTest {

    /** A clock the test moves (both instances read it, as instances with synchronised clocks). */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-12-07T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final List<HubInstance> instances = new ArrayList<>();
    final MovableClock clock = new MovableClock();

    @AfterEach
    void stop() {
        instances.forEach(HubInstance::stop);
    }

    JdbcTemplate database(String kind) {
        DataSource ds = kind.equals("postgresql")
            ? new DriverManagerDataSource(TestPostgres.newDatabase("claim_takeover"), TestPostgres.USER, "")
            : new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/common").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        new LedgerService(jdbc, clock).createAccountIfAbsent("acme", "USD", Money.parse("100.00", "USD"));
        jdbc.update("insert into orders(id, account_id, client_reference, content_hash, product_type, state, domain, period, server_type,"
            + " dcv_method, csr, csr_key_sha256, contacts, price_minor, currency, created_at, updated_at, vendor_step) values"
            + " ('o1', 'acme', 'r1', 'h', 'comodo_ssl', 'IN_PROGRESS', 'a.example.com', 1, 'nginx', 'email', 'csr', 'k',"
            + " '{\"admin\":{\"email\":\"admin@example.com\"}}', 2900, 'USD', ?, ?, 'QUEUED')",
            Timestamp.from(clock.instant()), Timestamp.from(clock.instant()));
        return jdbc;
    }

    /**
     * An instance that beats only when the test calls {@code beat()} (its heartbeat thread is not
     * started: on the moved clock it would make a "killed" instance look alive again).
     */
    HubInstance instance(JdbcTemplate jdbc, String name) {
        HubInstance i = new HubInstance(jdbc, clock, name, Duration.ofSeconds(1), Duration.ofSeconds(15));
        i.beat();
        instances.add(i);
        return i;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDeadInstancesClaimsAreTakenWhenItsHeartbeatIsOlderThanTheTakeoverNotWhenTheLeaseEnds(String kind) {
        JdbcTemplate jdbc = database(kind);
        HubInstance first = instance(jdbc, "hub-1");
        HubInstance second = instance(jdbc, "hub-2");
        VendorQueue firstOrders = new VendorQueue(jdbc, clock, first);
        VendorQueue secondOrders = new VendorQueue(jdbc, clock, second);
        DeliveryQueue firstDeliveries = new DeliveryQueue(jdbc, clock, new ObjectMapper(), first);
        DeliveryQueue secondDeliveries = new DeliveryQueue(jdbc, clock, new ObjectMapper(), second);
        long delivery = firstDeliveries.queue("o1");

        assertThat(firstOrders.claim("o1", Duration.ofMinutes(2))).isTrue();
        assertThat(firstDeliveries.claim(delivery, Duration.ofMinutes(2))).isTrue();
        assertThat(jdbc.queryForObject("select vendor_claimed_by from orders where id = 'o1'", String.class)).isEqualTo(first.id());
        assertThat(jdbc.queryForObject("select claimed_by from delivery where id = ?", String.class, delivery)).isEqualTo(first.id());

        // 10 s later, the first still beating: its claims hold
        clock.now = clock.now.plusSeconds(10);
        first.beat();
        second.beat();
        assertThat(secondOrders.due(List.of(VendorQueue.Step.QUEUED), 10)).isEmpty();
        assertThat(secondOrders.claim("o1", Duration.ofMinutes(2))).isFalse();
        assertThat(secondDeliveries.due(10)).isEmpty();
        assertThat(secondDeliveries.claim(delivery, Duration.ofMinutes(2))).isFalse();

        // the first is killed (no more beats); 14 s later it is not dead yet, 16 s later it is
        clock.now = clock.now.plusSeconds(14);
        second.beat();
        assertThat(secondOrders.claim("o1", Duration.ofMinutes(2))).isFalse();
        clock.now = clock.now.plusSeconds(2);
        second.beat();
        assertThat(secondOrders.due(List.of(VendorQueue.Step.QUEUED), 10)).containsExactly("o1");
        assertThat(secondDeliveries.due(10)).containsExactly(delivery);
        assertThat(secondOrders.claim("o1", Duration.ofMinutes(2))).isTrue();
        assertThat(secondDeliveries.claim(delivery, Duration.ofMinutes(2))).isTrue();
        // 26 s after the claims, well inside their 2-minute leases
        assertThat(jdbc.queryForObject("select vendor_claimed_by from orders where id = 'o1'", String.class)).isEqualTo(second.id());
        assertThat(jdbc.queryForObject("select claimed_by from delivery where id = ?", String.class, delivery)).isEqualTo(second.id());
        // the second's own claims hold against a third
        HubInstance third = instance(jdbc, "hub-3");
        assertThat(new VendorQueue(jdbc, clock, third).claim("o1", Duration.ofMinutes(2))).isFalse();

        // a graceful stop removes the instance: what it still holds is free at once
        second.stop();
        assertThat(new VendorQueue(jdbc, clock, third).claim("o1", Duration.ofMinutes(2))).isTrue();
        assertThat(new DeliveryQueue(jdbc, clock, new ObjectMapper(), third).claim(delivery, Duration.ofMinutes(2))).isTrue();
        assertThat(jdbc.queryForObject("select count(*) from hub_instance", Integer.class)).isEqualTo(2);   // hub-1 (dead, kept a day) and hub-3
    }
}
