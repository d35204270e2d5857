package io.certhub.issuer.acme;

import io.certhub.pki.Certificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** An SSL context trusting exactly the roots in PEM files (an ACME CA of a private PKI, a TLS-inspecting proxy). */
final class TrustRoots {

    private TrustRoots() {
    }

    /**
     * @param property the setting the paths come from, named in errors
     * @param paths    PEM file paths, comma-separated
     * @return a TLS context trusting only their certificates (host names still checked)
     * @throws IllegalStateException naming {@code property} when a file cannot be read or holds no certificate
     */
    static SSLContext sslContext(String property, String paths) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int n = 0;
            for (String p : paths.split(",")) {
                if (p.isBlank()) {
                    continue;
                }
                List<X509Certificate> certs = Certificates.parsePem(Files.readString(Path.of(p.trim())));
                if (certs.isEmpty()) {
                    throw new IllegalStateException(property + ": " + p.trim() + " holds no PEM certificate");
                }
                for (X509Certificate c : certs) {
                    trust.setCertificateEntry("root-" + n++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new IllegalStateException(property + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(property + ": " + e.getMessage(), e);
        }
    }
}
