package io.certhub.issuer.acme;

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
 * Whether a TXT record holds a value, asked of a DNS server through the JDK's JNDI DNS provider
 * ({@code com.sun.jndi.dns}): the hub's check that a customer published the dns-01 record before
 * it asks the ACME CA to validate (RFC 8555 §8.4). The server is {@code hub.vendor.acme.dns-resolver}
 * ({@code host:port}), or the system's resolver when empty. A name without the record, a server
 * that does not answer, or a timeout all mean "not yet": the next poll asks again.
 */
final class TxtLookup {

    private static final Logger LOG = LoggerFactory.getLogger(TxtLookup.class);

    private final String server;

    /** @param server {@code host:port} of the DNS server, or empty for the system's */
    TxtLookup(String server) {
        this.server = server == null ? "" : server.trim();
    }

    /**
     * @param name  the record's name, e.g. {@code _acme-challenge.shop.example.com}
     * @param value the value wanted
     * @return whether one of the name's TXT records is {@code value} (quotes around a value ignored)
     */
    boolean has(String name, String value) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, server.isEmpty() ? "dns:" : "dns://" + server);
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        DirContext ctx = null;
        try {
            ctx = new InitialDirContext(env);
            Attributes attrs = ctx.getAttributes(name, new String[] {"TXT"});
            Attribute txt = attrs.get("TXT");
            if (txt == null) {
                return false;
            }
            NamingEnumeration<?> all = txt.getAll();
            while (all.hasMore()) {
                String v = String.valueOf(all.next()).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                if (v.equals(value)) {
                    return true;
                }
            }
            return false;
        } catch (NamingException e) {
            LOG.debug("TXT {}: not found ({})", name, e.toString());
            return false;
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
