package io.certhub.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.support.HubProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 §4: the sandbox is an add-on the production jar does not carry. Lists both jars
 * {@code mvn verify} builds: the production jar {@code target/certhub-*.jar} has no
 * {@code io/certhub/sandbox} class, no sandbox migration, no auto-configuration registration and no
 * GreenMail; the sandbox jar {@code target/sandbox/certhub-*-sandbox.jar} has all four (so the
 * listing is shown to see them). The production jar started on the embedded default's settings
 * ({@code hub.sandbox.enabled=true}) stops at once and says why.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProductionJarIT {

    static final String SANDBOX_CLASS = "BOOT-INF/classes/io/certhub/sandbox/SandboxAutoConfiguration.class";
    static final String SANDBOX_MIGRATION = "BOOT-INF/classes/db/migration/sandbox/V3__sandbox_vendor.sql";
    static final String AUTO_CONFIGURATION = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

    @TempDir
    Path dir;

    static List<String> entries(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return Collections.list(j.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void theProductionJarCarriesNoneOfTheSandbox() throws IOException {
        List<String> production = entries(HubProcess.jar(true));
        assertThat(production).contains("BOOT-INF/classes/io/certhub/CerthubApplication.class",
            "BOOT-INF/classes/db/migration/common/V1__foundation.sql");
        assertThat(production).filteredOn(e -> e.startsWith("BOOT-INF/classes/io/certhub/sandbox/")).isEmpty();
        assertThat(production).filteredOn(e -> e.startsWith("BOOT-INF/classes/db/migration/sandbox/")).isEmpty();
        assertThat(production).doesNotContain(AUTO_CONFIGURATION);
        assertThat(production).filteredOn(e -> e.startsWith("BOOT-INF/lib/greenmail")).isEmpty();

        List<String> sandbox = entries(HubProcess.jar(false));
        assertThat(sandbox).contains(SANDBOX_CLASS, SANDBOX_MIGRATION, AUTO_CONFIGURATION);
        assertThat(sandbox).filteredOn(e -> e.startsWith("BOOT-INF/lib/greenmail-")).hasSize(1);
    }

    @Test
    void theProductionJarOnTheSandboxSettingsStopsAndSaysWhy() throws Exception {
        Path log = dir.resolve("production-jar-sandbox.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
            HubProcess.jar(true).toString(), "--server.port=0", "--hub.data-dir=" + dir.resolve("data"))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the process exits").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("hub.sandbox.enabled=true, but this build carries no sandbox")
            .doesNotContain("Tomcat started");
    }
}
