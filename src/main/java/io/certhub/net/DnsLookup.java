package io.certhub.net;

import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS answers a customer's domain control is checked against, asked through the JDK's JNDI DNS
 * provider ({@code com.sun.jndi.dns}): TXT records for dns-01 (RFC 8555 §8.4) and the addresses
 * the http-01 check connects to (§8.3). Used by the ACME vendor adapter before it asks the CA to
 * validate ({@code hub.vendor.acme.dns-resolver}) and by the hub's own ACME server when it validates
 * a customer's challenge ({@code hub.acme.dns-resolver}): a server as {@code host:port}, or the
 * system's resolver when empty. A name without the record, a server
 * that does not answer, or a timeout all mean "not yet": the next poll asks again.
 */
public final class DnsLookup {

    private static final Logger LOG = LoggerFactory.getLogger(DnsLookup.class);

    private final String server;

    /** @param server {@code host:port} of the DNS server, or empty for the system's */
    public DnsLookup(String server) {
        this.server = server == null ? "" : server.trim();
    }

    /** @return whether a DNS server of its own is configured (else the system's resolver is used for addresses) */
    public boolean ownServer() {
        return !server.isEmpty();
    }

    /**
     * @param name a host name
     * @return its A records as addresses, empty when it has none or the server does not answer
     */
    public java.util.List<java.net.InetAddress> addresses(String name) {
        java.util.List<java.net.InetAddress> out = new java.util.ArrayList<>();
        for (String a : values(name, "A")) {
            try {
                out.add(java.net.InetAddress.getByAddress(name, java.net.InetAddress.getByName(a).getAddress()));
            } catch (java.net.UnknownHostException e) {
                LOG.debug("A {}: unusable value {}", name, a);
            }
        }
        return out;
    }

    /**
     * @param name  the record's name, e.g. {@code _acme-challenge.shop.example.com}
     * @param value the value wanted
     * @return whether one of the name's TXT records is {@code value} (quotes around a value ignored)
     */
    public boolean has(String name, String value) {
        for (String raw : values(name, "TXT")) {
            String v = raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"") ? raw.substring(1, raw.length() - 1) : raw;
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private java.util.List<String> values(String name, String type) {
        java.util.List<String> out = new java.util.ArrayList<>();
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, server.isEmpty() ? "dns:" : "dns://" + server);
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        DirContext ctx = null;
        try {
            ctx = new InitialDirContext(env);
            Attributes attrs = ctx.getAttributes(name, new String[] {type});
            Attribute values = attrs.get(type);
            if (values != null) {
                NamingEnumeration<?> all = values.getAll();
                while (all.hasMore()) {
                    out.add(String.valueOf(all.next()).trim());
                }
            }
            return out;
        } catch (NamingException e) {
            LOG.debug("{} {}: not found ({})", type, name, e.toString());
            return out;
        } finally {
            if (ctx != null) {
                try {
                    ctx.close();
                } catch (NamingException ignored) {
                    // closing a DNS context frees nothing that matters
                }
            }
        }
    }
}
