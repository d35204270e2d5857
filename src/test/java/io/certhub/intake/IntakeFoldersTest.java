package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntakeFoldersTest {

    final IntakeFolders folders = new IntakeFolders(Clock.fixed(Instant.parse("2026-12-06T12:00:00Z"), ZoneOffset.UTC), new ObjectMapper());

    @TempDir
    Path inbox;

    @Test
    void whatAnEntryIsIsToldWithoutFollowingIt() throws Exception {
        Path file = Files.writeString(inbox.resolve("a.json"), "{}");
        assertThat(IntakeFolders.notRegular(file)).isNull();
        assertThat(IntakeFolders.notRegular(Files.createSymbolicLink(inbox.resolve("l.json"), file))).isEqualTo("a symbolic link");
        assertThat(IntakeFolders.notRegular(inbox)).isEqualTo("a directory");
        assertThat(IntakeFolders.notRegular(inbox.resolve("none.json"))).isEqualTo("gone");
        assertThat(IntakeFolders.notRegular(Path.of("/dev/null"))).isEqualTo("a device, socket or other special file");
    }

    @Test
    void aReportIsNeverWrittenThroughALinkPlantedUnderItsTemporaryName() throws Exception {
        Path demo = Files.createDirectories(inbox.resolve("demo"));
        Path victim = Files.writeString(inbox.resolve("victim.txt"), "keep me");
        Path file = Files.writeString(demo.resolve("x.json"), "{}");
        Path target = folders.target(file, "failed");
        Files.createSymbolicLink(target.resolveSibling("x.json.result.json.tmp"), victim);
        folders.writeReport(target, Map.of("status", "failed"));
        assertThat(Files.readString(victim)).isEqualTo("keep me");
        assertThat(Files.readString(demo.resolve("failed/x.json.result.json"))).contains("\"status\" : \"failed\"");
        assertThat(Files.exists(target.resolveSibling("x.json.result.json.tmp"))).isFalse();
    }

    @Test
    void aTakenNameIsStampedAndALinkedTargetFolderIsRefused() throws Exception {
        Path demo = Files.createDirectories(inbox.resolve("demo"));
        Path file = Files.writeString(demo.resolve("x.json"), "{}");
        Files.createDirectories(demo.resolve("done"));
        Files.writeString(demo.resolve("done/x.json"), "old");
        assertThat(folders.target(file, "done").getFileName().toString()).isEqualTo("x.20261206T120000000Z.json");

        Path elsewhere = Files.createDirectories(inbox.resolve("elsewhere"));
        Files.createSymbolicLink(demo.resolve("failed"), elsewhere);
        assertThatThrownBy(() -> folders.target(file, "failed")).isInstanceOf(IllegalStateException.class).hasMessageContaining("not a directory");
        assertThat(folders.usableAccountFolder(demo)).isFalse();
        Files.delete(demo.resolve("failed"));
        assertThat(folders.usableAccountFolder(demo)).isTrue();
    }
}
