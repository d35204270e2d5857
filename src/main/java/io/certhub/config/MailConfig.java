package io.certhub.config;

import java.util.Properties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Jakarta Mail settings shared by the certificate mailbox (IMAP/IMAPS) and the admin delivery
 * (SMTP/SMTPS) endpoints ({@code additionalJavaMailProperties=#mailSecurity}): over TLS the
 * server certificate is verified against the JVM trust store (the default) and its host name
 * checked (RFC 6125), so a production mailbox is never read from, nor mail handed to, an
 * impostor.
 */
@Configuration(proxyBeanMethods = false)
public class MailConfig {

    /** @return Jakarta Mail properties: host name checks on for imaps and smtps, STARTTLS when offered, whole-message IMAP fetches */
    @Bean
    public Properties mailSecurity() {
        Properties p = new Properties();
        p.setProperty("mail.imaps.ssl.checkserveridentity", "true");
        p.setProperty("mail.smtps.ssl.checkserveridentity", "true");
        p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        p.setProperty("mail.smtp.starttls.enable", "true");
        // fetch a vendor mail in one command rather than part by part
        p.setProperty("mail.imap.partialfetch", "false");
        p.setProperty("mail.imaps.partialfetch", "false");
        return p;
    }
}
