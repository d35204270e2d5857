package io.certhub.sandbox;

import io.certhub.issuer.opensrs.OpsCodec;
import io.certhub.issuer.opensrs.OpsReply;
import io.certhub.issuer.opensrs.OpsRequest;
import io.certhub.issuer.opensrs.OpsSignature;
import io.certhub.support.RunningHub;
import jakarta.mail.BodyPart;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Test helpers for the sandbox vendor across the wire: free ports, signed OPS calls over HTTP,
 * and reading sandbox mailboxes over IMAP (login = password = the address).
 */
final class SandboxWire {

    static final String USERNAME = "sandbox";
    static final String KEY = "sandbox-key";
    static final String HUB_MAILBOX = "ssl-orders@reseller.example.com";

    private static final OpsCodec CODEC = new OpsCodec();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SandboxWire() { }

    /** @return a port free right now (bound to 0, then released) */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A signed request body with its headers. */
    record Signed(byte[] body, String username, String signature) { }

    static Signed sign(String action, Map<String, ?> attrs, String username, String key) {
        byte[] body = CODEC.encode(OpsRequest.of(action, attrs));
        return new Signed(body, username, OpsSignature.sign(body, key));
    }

    static HttpResponse<byte[]> post(RunningHub hub, Signed s, Duration timeout) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/sandbox/opensrs"))
            .timeout(timeout)
            .header("Content-Type", "text/xml")
            .header("X-Username", s.username())
            .header("X-Signature", s.signature())
            .POST(HttpRequest.BodyPublishers.ofByteArray(s.body()))
            .build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Signs with the sandbox credentials, posts, and reads the reply (HTTP 200 expected). */
    static OpsReply ops(RunningHub hub, String action, Map<String, ?> attrs) {
        HttpResponse<byte[]> r = post(hub, sign(action, attrs, USERNAME, KEY), Duration.ofSeconds(30));
        if (r.statusCode() != 200) {
            throw new AssertionError(action + " answered HTTP " + r.statusCode() + ": " + new String(r.body()));
        }
        return OpsReply.from(CODEC.decode(r.body()));
    }

    static OpsReply decode(byte[] body) {
        return OpsReply.from(CODEC.decode(body));
    }

    /** Map builder keeping order and dropping nothing. */
    static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A mail as read over IMAP. */
    record Mail(String subject, String[] to, String text, Map<String, byte[]> attachments) { }

    /**
     * Reads every mail in a sandbox mailbox's INBOX.
     *
     * @param imapPort the sandbox IMAP port
     * @param address  the mailbox (login and password)
     * @return the mails, oldest first; empty when the mailbox does not exist yet
     */
    static List<Mail> inbox(int imapPort, String address) {
        Properties p = new Properties();
        p.put("mail.store.protocol", "imap");
        p.put("mail.imap.host", "127.0.0.1");
        p.put("mail.imap.port", Integer.toString(imapPort));
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "5000");
        Session session = Session.getInstance(p);
        List<Mail> out = new ArrayList<>();
        try {
            Store store = session.getStore("imap");
            try {
                store.connect("127.0.0.1", imapPort, address, address);
            } catch (jakarta.mail.AuthenticationFailedException e) {
                return out; // no mail has reached this address yet
            }
            try {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                for (Message m : inbox.getMessages()) {
                    Map<String, byte[]> attachments = new LinkedHashMap<>();
                    StringBuilder text = new StringBuilder();
                    walk(m, text, attachments);
                    String[] to = m.getHeader("To");
                    out.add(new Mail(m.getSubject(), to, text.toString(), attachments));
                }
                inbox.close(false);
            } finally {
                store.close();
            }
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot read " + address + " over IMAP: " + e.getMessage(), e);
        }
        return out;
    }

    private static void walk(Part part, StringBuilder text, Map<String, byte[]> attachments) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart bp = mp.getBodyPart(i);
                walk(bp, text, attachments);
            }
        } else if (part.getFileName() != null) {
            try (InputStream in = part.getInputStream()) {
                attachments.put(part.getFileName(), in.readAllBytes());
            }
        } else if (part.isMimeType("text/plain")) {
            text.append(part.getContent());
        }
    }
}
