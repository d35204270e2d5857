package io.certhub.intake;

import io.certhub.config.HubProperties;
import java.io.File;
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
 * <p>Directories are always accepted (the consumer walks {@code inbox/<accountId>/}).
 */
@Component("fileStabilityFilter")
public class FileStabilityFilter implements GenericFileFilter<File> {

    private record Seen(long size, long modified, Instant since) { }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Duration quietPeriod;
    private final Clock clock;

    /**
     * @param props hub configuration ({@code hub.intake.quiet-period})
     * @param clock time source
     */
    public FileStabilityFilter(HubProperties props, Clock clock) {
        this.quietPeriod = props.getIntake().getQuietPeriod();
        this.clock = clock;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) {
            return true;
        }
        return stable(file.getAbsoluteFilePath(), file.getFile().length(), file.getFile().lastModified());
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
