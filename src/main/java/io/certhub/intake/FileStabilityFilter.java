package io.certhub.intake;

import io.certhub.config.HubProperties;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.springframework.stereotype.Component;

/**
 * Accepts an inbox file only once it is completely written: its size and modification time
 * must have stayed the same, as seen by this filter across polls, for
 * {@code hub.intake.quiet-period}. Unlike an age check on the modification time (Camel's
 * {@code readLockMinAge}), a slow copy that ends by restoring an old modification time is not
 * taken half-written (CAMEL-19378; shared/cases/partial-and-duplicate-files/writer-sim.sh):
 * the restored time is itself a change, so the quiet period starts again.
 *
 * <p>It is also where the inbox refuses what is not a regular file, before anything opens it
 * (issue 16, item 1): every entry is looked at with {@code lstat} ({@link LinkOption#NOFOLLOW_LINKS}).
 * An account folder (the only directories the consumer asks about, {@code maxDepth} 2) is walked
 * only when {@link IntakeFolders#usableAccountFolder} allows it (not a link, {@code done/} and
 * {@code failed/} not links); an entry of an account folder that is a symbolic link, FIFO, device
 * or socket is refused and moved unread to {@code failed/} with a {@code FILE_NOT_REGULAR} report
 * ({@link IntakeFolders#refuseNotRegular}). A hard link is a regular file and is read like any other.
 */
@Component("fileStabilityFilter")
public class FileStabilityFilter implements GenericFileFilter<File> {

    private record Seen(long size, long modified, Instant since) { }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Duration quietPeriod;
    private final Clock clock;
    private final IntakeFolders folders;

    /**
     * @param props   hub configuration ({@code hub.intake.quiet-period})
     * @param clock   time source
     * @param folders the inbox's folders (refusal of what is not a regular file)
     */
    public FileStabilityFilter(HubProperties props, Clock clock, IntakeFolders folders) {
        this.quietPeriod = props.getIntake().getQuietPeriod();
        this.clock = clock;
        this.folders = folders;
    }

    /**
     * @param file an entry the consumer found: an account folder, or an entry of one
     * @return true for an account folder that may be walked, or a regular file that has been quiet for the quiet period
     */
    @Override
    public boolean accept(GenericFile<File> file) {
        Path path = Path.of(file.getAbsoluteFilePath());
        if (file.isDirectory()) {
            return folders.usableAccountFolder(path);
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!a.isRegularFile()) {
            String kind = IntakeFolders.notRegular(path);
            if (kind != null && !"gone".equals(kind)) {
                folders.refuseNotRegular(path, kind);
            }
            return false;
        }
        return stable(file.getAbsoluteFilePath(), a.size(), a.lastModifiedTime().toMillis());
    }

    /**
     * Records an observation of a file and says whether it has been quiet long enough.
     *
     * @param path     absolute path
     * @param size     size in bytes now
     * @param modified modification time now (epoch ms)
     * @return true when size and modification time are unchanged since at least the quiet period
     */
    public boolean stable(String path, long size, long modified) {
        Instant now = clock.instant();
        Seen before = seen.get(path);
        if (before == null || before.size() != size || before.modified() != modified) {
            seen.put(path, new Seen(size, modified, now));
            forgetOld(now);
            return false;
        }
        if (Duration.between(before.since(), now).compareTo(quietPeriod) >= 0) {
            seen.remove(path);
            return true;
        }
        return false;
    }

    private void forgetOld(Instant now) {
        if (seen.size() > 100_000) {
            seen.values().removeIf(s -> Duration.between(s.since(), now).toHours() > 1);
        }
    }
}
