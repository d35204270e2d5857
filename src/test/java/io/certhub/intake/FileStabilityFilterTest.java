package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.config.HubProperties;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.apache.camel.component.file.FileConsumer;
import org.apache.camel.component.file.GenericFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStabilityFilterTest {

    /** A clock the test moves by hand. */
    static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
        void advance(Duration d) { now = now.plus(d); }
    }

    final StepClock clock = new StepClock();

    FileStabilityFilter filter() {
        HubProperties props = new HubProperties();
        props.getIntake().setQuietPeriod(Duration.ofSeconds(2));
        return new FileStabilityFilter(props, clock, new IntakeFolders(clock, new ObjectMapper()));
    }

    @TempDir
    Path inbox;

    GenericFile<File> entry(Path p) {
        return FileConsumer.asGenericFile(inbox.toString(), p.toFile(), null, false);
    }

    static void mkfifo(Path p) throws Exception {
        org.assertj.core.api.Assumptions.assumeThat(new ProcessBuilder("mkfifo", p.toString()).start().waitFor()).isZero();
    }

    @Test
    void linksFifosAndLinkedFoldersAreRefusedWithoutBeingOpenedAndMovedToFailedWithAReport() throws Exception {
        FileStabilityFilter f = filter();
        Path demo = Files.createDirectories(inbox.resolve("demo"));
        Path link = Files.createSymbolicLink(demo.resolve("env.json"), Path.of("/proc/self/environ"));
        Path fifo = demo.resolve("pipe.csv");
        mkfifo(fifo);
        Path dangling = Files.createSymbolicLink(demo.resolve("gone.json"), demo.resolve("nowhere.json"));

        assertThat(f.accept(entry(demo))).isTrue();
        assertThat(f.accept(entry(link))).isFalse();        // returns at once: never opened
        assertThat(f.accept(entry(fifo))).isFalse();        // opening it would block this thread
        assertThat(f.accept(entry(dangling))).isFalse();

        Path failed = demo.resolve("failed");
        assertThat(Files.isSymbolicLink(failed.resolve("env.json"))).isTrue();
        assertThat(Files.readSymbolicLink(failed.resolve("env.json"))).isEqualTo(Path.of("/proc/self/environ"));
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(IntakeFolders.notRegular(failed.resolve("pipe.csv"))).isEqualTo("a FIFO (named pipe)");
        assertThat(Files.isSymbolicLink(failed.resolve("gone.json"))).isTrue();
        JsonNode report = new ObjectMapper().readTree(failed.resolve("env.json.result.json").toFile());
        assertThat(report.get("status").asText()).isEqualTo("failed");
        assertThat(report.get("error").get("code").asText()).isEqualTo("FILE_NOT_REGULAR");
        assertThat(report.get("error").get("detail").asText()).contains("symbolic link").doesNotContain("PATH=");
        assertThat(new ObjectMapper().readTree(failed.resolve("pipe.csv.result.json").toFile()).get("error").get("detail").asText())
            .contains("FIFO");

        // an account folder that is a link, or whose failed/ is a link, is not walked at all
        Path elsewhere = Files.createDirectories(inbox.resolveSibling(inbox.getFileName() + "-elsewhere"));
        Path linkedFolder = Files.createSymbolicLink(inbox.resolve("other"), elsewhere);
        assertThat(f.accept(entry(linkedFolder))).isFalse();
        Path third = Files.createDirectories(inbox.resolve("third"));
        Files.createSymbolicLink(third.resolve("failed"), elsewhere);
        assertThat(f.accept(entry(third))).isFalse();
    }

    @Test
    void aHardLinkIsARegularFileAndIsTakenOnceQuiet() throws Exception {
        FileStabilityFilter f = filter();
        Path demo = Files.createDirectories(inbox.resolve("demo"));
        Path original = Files.writeString(inbox.resolve("original.json"), "{}");
        Path hard = Files.createLink(demo.resolve("hard.json"), original);
        assertThat(f.accept(entry(hard))).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(f.accept(entry(hard))).isTrue();
        assertThat(Files.exists(demo.resolve("failed"))).isFalse();
    }

    @Test
    void aFileIsTakenOnlyAfterStayingUnchangedForTheQuietPeriod() {
        FileStabilityFilter f = filter();
        assertThat(f.stable("/in/a.json", 100, 1000)).isFalse();
        clock.advance(Duration.ofMillis(1500));
        assertThat(f.stable("/in/a.json", 100, 1000)).isFalse();
        clock.advance(Duration.ofMillis(500));
        assertThat(f.stable("/in/a.json", 100, 1000)).isTrue();
    }

    @Test
    void aSlowCopyThatRestoresAnOldModificationTimeStartsTheWaitAgain() {
        FileStabilityFilter f = filter();
        long written = clock.instant().toEpochMilli();
        for (int size = 256; size <= 1024; size += 256) {
            assertThat(f.stable("/in/slow.json", size, written)).isFalse();
            clock.advance(Duration.ofSeconds(1));
            written += 1000;
        }
        long old = Instant.parse("2026-11-01T09:00:00Z").toEpochMilli();   // writer-sim.sh's final touch
        assertThat(f.stable("/in/slow.json", 1024, old)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(f.stable("/in/slow.json", 1024, old)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(f.stable("/in/slow.json", 1024, old)).isTrue();
    }
}
