package io.certhub.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookAddressesTest {

    @ParameterizedTest
    @CsvSource(nullValues = "PUBLIC", value = {
        "127.0.0.1, loopback",
        "127.9.9.9, loopback",
        "::1, loopback",
        "10.1.2.3, private",
        "172.16.0.1, private",
        "172.31.255.255, private",
        "172.32.0.1, PUBLIC",
        "192.168.1.1, private",
        "169.254.169.254, link-local",
        "fe80::1, link-local",
        "100.64.0.1, shared address space (100.64.0.0/10)",
        "100.127.255.255, shared address space (100.64.0.0/10)",
        "100.128.0.1, PUBLIC",
        "0.0.0.0, unspecified",
        "::, unspecified",
        "fd00::1, unique local (fc00::/7)",
        "fc12:3456::1, unique local (fc00::/7)",
        "::ffff:10.0.0.1, private",
        "224.0.0.1, multicast",
        "ff02::1, multicast",
        "93.184.215.14, PUBLIC",
        "2606:4700::1111, PUBLIC",
        "8.8.8.8, PUBLIC",
    })
    void classifiesAddressLiterals(String literal, String expected) throws Exception {
        assertThat(WebhookAddresses.notPublic(InetAddress.getByName(literal))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 127.0.0.1 is loopback",
        "[::1], 0:0:0:0:0:0:0:1 is loopback",
        "169.254.169.254, 169.254.169.254 is link-local",
        "localhost, 127.0.0.1 is loopback",
    })
    void aHostIsNotPublicWhenOneOfItsAddressesIsNot(String host, String expected) {
        if (host.equals("localhost")) {
            // /etc/hosts may list ::1 first
            assertThat(WebhookAddresses.notPublicHost(host)).matches("(127\\.0\\.0\\.1|0:0:0:0:0:0:0:1) is loopback");
        } else {
            assertThat(WebhookAddresses.notPublicHost(host)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @CsvSource({"93.184.215.14", "[2606:4700::1111]", "no-such-host.invalid"})
    void publicAndUnresolvableHostsPass(String host) {
        assertThat(WebhookAddresses.notPublicHost(host)).isNull();
    }
}
