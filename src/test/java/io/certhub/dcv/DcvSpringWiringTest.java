package io.certhub.dcv;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The beans and the {@code hub.dcv.*} binding, in a small Spring context (no web server). */
class DcvSpringWiringTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(DcvProperties.class)
    @Import({ConstructedApprovers.class, RdapClient.class, WhoisClient.class, ApproverDiscovery.class})
    static class Beans {
        @Bean
        Clock clock() {
            return Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Vendor {
        @Bean
        VendorApproverSource vendorApproverSource() {
            return (domain, product) -> List.of(new ApproverCandidate("ssl@" + domain, "vendor", true, product));
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Beans.class);

    @Test
    void defaults() {
        runner.run(ctx -> {
            DcvProperties p = ctx.getBean(DcvProperties.class);
            assertThat(p.isLookupsEnabled()).isFalse();
            assertThat(p.getWhoisServer()).isEqualTo("whois.iana.org");
            assertThat(p.getWhoisPort()).isEqualTo(43);
            assertThat(p.getMaxReferrals()).isEqualTo(3);
            assertThat(p.getTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.getCacheTtl()).isEqualTo(Duration.ofHours(1));
            assertThat(p.getConstructedSunset()).isEqualTo(LocalDate.of(2028, 3, 15));
            assertThat(p.getRdapBootstrap().exists()).isTrue();
            assertThat(p.getSandboxOwners()).isEmpty();
            assertThat(ctx.getBean(RdapClient.class).serves("example.com")).isTrue();
        });
    }

    @Test
    void bindsTheProperties() {
        runner.withPropertyValues(
                        "hub.dcv.lookups-enabled=true",
                        "hub.dcv.whois-server=whois.example.net",
                        "hub.dcv.whois-port=4343",
                        "hub.dcv.max-referrals=5",
                        "hub.dcv.timeout=2s",
                        "hub.dcv.cache-ttl=10m",
                        "hub.dcv.constructed-sunset=2027-01-01",
                        "hub.dcv.rdap-bootstrap=classpath:dcv/rdap-dns.json",
                        "hub.dcv.sandbox-owners.example.com=owner@example.com",
                        "hub.dcv.sandbox-owners[shop.example.org]=shop@example.org")
                .run(ctx -> {
                    DcvProperties p = ctx.getBean(DcvProperties.class);
                    assertThat(p.isLookupsEnabled()).isTrue();
                    assertThat(p.getWhoisServer()).isEqualTo("whois.example.net");
                    assertThat(p.getWhoisPort()).isEqualTo(4343);
                    assertThat(p.getMaxReferrals()).isEqualTo(5);
                    assertThat(p.getTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(p.getCacheTtl()).isEqualTo(Duration.ofMinutes(10));
                    assertThat(p.getConstructedSunset()).isEqualTo(LocalDate.of(2027, 1, 1));
                    assertThat(p.getSandboxOwners()).containsEntry("example.com", "owner@example.com")
                            .containsEntry("shop.example.org", "shop@example.org");
                });
    }

    @Test
    void discoveryInTheSandboxUsesTheConfiguredOwnerAndTheVendorBean() {
        runner.withUserConfiguration(Vendor.class)
                .withPropertyValues("hub.dcv.sandbox-owners.example.com=owner@example.com")
                .run(ctx -> {
                    List<ApproverCandidate> list = ctx.getBean(ApproverDiscovery.class)
                            .discover("www.example.com", "quickssl_premium");
                    assertThat(list).hasSize(12);
                    assertThat(list.get(10)).isEqualTo(new ApproverCandidate("owner@example.com", "whois", false,
                            list.get(10).note()));
                    assertThat(list.get(11)).isEqualTo(
                            new ApproverCandidate("ssl@www.example.com", "vendor", true, "quickssl_premium"));
                });
    }
}
