package io.certhub.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Which addresses the hub may connect to on a customer's or reseller's behalf: the one
 * server-side request forgery guard (OWASP "Server Side Request Forgery Prevention Cheat Sheet") of
 * webhook deliveries ({@code io.certhub.webhook.WebhookAddresses}) and of the ACME http-01 check
 * ({@code io.certhub.issuer.acme.HttpTokenCheck}). Without it a URL or domain name pointing at
 * {@code 127.0.0.1}, {@code 10.0.0.5} or {@code 169.254.169.254} (cloud metadata) would have the hub
 * send requests into its own network.
 *
 * <p>Not public: the special-purpose blocks of the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890) that are not globally reachable — unspecified, "this network" 0/8, loopback
 * 127/8 and ::1, link-local 169.254/16 and fe80::/10, private 10/8, 172.16/12, 192.168/16 (RFC 1918)
 * and site-local fec0::/10, shared 100.64/10 (RFC 6598), unique local fc00::/7 (RFC 4193), IETF
 * protocol assignments 192.0.0/24, documentation 192.0.2/24, 198.51.100/24, 203.0.113/24 and
 * 2001:db8::/32, benchmarking 198.18/15, reserved 240/4 (broadcast included), discard-only 100::/64,
 * ORCHID 2001:10::/28 — every multicast address, and IPv4-mapped (::ffff:0:0/96) and NAT64
 * (64:ff9b::/96) addresses judged by the IPv4 address they carry.
 */
public final class PublicAddresses {

    /** A special-purpose block: prefix, length in bits, and the reason given for an address in it. */
    private record Block(byte[] prefix, int bits, String reason) {
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
        block("100.64.0.0", 10, "shared address space (100.64.0.0/10)"),
        block("fc00::", 7, "unique local (fc00::/7)"),
        block("0.0.0.0", 8, "this network (0.0.0.0/8)"),
        block("192.0.0.0", 24, "IETF protocol assignments (192.0.0.0/24)"),
        block("192.0.2.0", 24, "documentation (192.0.2.0/24)"),
        block("198.51.100.0", 24, "documentation (198.51.100.0/24)"),
        block("203.0.113.0", 24, "documentation (203.0.113.0/24)"),
        block("198.18.0.0", 15, "benchmarking (198.18.0.0/15)"),
        block("240.0.0.0", 4, "reserved (240.0.0.0/4)"),
        block("100::", 64, "discard-only (100::/64)"),
        block("2001:10::", 28, "ORCHID (2001:10::/28)"),
        block("2001:db8::", 32, "documentation (2001:db8::/32)"));

    private static final Block IPV4_MAPPED = block("::ffff:0:0", 96, "IPv4-mapped");
    private static final Block NAT64 = block("64:ff9b::", 96, "NAT64");

    private PublicAddresses() {
    }

    private static Block block(String literal, int bits, String reason) {
        try {
            byte[] b = InetAddress.getByName(literal).getAddress();     // a literal: no DNS query
            if (literal.contains(":") && b.length == 4) {                // Java folds ::ffff:a.b.c.d to IPv4
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(b, 0, v6, 12, 4);
                b = v6;
            }
            return new Block(b, bits, reason);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /**
     * @param address an address a name resolved to, or a literal
     * @return why it is not public (e.g. {@code "loopback"}, {@code "private"},
     *         {@code "documentation (192.0.2.0/24)"}), or null when it is globally reachable
     */
    public static String notPublic(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && (IPV4_MAPPED.contains(b) || NAT64.contains(b))) {
            try {
                return notPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
            } catch (UnknownHostException impossible) {
                return "unreadable";
            }
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        for (Block block : NOT_PUBLIC) {
            if (block.contains(b)) {
                return block.reason();
            }
        }
        return null;
    }

    /**
     * @param address an address
     * @return whether it is globally reachable ({@link #notPublic} is null)
     */
    public static boolean isPublic(InetAddress address) {
        return notPublic(address) == null;
    }
}
