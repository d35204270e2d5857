package io.certhub.webhook;

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
 * <p>Not public: as {@link io.certhub.net.PublicAddresses} says (the hub's one rule, RFC 6890
 * special-purpose blocks: loopback, RFC 1918, link-local — cloud metadata services —, shared,
 * unique local, documentation, benchmarking, reserved, multicast, and IPv4-mapped or NAT64 addresses
 * of any of these).
 */
public final class WebhookAddresses {

    private WebhookAddresses() {
    }

    /**
     * @param a an address
     * @return why it is not public (e.g. {@code "loopback"}), or null when it is public
     */
    public static String notPublic(InetAddress a) {
        return io.certhub.net.PublicAddresses.notPublic(a);
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
