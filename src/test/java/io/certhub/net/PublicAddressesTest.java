package io.certhub.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The addresses the hub may connect to for a customer or reseller (RFC 6890 special-purpose blocks are not), and why not. */
class PublicAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.0", "172.15.255.255",
        "172.32.0.0", "192.0.1.1", "192.169.0.1", "198.17.255.255", "198.20.0.0", "223.255.255.255",
        "2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2001:dc8::1"})
    void publicAddresses(String literal) throws Exception {
        assertThat(PublicAddresses.isPublic(InetAddress.getByName(literal))).as(literal).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "0.1.2.3", "10.0.0.5", "10.255.255.255", "100.64.0.1", "100.127.255.254",
        "127.0.0.1", "127.53.0.9", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.10",
        "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.200", "224.0.0.1", "240.0.0.1",
        "255.255.255.255",
        "::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "64:ff9b::a00:1", "64:ff9b::7f00:1", "100::1",
        "2001:10::1", "2001:db8::1", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1"})
    void addressesTheHubMustNotBePointedAt(String literal) throws Exception {
        assertThat(PublicAddresses.isPublic(InetAddress.getByName(literal))).as(literal).isFalse();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "0.1.2.3, this network (0.0.0.0/8)",
        "192.0.2.10, documentation (192.0.2.0/24)",
        "2001:db8::1, documentation (2001:db8::/32)",
        "198.19.255.255, benchmarking (198.18.0.0/15)",
        "255.255.255.255, reserved (240.0.0.0/4)",
        "64:ff9b::a00:1, private",
        "::ffff:169.254.169.254, link-local",
        "100::1, discard-only (100::/64)",
    })
    void theReasonNamesTheBlock(String literal, String reason) throws Exception {
        assertThat(PublicAddresses.notPublic(InetAddress.getByName(literal))).isEqualTo(reason);
    }
}
