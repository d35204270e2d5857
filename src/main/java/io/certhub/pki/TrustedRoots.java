package io.certhub.pki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The vendor roots a certificate must chain to ({@code hub.mailbox.trusted-roots}: PEM file
 * paths, comma-separated; the sandbox CA root by default). Files are read again when one of
 * them changes (size or modification time), so a root made later by the sandbox, or replaced
 * by an operator, is picked up without a restart. A missing or unreadable file is skipped with
 * a warning: it can only make fewer certificates acceptable, never more.
 */
@Component
public class TrustedRoots {

    private static final Logger LOG = LoggerFactory.getLogger(TrustedRoots.class);

    private final List<Path> files;
    private volatile String stamp = "";
    private volatile List<X509Certificate> roots = List.of();

    /** @param paths comma-separated PEM file paths */
    public TrustedRoots(@Value("${hub.mailbox.trusted-roots:}") String paths) {
        this.files = Arrays.stream(paths.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    /** @return the trusted root certificates now */
    public List<X509Certificate> get() {
        String now = stampOf();
        if (!now.equals(stamp)) {
            synchronized (this) {
                if (!now.equals(stamp)) {
                    List<X509Certificate> loaded = new ArrayList<>();
                    for (Path f : files) {
                        try {
                            loaded.addAll(Certificates.parseAny(Files.readAllBytes(f)));
                        } catch (IOException | RuntimeException e) {
                            LOG.warn("trusted root file {} cannot be read: {}", f, e.toString());
                        }
                    }
                    roots = List.copyOf(loaded);
                    stamp = now;
                }
            }
        }
        return roots;
    }

    private String stampOf() {
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            try {
                sb.append(f).append(':').append(Files.size(f)).append(':').append(Files.getLastModifiedTime(f).toMillis()).append(';');
            } catch (IOException e) {
                sb.append(f).append(":missing;");
            }
        }
        return sb.toString();
    }
}
