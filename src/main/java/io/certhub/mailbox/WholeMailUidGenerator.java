package io.certhub.mailbox;

import jakarta.mail.FetchProfile;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import org.apache.camel.component.mail.DefaultMailUidGenerator;
import org.apache.camel.component.mail.MailEndpoint;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The certificate mailbox's mail key generator (route certificate-mailbox,
 * {@code mailUidGenerator=#wholeMailUidGenerator}): camel-mail's own key (the Message-ID), after
 * reading the mail whole, with its flags, in one IMAP command.
 *
 * <p>Why: camel-mail asks for the key of every mail it polls, then for its flags (to skip deleted
 * ones) — two IMAP commands — and {@link CertificateMailbox} then reads the mail — a third. Read
 * first with {@code FETCH n (FLAGS BODY.PEEK[])}, the mail answers all three from what it holds:
 * one round trip a mail instead of three (and one FETCH for the sandbox's GreenMail, whose FETCH
 * costs grow with the square of the folder's size). {@code BODY.PEEK} leaves the mail unseen: it is
 * flagged seen only by camel-mail's commit after the exchange succeeded, as before. The mails of
 * one poll ({@code maxMessagesPerPoll}) are held in memory until processed.
 *
 * <p>When the read fails the mail is keyed as camel-mail would anyway, reading what it needs on
 * demand; a server failure then shows again where the mail is processed (and the mail stays unseen).
 */
@Component("wholeMailUidGenerator")
public class WholeMailUidGenerator extends DefaultMailUidGenerator {

    private static final Logger LOG = LoggerFactory.getLogger(WholeMailUidGenerator.class);

    private static final FetchProfile WHOLE = wholeProfile();

    private static FetchProfile wholeProfile() {
        FetchProfile p = new FetchProfile();
        p.add(FetchProfile.Item.FLAGS);
        p.add(IMAPFolder.FetchProfileItem.MESSAGE);
        return p;
    }

    /**
     * @param endpoint the mailbox endpoint
     * @param message  a polled mail
     * @return its key as camel-mail makes it (the Message-ID, else a hash of its headers, else its
     *         number), read from the mail fetched whole
     */
    @Override
    public String generateUuid(MailEndpoint endpoint, Message message) {
        fetchWhole(message);
        return super.generateUuid(endpoint, message);
    }

    /**
     * Reads an IMAP mail whole with its flags in one command, unless it holds them already.
     *
     * @param message a mail; anything but an open folder's IMAP message is left alone
     */
    static void fetchWhole(Message message) {
        Folder folder = message.getFolder();
        if (!(message instanceof IMAPMessage) || folder == null || !folder.isOpen()) {
            return;
        }
        try {
            folder.fetch(new Message[] {message}, WHOLE);
        } catch (MessagingException | RuntimeException e) {
            LOG.debug("mail #{} not read ahead: {}", message.getMessageNumber(), e.toString());
        }
    }
}
