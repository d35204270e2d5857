package io.certhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.issuer.opensrs.OpsCodec;
import io.certhub.issuer.opensrs.OpsRequest;
import io.certhub.issuer.opensrs.OpsSignature;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.bouncycastle.asn1.pkcs.CertificationRequest;

/**
 * The floor: plain Java loops doing only the irreducible work of a workload, in the benchmark's
 * own JVM with their own H2 file, against the same sandbox endpoints of a running hub.
 *
 * <p>W1 (per order): parse the order JSON (Jackson); decode the PEM CSR, parse it (BouncyCastle
 * ASN.1 only) and verify its self-signature with the JDK provider (SunEC); one HTTP POST of the
 * OpenSRS {@code sw_register} request the hub's adapter builds (same attributes, signed with
 * {@link OpsSignature}, key {@code sandbox-key}, user {@code sandbox}) but with
 * {@code handle=process}, so one round trip leaves the vendor order where the hub's two
 * (save, then process_pending) leave it; one JDBC transaction writing the order row (with the
 * vendor order id), the guarded account update, the hold row and the journal row.
 *
 * <p>W3 (per mail): fetch it over IMAP; find the ZIP attachment and read the leaf and the CA
 * bundle from it; verify leaf → intermediate → sandbox root signatures and validity, and that
 * the leaf's key is the order's CSR key; one JDBC transaction completing the order (order state,
 * hold captured, account, journal, certificate row); one SMTP send of the admin email with
 * {@code <domain_>.crt}, {@code ca-bundle.crt} and {@code fullchain.pem}; flag the mail seen.
 */
final class Floor {

    private static final Provider SUN_EC = Security.getProvider("SunEC");
    private static final Pattern ORDER_ID = Pattern.compile("Order (\\d+)");

    private Floor() { }

    static Connection db(Path dir) throws Exception {
        Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("floor") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000", "sa", "");
        c.setAutoCommit(false);
        return c;
    }

    /** Creates the floor's own H2 database with the hub's foundation schema and a funded account. */
    static Path schema() throws Exception {
        Path dir = Files.createTempDirectory("certhub-bench-floor-");
        try (Connection c = db(dir); Statement s = c.createStatement()) {
            s.execute("runscript from 'classpath:db/migration/common/V1__foundation.sql'");
            s.execute("create table certificate (order_id varchar(36) primary key, leaf_pem varchar(16000) not null, chain_pem varchar(32000) not null)");
            s.execute("insert into account(id, currency, balance_minor, held_minor, created_at) values ('demo', 'USD', 1000000000000, 0, current_timestamp)");
            c.commit();
        }
        return dir;
    }

    // ================================================================== W1

