package io.certhub.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The pool of real CSRs made up front, and the order documents built from it.
 *
 * <p>CSR {@code i} is on key {@code i % KEYS} (P-256 key pairs made once and reused) and names
 * {@code b<i>.example.com} as CN and SAN, so every CSR of the pool is distinct (the hub caches
 * CSR checks by DER: distinct CSRs mean every order is really verified). Orders are DV
 * {@code quickssl_premium}, {@code handle: process}, {@code approverEmail: admin@example.com}
 * (allowed for every name under example.com by the hub's approver rule), unique client
 * references per run.
 */
final class Orders {

    /** Key pairs in the pool. */
    static final int KEYS = 256;
    static final String PRODUCT = "quickssl_premium";
    static final String APPROVER = "admin@example.com";
    static final String ADMIN_EMAIL = "alex@example.com";

    static final List<String> CSV_HEADER = List.of("clientReference", "productType", "handle", "period", "domain", "csr", "serverType",
        "approverEmail", "dcvMethod", "contacts.admin.firstName", "contacts.admin.lastName", "contacts.admin.email", "contacts.admin.phone");

    final KeyPair[] keys = new KeyPair[KEYS];
    final String[] csrs;

    /** @param size CSRs in the pool */
    Orders(int size) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            for (int i = 0; i < KEYS; i++) {
                keys[i] = g.generateKeyPair();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        csrs = new String[size];
        IntStream.range(0, size).parallel().forEach(i -> csrs[i] = csr(keys[i % KEYS], domain(i)));
    }

    int size() {
        return csrs.length;
    }

    static String domain(int i) {
        return "b" + i + ".example.com";
    }

    /**
     * @param ref       client reference
     * @param i         pool index (domain and CSR)
     * @param dcvMethod email or dns
     * @return the order document as JSON text
     */
    String json(String ref, int i, String dcvMethod) {
        return doc(ref, i, dcvMethod).toString();
    }

    ObjectNode doc(String ref, int i, String dcvMethod) {
        ObjectNode o = HubProcess.JSON.createObjectNode();
        o.put("clientReference", ref);
        o.put("productType", PRODUCT);
        o.put("handle", "process");
        o.put("period", 1);
        o.put("domain", domain(i));
        o.putArray("additionalDomains");
        o.put("csr", csrs[i]);
        o.put("serverType", "nginx");
        o.put("approverEmail", APPROVER);
        o.put("dcvMethod", dcvMethod);
        ObjectNode admin = o.putObject("contacts").putObject("admin");
        admin.put("firstName", "Alex");
        admin.put("lastName", "Admin");
        admin.put("email", ADMIN_EMAIL);
        admin.put("phone", "+1.5555550100");
        return o;
    }

    /**
     * @param prefix client reference prefix
     * @param from   first pool index
     * @param n      orders
     * @return a CSV batch of {@code n} orders (header of dotted paths, CSR in a quoted multi-line cell)
     */
    String csv(String prefix, int from, int n) {
        StringWriter out = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(CSV_HEADER.toArray(String[]::new)).get())) {
            for (int k = 0; k < n; k++) {
                int i = from + k;
                p.printRecord(prefix + "-" + k, PRODUCT, "process", "1", domain(i), csrs[i], "nginx", APPROVER, "email",
                    "Alex", "Admin", ADMIN_EMAIL, "+1.5555550100");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String csr(KeyPair kp, String name) {
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + name), kp.getPublic());
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            var req = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
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
