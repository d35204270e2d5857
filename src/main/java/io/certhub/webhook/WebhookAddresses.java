package io.certhub.webhook;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which webhook destinations are not on the public internet (server-side request forgery guard,
 * OWASP "Server Side Request Forgery Prevention Cheat Sheet"): with
 * {@code hub.webhooks.allow-private-addresses=false} (the {@code production} profile's setting) a
 * webhook URL whose host is, or resolves to, such an address is refused at registration
 * ({@code WEBHOOK_URL_NOT_PUBLIC}) and a delivery to it is not sent (the name is resolved again
 * before every try, so a name re-pointed later is caught too).
 *
 * <p>Not public: the unspecified address ({@code 0.0.0.0}, {@code ::}), loopback
 * ({@code 127.0.0.0/8}, {@code ::1}), link-local ({@code 169.254.0.0/16} — cloud metadata services —
 * and {@code fe80::/10}), private ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16}, RFC 1918),
 * shared address space ({@code 100.64.0.0/10}, RFC 6598), unique local IPv6 ({@code fc00::/7}, RFC
 * 4193), multicast, and IPv4-mapped IPv6 addresses of any of these.
 */
public final class WebhookAddresses {

    private WebhookAddresses() {
    }

    /**
     * @param a an address
     * @return why it is not public (e.g. {@code "loopback"}), or null when it is public
     */
    public static String notPublic(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return notPublic(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException impossible) {
                    return "unreadable";
                }
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return "unique local (fc00::/7)";
            }
        } else {
            byte[] b = a.getAddress();
            if ((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) {
                return "shared address space (100.64.0.0/10)";
            }
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        return null;
    }

    /**
     * Resolves a host (a name or an address literal, IPv6 in brackets or not) and checks every
     * address it has.
     *
     * @param host the URL's host
     * @return why it is not public ({@code "127.0.0.1 is loopback"}), or null when every address is
     *         public or the name does not resolve now (a delivery to it then fails and is logged)
     */
    public static String notPublicHost(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
        for (InetAddress a : all) {
            String why = notPublic(a);
            if (why != null) {
                return a.getHostAddress() + " is " + why;
            }
        }
        return null;
    }
}
