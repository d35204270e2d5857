package io.certhub.issuer.acme;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Which addresses the hub may connect to on a customer's behalf (the http-01 check fetches a URL
 * at a name the customer controls: without this, a name resolving to {@code 127.0.0.1},
 * {@code 10.0.0.5} or {@code 169.254.169.254} would have the hub send requests into its own
 * network).
 *
 * <p>Not public: the special-purpose blocks of the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890) that are not globally reachable — "this network" 0/8, private 10/8,
 * 172.16/12, 192.168/16 (RFC 1918), shared 100.64/10 (RFC 6598), loopback 127/8, link-local
 * 169.254/16, IETF protocol 192.0.0/24, documentation 192.0.2/24, 198.51.100/24, 203.0.113/24,
 * benchmarking 198.18/15, reserved 240/4 and broadcast; IPv6 unspecified and loopback, IPv4-mapped
 * and NAT64 (checked by the IPv4 address they carry), discard 100::/64, documentation 2001:db8::/32,
 * ORCHID 2001:10::/28, unique local fc00::/7, link-local fe80::/10, site-local fec0::/10 — and every
 * multicast address.
 */
final class PublicAddresses {

    private record Block(byte[] prefix, int bits) {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((address[i / 8] & mask) != (prefix[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Block> NOT_PUBLIC = List.of(
        block("0.0.0.0", 8), block("10.0.0.0", 8), block("100.64.0.0", 10), block("127.0.0.0", 8),
        block("169.254.0.0", 16), block("172.16.0.0", 12), block("192.0.0.0", 24), block("192.0.2.0", 24),
        block("192.168.0.0", 16), block("198.18.0.0", 15), block("198.51.100.0", 24), block("203.0.113.0", 24),
        block("240.0.0.0", 4),
        block("::", 127), block("100::", 64), block("2001:10::", 28), block("2001:db8::", 32),
        block("fc00::", 7), block("fe80::", 10), block("fec0::", 10));

    private static final Block IPV4_MAPPED = block("::ffff:0:0", 96);
    private static final Block NAT64 = block("64:ff9b::", 96);

    private PublicAddresses() {
    }

    private static Block block(String literal, int bits) {
        try {
            byte[] b = InetAddress.getByName(literal).getAddress();     // a literal: no DNS query
            if (literal.contains(":") && b.length == 4) {                // Java folds ::ffff:a.b.c.d to IPv4
                b = toIpv6Mapped(b);
            }
            return new Block(b, bits);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static byte[] toIpv6Mapped(byte[] v4) {
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        return v6;
    }

    /**
     * @param address an address a name resolved to
     * @return whether it is globally reachable, i.e. the hub may connect to it for a customer
     */
    static boolean isPublic(InetAddress address) {
        if (address.isMulticastAddress() || address.isAnyLocalAddress() || address.isLoopbackAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && (IPV4_MAPPED.contains(b) || NAT64.contains(b))) {
            byte[] v4 = java.util.Arrays.copyOfRange(b, 12, 16);
            try {
                return isPublic(InetAddress.getByAddress(v4));
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        if (address instanceof Inet4Address && (b[0] & 0xff) == 255 && (b[3] & 0xff) == 255 && (b[1] & b[2] & 0xff) == 255) {
            return false;                                                // 255.255.255.255 (inside 240/4 anyway)
        }
        for (Block block : NOT_PUBLIC) {
            if (block.contains(b)) {
                return false;
            }
        }
        return true;
    }
}
