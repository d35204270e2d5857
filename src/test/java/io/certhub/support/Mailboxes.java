package io.certhub.support;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Real mail for tests: read a mailbox of the sandbox's GreenMail over IMAP (login and password
 * are the address) and send raw mails over SMTP.
 */
public final class Mailboxes {

    /**
     * A mail as read: subject, text parts, attachments by file name.
     *
     * @param subject     subject
     * @param text        all text parts joined
     * @param attachments file name → bytes
     * @param raw         the whole mail
     */
    public record Mail(String subject, String text, Map<String, byte[]> attachments, byte[] raw) { }

    private Mailboxes() { }

    /**
     * @param imapPort IMAP port on 127.0.0.1
     * @param address  mailbox (login = password = address)
     * @param folder   folder name, e.g. INBOX or Processed
     * @return the mails in the folder (empty when the folder or the mailbox does not exist yet)
     */
    public static List<Mail> read(int imapPort, String address, String folder) {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "5000");
        try {
            Store store = Session.getInstance(p).getStore("imap");
            try {
                store.connect("127.0.0.1", imapPort, address, address);
            } catch (jakarta.mail.AuthenticationFailedException noMailYet) {
                return List.of();                // GreenMail makes the user with its first mail
            }
            try {
                Folder f = store.getFolder(folder);
                if (!f.exists()) {
                    return List.of();
                }
                f.open(Folder.READ_ONLY);
                List<Mail> out = new ArrayList<>();
                for (Message m : f.getMessages()) {
                    StringBuilder text = new StringBuilder();
                    Map<String, byte[]> files = new LinkedHashMap<>();
                    walk(m, text, files);
                    ByteArrayOutputStream raw = new ByteArrayOutputStream();
                    m.writeTo(raw);
                    out.add(new Mail(m.getSubject(), text.toString(), files, raw.toByteArray()));
                }
                f.close(false);
                return out;
            } finally {
                store.close();
            }
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void walk(Part part, StringBuilder text, Map<String, byte[]> files) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                walk(mp.getBodyPart(i), text, files);
            }
        } else if (part.getFileName() != null) {
            files.put(part.getFileName(), part.getInputStream().readAllBytes());
        } else if (part.isMimeType("text/*")) {
            text.append(part.getContent()).append('\n');
        }
    }

    /**
     * Sends a raw RFC 5322 mail over SMTP.
     *
     * @param smtpPort SMTP port on 127.0.0.1
     * @param to       envelope recipient
     * @param raw      the mail
     */
    public static void send(int smtpPort, String to, byte[] raw) {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(smtpPort));
        Session session = Session.getInstance(p);
        try {
            MimeMessage m = new MimeMessage(session, new ByteArrayInputStream(raw));
            // sent as it is (no saveChanges): the vendor's Message-ID stays, so a re-sent mail is the same mail
            try (Transport t = session.getTransport("smtp")) {
                t.connect();
                t.sendMessage(m, new jakarta.mail.Address[] {new jakarta.mail.internet.InternetAddress(to)});
            }
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
