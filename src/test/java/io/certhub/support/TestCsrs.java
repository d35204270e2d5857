package io.certhub.support;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Real CSRs for tests, made with BouncyCastle; keys are made once and reused. */
public final class TestCsrs {

    private static final KeyPair EC = gen("EC");
    private static final KeyPair RSA = gen("RSA");

    private TestCsrs() { }

    private static KeyPair gen(String alg) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
            if (alg.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the EC key pair used by {@link #ec} */
    public static KeyPair ecKey() {
        return EC;
    }

    /**
     * @param names CN first, then SANs (the CN is included among the SANs)
     * @return a PEM CSR on a P-256 key
     */
    public static String ec(String... names) {
        return csr(EC, "SHA256withECDSA", names);
    }

    /**
     * @param names CN first, then SANs
     * @return a PEM CSR on an RSA 2048 key
     */
    public static String rsa(String... names) {
        return csr(RSA, "SHA256withRSA", names);
    }

    /**
     * @param kp    key pair
     * @param alg   signature algorithm
     * @param names CN first; all names also as SAN dNSName
     * @return the PEM CSR
     */
    public static String csr(KeyPair kp, String alg, String... names) {
        return csr(kp, alg, names[0], List.of(names));
    }

    /**
     * @param cn   the subject's CN, which need not be among the SANs (a CSR the hub refuses: CSR_CN_NOT_IN_SAN)
     * @param sans the SAN dNSNames
     * @return a PEM CSR on the P-256 key of {@link #ec}
     */
    public static String ecWithSans(String cn, String... sans) {
        return csr(EC, "SHA256withECDSA", cn, List.of(sans));
    }

    private static String csr(KeyPair kp, String alg, String cn, List<String> sans) {
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), kp.getPublic());
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(sans.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            var req = b.build(new JcaContentSignerBuilder(alg).build(kp.getPrivate()));
            StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                w.writeObject(req);
            }
            return sw.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
