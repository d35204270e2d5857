package io.certhub.csr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;

/** Builds CSRs for tests with BouncyCastle, and reads the shared case files. */
final class TestCsrs {

    static final Path CASES = Path.of("../shared/cases");

    static final Provider BC = new BouncyCastleProvider();

    private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();

    private TestCsrs() {
    }

    /** A key pair, generated once per JVM per spec ("RSA-2048", "EC-secp256r1", "Ed25519"). */
    static KeyPair keys(String spec) {
        return KEYS.computeIfAbsent(spec, s -> {
            try {
                if (s.startsWith("RSA-")) {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(Integer.parseInt(s.substring(4)));
                    return g.generateKeyPair();
                }
                if (s.startsWith("EC-")) {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
                    g.initialize(new ECGenParameterSpec(s.substring(3)));
                    return g.generateKeyPair();
                }
                return KeyPairGenerator.getInstance(s, BC).generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A CSR builder with sensible defaults. */
    static Builder csr(String keySpec) {
        return new Builder(keys(keySpec));
    }

    static final class Builder {
        private final KeyPair keys;
        private X500Name subject;
        private final List<ASN1Encodable> sans = new ArrayList<>();
        private String signatureAlgorithm;
        private SubjectPublicKeyInfo spkiOverride;

        Builder(KeyPair keys) {
            this.keys = keys;
            this.subject = new X500Name("CN=www.example.com");
            String alg = keys.getPublic().getAlgorithm();
            this.signatureAlgorithm = alg.equals("RSA") ? "SHA256withRSA"
                    : alg.startsWith("EC") ? "SHA256withECDSA" : alg;
        }

        Builder cn(String cn) {
            subject = cn == null ? new X500Name(new org.bouncycastle.asn1.x500.RDN[0])
                    : new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Example Shop LLC")
                            .addRDN(BCStyle.CN, new DERUTF8String(cn)).build();
            return this;
        }

        Builder san(String dnsName) {
            sans.add(new GeneralName(GeneralName.dNSName, dnsName));
            return this;
        }

        /** A dNSName whose octets are the UTF-8 bytes of the given (non-ASCII) text. */
        Builder sanUtf8(String dnsName) {
            // [2] IMPLICIT with raw UTF-8 octets: what a careless tool writes into an IA5String
            sans.add(new DERTaggedObject(false, GeneralName.dNSName,
                    new DEROctetString(dnsName.getBytes(StandardCharsets.UTF_8))));
            return this;
        }

        Builder sanIp(String ip) {
            sans.add(new GeneralName(GeneralName.iPAddress, ip));
            return this;
        }

        Builder signedWith(String algorithm) {
            this.signatureAlgorithm = algorithm;
            return this;
        }

        Builder spki(SubjectPublicKeyInfo spki) {
            this.spkiOverride = spki;
            return this;
        }

        byte[] der() {
            try {
                SubjectPublicKeyInfo spki = spkiOverride != null ? spkiOverride
                        : SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
                PKCS10CertificationRequestBuilder b = new PKCS10CertificationRequestBuilder(subject, spki);
                if (!sans.isEmpty()) {
                    ExtensionsGenerator ext = new ExtensionsGenerator();
                    ext.addExtension(Extension.subjectAlternativeName, false,
                            new DERSequence(sans.toArray(new ASN1Encodable[0])));
                    b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
                }
                ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm).setProvider(BC)
                        .build(keys.getPrivate());
                return b.build(signer).getEncoded();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        String pem() {
            return TestCsrs.pem(der());
        }

        PublicKey publicKey() {
            return keys.getPublic();
        }
    }

    /** PEM with 64-column lines, LF, final newline. */
    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    static String read(String relative) {
        try {
            return Files.readString(CASES.resolve(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The DER inside a canonical PEM text. */
    static byte[] derOf(String pem) {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(b64);
    }
}
