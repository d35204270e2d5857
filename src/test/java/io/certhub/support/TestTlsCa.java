package io.certhub.support;

import io.certhub.pki.Certificates;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private test CA made at test time (BouncyCastle, EC P-256, SHA-256): a self-signed root
 * ({@code CA:true}, keyCertSign) and one TLS server certificate it issued for {@code localhost}
 * and {@code 127.0.0.1} (subjectAltName DNS and IP, extendedKeyUsage serverAuth; RFC 5280), valid
 * from a day ago for 30 days. Written to a folder as {@code test-ca.pem} (the root, PEM: what a
 * client is told to trust) and {@code server.p12} (PKCS#12: the server key with its chain, for a
 * TLS server such as Tomcat's {@code server.ssl.*} or GreenMail's
 * {@code greenmail.tls.keystore.*}).
 *
 * @param root      the root certificate
 * @param rootPem   path of the root as PEM
 * @param keyStore  path of the PKCS#12 key store
 * @param password  the key store's (and key's) password
 * @param alias     the key entry's alias
 */
public record TestTlsCa(X509Certificate root, Path rootPem, Path keyStore, String password, String alias) {

    /**
     * Makes the CA and the server certificate in {@code dir}.
     *
     * @param dir an existing folder
     * @return the CA's files
     * @throws IllegalStateException when the keys or certificates cannot be made
     */
    public static TestTlsCa create(Path dir) {
        try {
            Instant now = Instant.now();
            Date from = Date.from(now.minus(Duration.ofDays(1)));
            Date until = Date.from(now.plus(Duration.ofDays(30)));
            KeyPair caKey = ec();
            X500Name caName = new X500Name("O=Certhub IT, CN=Certhub IT Test Root");
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), from, until, caName, caKey.getPublic());
            ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKey.getPublic()));
            X509Certificate root = sign(ca, caKey.getPrivate());

            KeyPair serverKey = ec();
            JcaX509v3CertificateBuilder srv = new JcaX509v3CertificateBuilder(root, serial(), from, until,
                new X500Name("CN=localhost"), serverKey.getPublic());
            srv.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            srv.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            srv.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            srv.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            srv.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(root));
            X509Certificate server = sign(srv, caKey.getPrivate());

            String password = random(12);
            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(null, null);
            p12.setKeyEntry("server", serverKey.getPrivate(), password.toCharArray(), new X509Certificate[] {server, root});
            Path store = dir.resolve("server.p12");
            try (OutputStream out = Files.newOutputStream(store)) {
                p12.store(out, password.toCharArray());
            }
            Path pem = dir.resolve("test-ca.pem");
            Files.writeString(pem, Certificates.toPem(List.of(root)));
            return new TestTlsCa(root, pem, store, password, "server");
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the test CA: " + e.getMessage(), e);
        }
    }

    /**
     * @return a client SSL context trusting only this CA's root (PKIX; the caller's host name
     *         checks stay as they are)
     */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param bytes how many random bytes
     * @return them as lower-case hex (a throw-away password or key)
     */
    public static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws OperatorCreationException,
            GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }
}