    /**
     * @param hub     the hub whose sandbox vendor answers (its CSR cache already holds the pool's
     *                CSRs, as after the hub's own intake: the sandbox re-parses the CSR)
     * @param orders  the CSR pool
     * @param n       orders
     * @param threads worker threads
     * @return seconds
     */
    static double w1(HubProcess hub, Orders orders, int n, int threads) throws Exception {
        Path dir = schema();
        List<String> docs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            docs.add(orders.json("floor-" + i, i, "email"));
        }
        OpsCodec codec = new OpsCodec();
        ExecutorService httpThreads = Executors.newFixedThreadPool(4);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
            .executor(httpThreads).build();
        URI vendor = URI.create(hub.base() + "/sandbox/opensrs");
        ThreadLocal<Connection> conn = ThreadLocal.withInitial(() -> {
            try {
                return db(dir);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            String doc = docs.get(k);
            fs.add(pool.submit(() -> {
                try {
                    w1Order(doc, codec, http, vendor, conn.get());
                } catch (Exception e) {
                    if (failures.incrementAndGet() <= 3) {
                        Bench.log("floor W1 order failed: %s", e);
                    }
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        httpThreads.shutdown();
        HubProcess.deleteTree(dir);
        if (failures.get() > 0) {
            Bench.log("floor W1: %d of %d orders failed", failures.get(), n);
        }
        return seconds;
    }

    private static void w1Order(String text, OpsCodec codec, HttpClient http, URI vendor, Connection c) throws Exception {
        JsonNode d = HubProcess.JSON.readTree(text);
        String domain = d.get("domain").asText();
        String pem = d.get("csr").asText();
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        CertificationRequest req = CertificationRequest.getInstance(der);
        byte[] spki = req.getCertificationRequestInfo().getSubjectPublicKeyInfo().getEncoded("DER");
        PublicKey key = KeyFactory.getInstance("EC", SUN_EC).generatePublic(new X509EncodedKeySpec(spki));
        Signature verifier = Signature.getInstance("SHA256withECDSA", SUN_EC);
        verifier.initVerify(key);
        verifier.update(req.getCertificationRequestInfo().getEncoded("DER"));
        if (!verifier.verify(req.getSignature().getOctets())) {
            throw new IllegalStateException("CSR signature invalid");
        }
        if (!req.getCertificationRequestInfo().getSubject().toString().equals("CN=" + domain)) {
            throw new IllegalStateException("CSR does not name " + domain);
        }
        String keySha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));

        String orderId = UUID.randomUUID().toString();
        JsonNode admin = d.path("contacts").path("admin");
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("reg_type", "new");
        a.put("product_type", d.get("productType").asText());
        a.put("handle", "process");
        a.put("domain", domain);
        a.put("csr", pem);
        a.put("period", d.get("period").asInt());
        a.put("server_type", d.get("serverType").asText());
        a.put("server_count", 1);
        a.put("dv_auth_method", d.get("dcvMethod").asText());
        a.put("approver_email", d.get("approverEmail").asText());
        a.put("special_instructions", "certhub order " + orderId);
        Map<String, Object> adminSet = new LinkedHashMap<>();
        adminSet.put("first_name", admin.path("firstName").asText());
        adminSet.put("last_name", admin.path("lastName").asText());
        adminSet.put("email", admin.path("email").asText());
        adminSet.put("phone", admin.path("phone").asText());
        a.put("contact_set", Map.of("admin", adminSet));
        byte[] body = codec.encode(OpsRequest.of("sw_register", a));
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(vendor).timeout(Duration.ofSeconds(30))
            .header("X-Username", "sandbox").header("X-Signature", OpsSignature.sign(body, "sandbox-key"))
            .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        Map<String, Object> reply = codec.decode(r.body());
        if (r.statusCode() != 200 || !"1".equals(String.valueOf(reply.get("is_success")))) {
            throw new IllegalStateException("vendor: HTTP " + r.statusCode() + " " + reply.get("response_text"));
        }
        String vendorOrderId = String.valueOf(((Map<?, ?>) reply.get("attributes")).get("order_id"));

        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement o = c.prepareStatement("insert into orders(id, account_id, client_reference, content_hash, product_type, state,"
                + " vendor_status, vendor_order_id, domain, period, server_type, approver_email, dcv_method, csr, csr_key_sha256, contacts,"
                + " price_minor, currency, submissions, created_at, updated_at) values (?, 'demo', ?, ?, ?, 'IN_PROGRESS', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " 4900, 'USD', 1, ?, ?)");
             PreparedStatement acc = c.prepareStatement("update account set held_minor = held_minor + ? where id = 'demo' and balance_minor - held_minor >= ?");
             PreparedStatement h = c.prepareStatement("insert into hold(order_id, submission, account_id, amount_minor, currency, state, created_at)"
                 + " values (?, 1, 'demo', 4900, 'USD', 'HELD', ?)", Statement.RETURN_GENERATED_KEYS);
             PreparedStatement j = c.prepareStatement("insert into journal(account_id, entry_type, amount_minor, currency, order_id, hold_id, at)"
                 + " values ('demo', 'HOLD', 4900, 'USD', ?, ?, ?)")) {
            o.setString(1, orderId);
            o.setString(2, d.get("clientReference").asText());
            o.setString(3, keySha);
            o.setString(4, d.get("productType").asText());
            o.setString(5, String.valueOf(((Map<?, ?>) reply.get("attributes")).get("state")));
            o.setString(6, vendorOrderId);
            o.setString(7, domain);
            o.setInt(8, d.get("period").asInt());
            o.setString(9, d.get("serverType").asText());
            o.setString(10, d.get("approverEmail").asText());
            o.setString(11, d.get("dcvMethod").asText());
            o.setString(12, pem);
            o.setString(13, keySha);
            o.setString(14, d.get("contacts").toString());
            o.setTimestamp(15, now);
            o.setTimestamp(16, now);
            o.executeUpdate();
            acc.setLong(1, 4900);
            acc.setLong(2, 4900);
            if (acc.executeUpdate() != 1) {
                throw new IllegalStateException("insufficient funds");
            }
            h.setString(1, orderId);
            h.setTimestamp(2, now);
            h.executeUpdate();
            long holdId;
            try (ResultSet keys = h.getGeneratedKeys()) {
                keys.next();
                holdId = keys.getLong(1);
            }
            j.setString(1, orderId);
            j.setLong(2, holdId);
            j.setTimestamp(3, now);
            j.executeUpdate();
            c.commit();
        } catch (Exception e) {
            c.rollback();
            throw e;
        }
    }

    // ================================================================== W3

    /** An order waiting for its certificate: what the floor's database needs to match and complete it. */
    record Open(String vendorOrderId, String domain, String keySha256) { }

    /**
     * @param hub     the hub whose embedded mail server holds the mails (folder of the hub mailbox user)
     * @param open    the orders the mails are for (inserted IN_PROGRESS with their holds first, not timed)
     * @param folder  IMAP folder holding copies of the vendor's issuance mails
     * @param threads worker threads (each its own IMAP and SMTP connection)
     * @return seconds
     */
    static double w3(HubProcess hub, List<Open> open, String folder, int threads) throws Exception {
        Path dir = schema();
        try (Connection c = db(dir);
             PreparedStatement o = c.prepareStatement("insert into orders(id, account_id, client_reference, content_hash, product_type, state,"
                 + " vendor_order_id, domain, period, server_type, approver_email, dcv_method, csr, csr_key_sha256, contacts, price_minor, currency,"
                 + " submissions, created_at, updated_at) values (?, 'demo', ?, ?, 'quickssl_premium', 'IN_PROGRESS', ?, ?, 1, 'nginx', ?, 'dns', '-', ?, ?,"
                 + " 4900, 'USD', 1, current_timestamp, current_timestamp)");
             PreparedStatement h = c.prepareStatement("insert into hold(order_id, submission, account_id, amount_minor, currency, state, created_at)"
                 + " values (?, 1, 'demo', 4900, 'USD', 'HELD', current_timestamp)");
             Statement s = c.createStatement()) {
            int k = 0;
            for (Open x : open) {
                String id = UUID.randomUUID().toString();
                o.setString(1, id);
                o.setString(2, "floor-w3-" + k++);
                o.setString(3, x.keySha256());
                o.setString(4, x.vendorOrderId());
                o.setString(5, x.domain());
                o.setString(6, Orders.APPROVER);
                o.setString(7, x.keySha256());
                o.setString(8, "{\"admin\":{\"firstName\":\"Alex\",\"lastName\":\"Admin\",\"email\":\"" + Orders.ADMIN_EMAIL + "\"}}");
                o.addBatch();
                h.setString(1, id);
                h.addBatch();
            }
            o.executeBatch();
            h.executeBatch();
            s.executeUpdate("update account set held_minor = " + 4900L * open.size() + " where id = 'demo'");
            c.commit();
        }
        X509Certificate root;
        try (InputStream in = Files.newInputStream(hub.dataDir.resolve("sandbox-ca/root.crt"))) {
            root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String user = "ssl-orders@reseller.example.com";
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", Integer.toString(hub.smtpPort));
        props.put("mail.imap.host", "127.0.0.1");
        props.put("mail.imap.port", Integer.toString(hub.imapPort));
        Session session = Session.getInstance(props);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            fs.add(pool.submit(() -> {
                try (Connection c = db(dir); Store store = session.getStore("imap"); Transport smtp = session.getTransport("smtp")) {
                    store.connect(user, user);
                    smtp.connect();
                    Folder f = store.getFolder(folder);
                    f.open(Folder.READ_WRITE);
                    Message[] msgs = f.getMessages();
                    for (int i = me; i < msgs.length; i += threads) {
                        try {
                            w3Mail((MimeMessage) msgs[i], root, c, session, smtp);
                            done.incrementAndGet();
                        } catch (Exception e) {
                            if (failures.incrementAndGet() <= 3) {
                                Bench.log("floor W3 mail failed: %s", e);
                            }
                        }
                    }
                    f.close(false);
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        HubProcess.deleteTree(dir);
        int k = Math.max(1, done.get());
        Bench.log("floor W3: %d mails done, %d failed; ms per mail: IMAP fetch + parse %.1f, verify %.1f, JDBC %.1f, SMTP %.1f, flag %.1f",
            done.get(), failures.get(), PHASES.get(0) / 1e6 / k, PHASES.get(1) / 1e6 / k, PHASES.get(2) / 1e6 / k, PHASES.get(3) / 1e6 / k,
            PHASES.get(4) / 1e6 / k);
        return seconds;
    }

    /** Nanoseconds spent per phase of the W3 floor, summed over threads: imap, verify, db, smtp, flag. */
    static final java.util.concurrent.atomic.AtomicLongArray PHASES = new java.util.concurrent.atomic.AtomicLongArray(5);

    private static void w3Mail(MimeMessage m, X509Certificate root, Connection c, Session session, Transport smtp) throws Exception {
        long p0 = System.nanoTime();
        Matcher om = ORDER_ID.matcher(m.getSubject());
        if (!om.find()) {
            throw new IllegalStateException("no order id in " + m.getSubject());
        }
        String vendorOrderId = om.group(1);
        List<X509Certificate> leafs = new ArrayList<>();
        List<X509Certificate> bundle = new ArrayList<>();
        Multipart mp = (Multipart) m.getContent();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (int i = 0; i < mp.getCount(); i++) {
            Part p = mp.getBodyPart(i);
            if (p.getFileName() != null && p.getFileName().endsWith(".zip")) {
                try (ZipInputStream z = new ZipInputStream(p.getInputStream())) {
                    for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                        byte[] bytes = z.readAllBytes();
                        for (var cert : cf.generateCertificates(new ByteArrayInputStream(bytes))) {
                            (e.getName().endsWith(".crt") ? leafs : bundle).add((X509Certificate) cert);
                        }
                    }
                }
            }
        }
        long p1 = System.nanoTime();
        PHASES.addAndGet(0, p1 - p0);
        X509Certificate leaf = leafs.get(0);
        X509Certificate intermediate = bundle.stream().filter(x -> !x.getSubjectX500Principal().equals(x.getIssuerX500Principal())).findFirst().orElseThrow();
        leaf.checkValidity();
        intermediate.checkValidity();
        leaf.verify(intermediate.getPublicKey());
        intermediate.verify(root.getPublicKey());
        String keySha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getPublicKey().getEncoded()));

        long p2 = System.nanoTime();
        PHASES.addAndGet(1, p2 - p1);
        String orderId;
        String domain;
        try (PreparedStatement q = c.prepareStatement("select id, domain, csr_key_sha256 from orders where vendor_order_id = ?")) {
            q.setString(1, vendorOrderId);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no order " + vendorOrderId);
                }
                orderId = rs.getString(1);
                domain = rs.getString(2);
                if (!keySha.equals(rs.getString(3).trim())) {
                    throw new IllegalStateException("key mismatch for " + vendorOrderId);
                }
            }
        }
        String leafPem = pem(List.of(leaf));
        String chainPem = pem(List.of(intermediate));
        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement o = c.prepareStatement("update orders set state = 'COMPLETED', vendor_status = 'completed', updated_at = ? where id = ? and state = 'IN_PROGRESS'");
             PreparedStatement h = c.prepareStatement("update hold set state = 'CAPTURED', settled_at = ? where order_id = ? and state = 'HELD'");
             PreparedStatement a = c.prepareStatement("update account set balance_minor = balance_minor - 4900, held_minor = held_minor - 4900 where id = 'demo'");
             PreparedStatement j = c.prepareStatement("insert into journal(account_id, entry_type, amount_minor, currency, order_id, at) values ('demo', 'CAPTURE', 4900, 'USD', ?, ?)");
             PreparedStatement ce = c.prepareStatement("insert into certificate(order_id, leaf_pem, chain_pem) values (?, ?, ?)")) {
            o.setTimestamp(1, now);
            o.setString(2, orderId);
            if (o.executeUpdate() != 1) {
                throw new IllegalStateException("order " + orderId + " not IN_PROGRESS");
            }
            h.setTimestamp(1, now);
            h.setString(2, orderId);
            h.executeUpdate();
            a.executeUpdate();
            j.setString(1, orderId);
            j.setTimestamp(2, now);
            j.executeUpdate();
            ce.setString(1, orderId);
            ce.setString(2, leafPem);
            ce.setString(3, chainPem);
            ce.executeUpdate();
            c.commit();
        } catch (Exception e) {
            c.rollback();
            throw e;
        }

        long p3 = System.nanoTime();
        PHASES.addAndGet(2, p3 - p2);
        MimeMessage out = new MimeMessage(session);
        out.setFrom(new InternetAddress("certificates@reseller.example.com"));
        out.setRecipient(Message.RecipientType.TO, new InternetAddress(Orders.ADMIN_EMAIL));
        out.setSubject("Your SSL certificate for " + domain + " is ready");
        MimeMultipart mixed = new MimeMultipart("mixed");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Hello Alex Admin,\n\nyour certificate for " + domain + " is attached: install " + domain.replace('.', '_')
            + ".crt with ca-bundle.crt (or fullchain.pem) on nginx.\n", "UTF-8");
        mixed.addBodyPart(text);
        mixed.addBodyPart(attachment(domain.replace('.', '_') + ".crt", leafPem));
        mixed.addBodyPart(attachment("ca-bundle.crt", chainPem));
        mixed.addBodyPart(attachment("fullchain.pem", leafPem + chainPem));
        out.setContent(mixed);
        out.saveChanges();
        smtp.sendMessage(out, out.getAllRecipients());
        long p4 = System.nanoTime();
        PHASES.addAndGet(3, p4 - p3);
        m.setFlag(Flags.Flag.SEEN, true);
        PHASES.addAndGet(4, System.nanoTime() - p4);
    }

    private static MimeBodyPart attachment(String name, String text) throws Exception {
        MimeBodyPart p = new MimeBodyPart();
        p.setDataHandler(new jakarta.activation.DataHandler(new ByteArrayDataSource(text.getBytes(StandardCharsets.US_ASCII), "application/x-pem-file")));
        p.setFileName(name);
        return p;
    }

    static String pem(List<X509Certificate> certs) throws Exception {
        StringBuilder sb = new StringBuilder();
        Base64.Encoder enc = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate x : certs) {
            sb.append("-----BEGIN CERTIFICATE-----\n").append(enc.encodeToString(x.getEncoded())).append("\n-----END CERTIFICATE-----\n");
        }
        return sb.toString();
    }
}
