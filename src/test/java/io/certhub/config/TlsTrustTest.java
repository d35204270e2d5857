package io.certhub.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.support.TestTlsCa;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsTrust}: a client made from {@code *.trusted-roots} completes a TLS handshake (host
 * name checked, RFC 6125) with a server whose certificate its root issued, and refuses one that
 * another private CA issued; a blank setting means the JVM default; an unreadable file stops
 * start-up naming the setting; the customizer touches only its component type.
 */
class TlsTrustTest {

    @TempDir
    Path dir;

    @Test
    void trustsExactlyTheGivenRoots() throws Exception {
        TestTlsCa serverCa = TestTlsCa.create(Files.createDirectories(dir.resolve("a")));
        TestTlsCa otherCa = TestTlsCa.create(Files.createDirectories(dir.resolve("b")));
        SSLContextParameters trusting = TlsTrust.fromPemFiles("test.roots", " " + serverCa.rootPem() + " ");
        SSLContextParameters other = TlsTrust.fromPemFiles("test.roots", otherCa.rootPem().toString());

        try (SSLServerSocket server = server(serverCa)) {
            CompletableFuture.runAsync(() -> acceptTwice(server));
            assertThat(handshake(trusting, server.getLocalPort())).isEqualTo("TLSv1.3");
            assertThatThrownBy(() -> handshake(other, server.getLocalPort())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void severalFilesAreAllTrusted() throws Exception {
        TestTlsCa a = TestTlsCa.create(Files.createDirectories(dir.resolve("a")));
        TestTlsCa b = TestTlsCa.create(Files.createDirectories(dir.resolve("b")));
        assertThat(TlsTrust.readRoots("test.roots", a.rootPem() + "," + b.rootPem()))
            .containsExactly(a.root(), b.root());
    }

    @Test
    void aBlankSettingMeansTheJvmDefault() {
        assertThat(TlsTrust.fromPemFiles("test.roots", "")).isNull();
        assertThat(TlsTrust.fromPemFiles("test.roots", " , ")).isNull();
        assertThat(TlsTrust.fromPemFiles("test.roots", null)).isNull();
        ComponentCustomizer none = TlsTrust.customizer(MailComponent.class, null, c -> { });
        assertThat(none.isEnabled("imaps", new MailComponent())).isFalse();
    }

    @Test
    void anUnreadableOrEmptyFileStopsStartUpNamingTheSetting() throws Exception {
        String property = "hub.mail.trusted-roots (HUB_MAIL_TRUSTED_ROOTS)";
        assertThatThrownBy(() -> TlsTrust.fromPemFiles(property, dir.resolve("missing.pem").toString()))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("HUB_MAIL_TRUSTED_ROOTS").hasMessageContaining("missing.pem");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        assertThatThrownBy(() -> TlsTrust.fromPemFiles(property, empty.toString()))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("HUB_MAIL_TRUSTED_ROOTS").hasMessageContaining("holds no certificate");
    }

    @Test
    void theCustomizerSetsTheParametersOnItsComponentTypeOnly() throws Exception {
        TestTlsCa ca = TestTlsCa.create(dir);
        SSLContextParameters tls = TlsTrust.fromPemFiles("test.roots", ca.rootPem().toString());
        io.certhub.delivery.MailProperties props = new io.certhub.delivery.MailProperties();
        props.setTrustedRoots(ca.rootPem().toString());
        ComponentCustomizer mail = new MailConfig().mailTrust(props);
        DefaultCamelContext camel = new DefaultCamelContext();
        MailComponent imaps = new MailComponent(camel);
        assertThat(mail.isEnabled("imaps", imaps)).isTrue();
        assertThat(mail.isEnabled("https", new HttpComponent())).isFalse();
        mail.configure("imaps", imaps);
        assertThat(imaps.getConfiguration().getSslContextParameters()).isNotNull();

        ComponentCustomizer vendor = new VendorTlsConfig().vendorTrust(ca.rootPem().toString());
        HttpComponent https = new HttpComponent();
        assertThat(vendor.isEnabled("https", https)).isTrue();
        assertThat(vendor.isEnabled("smtps", new MailComponent())).isFalse();
        vendor.configure("https", https);
        assertThat(https.getSslContextParameters()).isNotNull();
        assertThat(tls.getTrustManagers().getKeyStore()).isNotNull();
        camel.close();
    }

    private static SSLServerSocket server(TestTlsCa ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ca.keyStore())) {
            ks.load(in, ca.password().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, ca.password().toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
    }

    private static void acceptTwice(SSLServerSocket server) {
        for (int i = 0; i < 2; i++) {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                s.getOutputStream().write('k');
                s.getOutputStream().flush();
            } catch (Exception e) {
                // the refused client: the handshake fails on this side too
            }
        }
    }

    private static String handshake(SSLContextParameters params, int port) throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            SSLContext ctx = params.createSSLContext(camel);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", port)) {
                s.setSoTimeout(10_000);
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");     // host name checked as the clients do
                s.setSSLParameters(p);
                s.startHandshake();
                assertThat(s.getInputStream().read()).isEqualTo('k');
                return s.getSession().getProtocol();
            }
        }
    }
}
