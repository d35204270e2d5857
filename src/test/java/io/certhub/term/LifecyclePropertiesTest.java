package io.certhub.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * {@code hub.lifecycle.*} bound and validated as the hub binds it at start-up: the BR defaults of
 * ballot SC-081v3, a replaced list and a product's own list with ISO dates, and the refusals that
 * stop start-up naming the property.
 */
class LifecyclePropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(LifecycleProperties.class)
    static class Config { }

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void theDefaultsAreTheBaselineRequirementsTable() {
        runner.run(ctx -> {
            LifecycleProperties p = ctx.getBean(LifecycleProperties.class);
            assertThat(p.getValidityCaps()).extracting(c -> c.getFrom() + "=" + c.getMaxDays())
                .containsExactly("2026-03-15=200", "2027-03-15=100", "2029-03-15=47");
            assertThat(p.getRenewalDaysBefore()).isEqualTo(30);
            assertThat(p.getProductCaps()).isEmpty();
        });
    }

    @Test
    void aListAndAProductsOwnListBindWithIsoDates() {
        runner.withPropertyValues("hub.lifecycle.validity-caps[0].from=2026-02-24", "hub.lifecycle.validity-caps[0].max-days=199",
                "hub.lifecycle.product-caps.quickssl_premium[0].from=2026-03-12", "hub.lifecycle.product-caps.quickssl_premium[0].max-days=200",
                "hub.lifecycle.renewal-days-before=14")
            .run(ctx -> {
                assertThat(ctx).hasNotFailed();
                LifecycleProperties p = ctx.getBean(LifecycleProperties.class);
                assertThat(p.getValidityCaps()).hasSize(1);
                assertThat(p.getValidityCaps().get(0).getFrom()).isEqualTo(LocalDate.of(2026, 2, 24));
                ValidityCaps caps = new ValidityCaps(p);
                assertThat(caps.maxDays("rapidssl", Instant.parse("2030-01-01T00:00:00Z"))).hasValue(199);
                assertThat(caps.maxDays("quickssl_premium", Instant.parse("2026-03-12T00:00:00Z"))).hasValue(200);
                assertThat(caps.maxDays("quickssl_premium", Instant.parse("2026-03-11T23:59:59Z"))).isEmpty();
            });
    }

    @Test
    void aBadCapOrRenewalDayStopsStartUpNamingTheProperty() {
        runner.withPropertyValues("hub.lifecycle.validity-caps[0].from=2026-03-15", "hub.lifecycle.validity-caps[0].max-days=0")
            .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("validityCaps[0].maxDays"));
        runner.withPropertyValues("hub.lifecycle.validity-caps[0].max-days=100")
            .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("validityCaps[0].from"));
        runner.withPropertyValues("hub.lifecycle.validity-caps[0].from=2026-03-15", "hub.lifecycle.validity-caps[0].max-days=200",
                "hub.lifecycle.validity-caps[1].from=2026-03-15", "hub.lifecycle.validity-caps[1].max-days=100")
            .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("same 'from' date"));
        runner.withPropertyValues("hub.lifecycle.renewal-days-before=0")
            .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("renewalDaysBefore"));
        runner.withPropertyValues("hub.lifecycle.validity-caps[0].from=15.03.2026", "hub.lifecycle.validity-caps[0].max-days=200")
            .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("hub.lifecycle.validity-caps[0].from"));
    }
}
