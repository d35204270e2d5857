package io.certhub.mailbox;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.HashSet;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code hub.mailbox.*}: the certificate mailbox the vendor's issued-certificate emails are read
 * from (route {@code certificate-mailbox}, camel-mail; issue 14 §2: one typed, validated record a
 * feature). Checked at start-up (Jakarta Bean Validation): a value out of its range stops the hub
 * with a message naming the property, instead of a mailbox that fails at its first poll. The
 * route reads the same properties as {@code {{hub.mailbox.*}}} placeholders.
 */
@Validated
@ConfigurationProperties("hub.mailbox")
public class MailboxProperties {

    /** Whether the route reads the mailbox; default true. */
    private boolean enabled = true;
    /** {@code imap}, or {@code imaps} (TLS from the first byte; production). */
    @Pattern(regexp = "imaps?", message = "must be imap or imaps")
    private String protocol = "imap";
    /** The IMAP server (required while {@link #isEnabled()}). */
    private String host;
    /** Its port, 1..65535. */
    @Min(1)
    @Max(65535)
    private int port;
    /** The mailbox's login (required while {@link #isEnabled()}). */
    private String username;
    /** The mailbox's password (may be empty for a server that takes none). */
    private String password;
    /** The folder the vendor's mails arrive in; default {@code INBOX}. */
    @NotBlank
    private String folder = "INBOX";
    /** Where a mail that completed its order goes; default {@code Processed}. */
    @NotBlank
    private String processedFolder = "Processed";
    /** Where a mail whose certificate failed a check or matched no order goes; default {@code Review}. */
    @NotBlank
    private String reviewFolder = "Review";
    /** Where a mail that can never be processed goes; default {@code Quarantine}. */
    @NotBlank
    private String quarantineFolder = "Quarantine";
    /** Milliseconds between polls, 100..3,600,000; default 2000. */
    @Min(100)
    @Max(3_600_000)
    private long pollDelayMs = 2000;
    /**
     * The vendor roots an issued certificate must chain to: PEM files, comma-separated (empty: none,
     * so every certificate goes to Review; the production profile requires it).
     */
    private String trustedRoots;

    /** @return whether a mailbox that is read names its server and login */
    @AssertTrue(message = "host and username are required while hub.mailbox.enabled is true")
    public boolean isServerNamed() {
        return !enabled || host != null && !host.isBlank() && username != null && !username.isBlank();
    }

    /** @return whether the four folders are four different folders (a mail moved to where it came from is read again) */
    @AssertTrue(message = "folder, processed-folder, review-folder and quarantine-folder must be four different folders")
    public boolean isFoldersDistinct() {
        return folder == null || processedFolder == null || reviewFolder == null || quarantineFolder == null
            || new HashSet<>(List.of(folder, processedFolder, reviewFolder, quarantineFolder)).size() == 4;
    }

    /** @return {@code hub.mailbox.enabled} */
    public boolean isEnabled() { return enabled; }
    /** @param enabled {@code hub.mailbox.enabled} */
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    /** @return {@code hub.mailbox.protocol} */
    public String getProtocol() { return protocol; }
    /** @param protocol {@code hub.mailbox.protocol} */
    public void setProtocol(String protocol) { this.protocol = protocol; }
    /** @return {@code hub.mailbox.host} */
    public String getHost() { return host; }
    /** @param host {@code hub.mailbox.host} */
    public void setHost(String host) { this.host = host; }
    /** @return {@code hub.mailbox.port} */
    public int getPort() { return port; }
    /** @param port {@code hub.mailbox.port} */
    public void setPort(int port) { this.port = port; }
    /** @return {@code hub.mailbox.username} */
    public String getUsername() { return username; }
    /** @param username {@code hub.mailbox.username} */
    public void setUsername(String username) { this.username = username; }
    /** @return {@code hub.mailbox.password} */
    public String getPassword() { return password; }
    /** @param password {@code hub.mailbox.password} */
    public void setPassword(String password) { this.password = password; }
    /** @return {@code hub.mailbox.folder} */
    public String getFolder() { return folder; }
    /** @param folder {@code hub.mailbox.folder} */
    public void setFolder(String folder) { this.folder = folder; }
    /** @return {@code hub.mailbox.processed-folder} */
    public String getProcessedFolder() { return processedFolder; }
    /** @param processedFolder {@code hub.mailbox.processed-folder} */
    public void setProcessedFolder(String processedFolder) { this.processedFolder = processedFolder; }
    /** @return {@code hub.mailbox.review-folder} */
    public String getReviewFolder() { return reviewFolder; }
    /** @param reviewFolder {@code hub.mailbox.review-folder} */
    public void setReviewFolder(String reviewFolder) { this.reviewFolder = reviewFolder; }
    /** @return {@code hub.mailbox.quarantine-folder} */
    public String getQuarantineFolder() { return quarantineFolder; }
    /** @param quarantineFolder {@code hub.mailbox.quarantine-folder} */
    public void setQuarantineFolder(String quarantineFolder) { this.quarantineFolder = quarantineFolder; }
    /** @return {@code hub.mailbox.poll-delay-ms} */
    public long getPollDelayMs() { return pollDelayMs; }
    /** @param pollDelayMs {@code hub.mailbox.poll-delay-ms} */
    public void setPollDelayMs(long pollDelayMs) { this.pollDelayMs = pollDelayMs; }
    /** @return {@code hub.mailbox.trusted-roots} */
    public String getTrustedRoots() { return trustedRoots; }
    /** @param trustedRoots {@code hub.mailbox.trusted-roots} */
    public void setTrustedRoots(String trustedRoots) { this.trustedRoots = trustedRoots; }
}
