package io.certhub.config;

import io.certhub.pki.Certificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.camel.Component;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * The roots a TLS client of the hub trusts for one kind of server (the mail servers,
 * {@code hub.mail.trusted-roots}; the vendor, {@code hub.vendor.opensrs.trusted-roots}), read
 * from PEM files, for servers whose certificates a private CA issued. Certificate checking
 * stays fully on: the server's chain must build to one of these roots (PKIX, RFC 5280) and its
 * host name must match (RFC 6125; {@code mail.*.ssl.checkserveridentity}, camel-http's default
 * host name verifier). When such a setting is given only its roots are trusted for that kind of
 * server (the JVM's default CAs are then not); when it is empty the JVM's default trust store
 * is used.
 */
public final class TlsTrust {

    private TlsTrust() {
    }

    /**
     * Reads the roots and makes Camel's TLS parameters trusting exactly them.
     *
     * @param property the property the paths come from (named in errors), e.g. {@code hub.mail.trusted-roots}
     * @param paths    PEM file paths, comma-separated (blank: none)
     * @return the TLS parameters (trust managers only; no client key), or {@code null} when
     *         {@code paths} is blank (the JVM default applies)
     * @throws IllegalStateException naming the property and the file when a file cannot be read
     *                               or holds no certificate (start-up stops: a trust setting is
     *                               never silently dropped)
     */
    public static SSLContextParameters fromPemFiles(String property, String paths) {
        List<X509Certificate> roots = readRoots(property, paths);
        if (roots.isEmpty()) {
            return null;
        }
        try {
            KeyStore store = trustStore(roots);
            KeyStoreParameters ksp = new KeyStoreParameters();
            ksp.setKeyStore(store);
            TrustManagersParameters tmp = new TrustManagersParameters();
            tmp.setKeyStore(ksp);
            SSLContextParameters scp = new SSLContextParameters();
            scp.setTrustManagers(tmp);
            return scp;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(property + ": cannot make a trust store of " + paths + ": " + e.getMessage(), e);
        }
    }

    /**
     * A plain JDK TLS context trusting exactly the roots in PEM files, for an HTTP client outside
     * Camel's components (the ACME adapter's acme4j client). Same reading and errors as
     * {@link #fromPemFiles}.
     *
     * @param property the setting the paths come from, named in errors, e.g. {@code hub.vendor.acme.trusted-roots}
     * @param paths    PEM file paths, comma-separated
     * @return the context (PKIX, host names still checked by the client), or null when {@code paths} is empty
     * @throws IllegalStateException naming {@code property} when a file cannot be read or holds no certificate
     */
    public static javax.net.ssl.SSLContext sslContext(String property, String paths) {
        List<X509Certificate> roots = readRoots(property, paths);
        if (roots.isEmpty()) {
            return null;
        }
        try {
            KeyStore store = trustStore(roots);
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(property + ": cannot make a trust store of " + paths + ": " + e.getMessage(), e);
        }
    }

    /**
     * A Camel component customizer that applies TLS parameters to every component of a type
     * (e.g. both {@code http} and {@code https} of camel-http), and is disabled when there are none.
     *
     * @param type  the component class
     * @param tls   the parameters from {@link #fromPemFiles}, or {@code null}
     * @param apply sets {@code tls} on a component
     * @param <T>   the component type
     * @return the customizer (Camel applies it when it makes the component)
     */
    public static <T extends Component> ComponentCustomizer customizer(Class<T> type, SSLContextParameters tls, Consumer<T> apply) {
        return new ComponentCustomizer() {
            @Override
            public boolean isEnabled(String name, Component target) {
                return tls != null && type.isInstance(target);
            }

            @Override
            public void configure(String name, Component target) {
                apply.accept(type.cast(target));
            }
        };
    }

    /** @return a PKCS#12 store holding {@code roots} as trusted certificates */
    private static KeyStore trustStore(List<X509Certificate> roots) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < roots.size(); i++) {
            store.setCertificateEntry("root-" + i, roots.get(i));
        }
        return store;
    }

    /**
     * @param property the property the paths come from (named in errors)
     * @param paths    PEM file paths, comma-separated (blank: none)
     * @return every certificate of every file, in order (empty when {@code paths} is blank)
     * @throws IllegalStateException naming the property and the file when a file cannot be read
     *                               or holds no certificate
     */
    static List<X509Certificate> readRoots(String property, String paths) {
        List<X509Certificate> roots = new ArrayList<>();
        if (paths == null) {
            return roots;
        }
        for (String p : Arrays.stream(paths.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            List<X509Certificate> found;
            try {
                found = Certificates.parseAny(Files.readAllBytes(Path.of(p)));
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(property + ": the trusted-roots file " + p + " cannot be read: " + e.getMessage(), e);
            }
            if (found.isEmpty()) {
                throw new IllegalStateException(property + ": the trusted-roots file " + p + " holds no certificate");
            }
            roots.addAll(found);
        }
        return roots;
    }
}
