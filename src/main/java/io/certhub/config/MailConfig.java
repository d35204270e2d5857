package io.certhub.config;

import io.certhub.delivery.MailProperties;
import java.util.Properties;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Jakarta Mail settings shared by the certificate mailbox (IMAP/IMAPS) and the admin delivery
 * (SMTP/SMTPS) endpoints ({@code additionalJavaMailProperties=#mailSecurity}): over TLS the
 * server certificate is verified against the JVM trust store (the default), or against the roots
 * of {@code hub.mail.trusted-roots} ({@code HUB_MAIL_TRUSTED_ROOTS}: PEM files, comma-separated,
 * for mail servers whose certificates a private CA issued; {@link TlsTrust}), and its host name
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

    /**
     * Puts the roots of {@code hub.mail.trusted-roots} on every camel-mail component (imap,
     * imaps, smtp, smtps): camel-mail then hands Jakarta Mail an SSL socket factory trusting
     * exactly those roots for imaps/smtps and STARTTLS ({@code mail.<protocol>.ssl.socketFactory});
     * host name checks stay on ({@link #mailSecurity()}). Does nothing while the setting is empty
     * (the JVM's default trust store applies).
     *
     * @param props {@code hub.mail.*}: {@code trusted-roots}, PEM file paths, comma-separated, or empty
     * @return the component customizer
     * @throws IllegalStateException naming {@code hub.mail.trusted-roots} when a file cannot be read
     */
    @Bean
    public ComponentCustomizer mailTrust(MailProperties props) {
        String roots = props.getTrustedRoots() == null ? "" : props.getTrustedRoots();
        SSLContextParameters tls = TlsTrust.fromPemFiles("hub.mail.trusted-roots (HUB_MAIL_TRUSTED_ROOTS)", roots);
        return TlsTrust.customizer(MailComponent.class, tls, c -> c.getConfiguration().setSslContextParameters(tls));
    }
}
