package io.certhub.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for the tests: ONE throw-away cluster per test JVM, made with Debian's
 * PostgreSQL binaries ({@code apt-get install -y postgresql}: {@code /usr/lib/postgresql/N/bin},
 * the highest N found, or {@code $CERTHUB_PG_BIN}) in a temp dir, listening on a free loopback port
 * (127.0.0.1 only, trust authentication, its socket in the same dir), fsync off (it is thrown
 * away), and stopped ({@code pg_ctl stop -m immediate}) and deleted by a JVM shutdown hook.
 *
 * <p>PostgreSQL refuses to run as root: when the JVM is root (as in CI) {@code initdb} and
 * {@code pg_ctl} run as the {@code postgres} user through {@code runuser -u postgres --} (the
 * Debian package makes that user). Each test class gets its own fresh database from
 * {@link #newDatabase(String)} ({@code CREATE DATABASE}), superuser {@code postgres}, no password.
 *
 * <p>When no binaries are found, or the cluster does not start, {@link #newDatabase(String)}
 * aborts the calling test with a JUnit assumption whose message says how to install them, so the
 * rest of {@code mvn verify} runs as usual ({@code .ci/run} installs the package when missing).
 */
public final class TestPostgres {

    /** The install command named in the skip message. */
    public static final String INSTALL = "apt-get install -y postgresql   # as root; .ci/run does this when it is missing";

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static TestPostgres server;
    private static String unavailable;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private TestPostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /**
     * Makes a fresh, empty database on the shared test cluster (started on first use).
     *
     * @param prefix a name prefix (letters, digits, underscores), e.g. the test class's simple name
     * @return the database's JDBC URL ({@code jdbc:postgresql://127.0.0.1:PORT/NAME}); user
     *         {@link #USER}, empty password
     * @throws org.opentest4j.TestAbortedException when PostgreSQL cannot be had (the test is skipped)
     */
    public static String newDatabase(String prefix) {
        TestPostgres pg = server();
        String name = (prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet());
        try (Connection c = DriverManager.getConnection(pg.url("postgres"), USER, "");
             Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("create database " + name + " on the test PostgreSQL: " + e.getMessage(), e);
        }
        return pg.url(name);
    }

    /**
     * Starts the shared cluster when not yet started.
     *
     * @throws org.opentest4j.TestAbortedException when PostgreSQL cannot be had (the test is skipped)
     */
    public static void assumeAvailable() {
        server();
    }

    /** The cluster's superuser (trust authentication, no password). */
    public static final String USER = "postgres";

    /**
     * @param jdbcUrl a URL from {@link #newDatabase(String)}
     * @return the hub arguments that put its datasource on that database
     */
    public static String[] hubArgs(String jdbcUrl) {
        return new String[] {"--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=" + USER,
            "--spring.datasource.password="};
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private static synchronized TestPostgres server() {
        if (server == null && unavailable == null) {
            try {
                server = startCluster();
            } catch (RuntimeException | IOException e) {
                unavailable = e.getMessage();
            }
        }
        Assumptions.assumeTrue(server != null, () -> "PostgreSQL is not available (" + unavailable
            + "); the PostgreSQL variants of the tests are skipped. Install it with: " + INSTALL);
        return server;
    }

    /** @return the directory of initdb/pg_ctl: $CERTHUB_PG_BIN or the newest /usr/lib/postgresql/N/bin */
    static Path findBin() throws IOException {
        String env = System.getenv("CERTHUB_PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            throw new IOException("no " + base + " (Debian package postgresql not installed)");
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.filter(p -> p.getFileName().toString().matches("\\d+") && Files.isExecutable(p.resolve("bin/initdb")))
                .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
                .map(p -> p.resolve("bin"))
                .orElseThrow(() -> new IOException("no " + base + "/N/bin/initdb"));
        }
    }

    private static TestPostgres startCluster() throws IOException {
        Path bin = findBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("certhub-pg-");
        Path data = dir.resolve("data");
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()), false, Duration.ofSeconds(10));
        }
        int port = freePort();
        TestPostgres pg = new TestPostgres(bin, dir, port, root);
        pg.pgRun(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"), Duration.ofSeconds(120));
        // max_connections: a hub's pool is 40 connections and some tests run two hubs at once
        pg.pgRun(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
            "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c max_connections=300"
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "-w", "-t", "60", "start"), Duration.ofSeconds(90));
        Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "test-postgres-stop"));
        return pg;
    }

    private void stop() {
        try {
            pgRun(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"),
                Duration.ofSeconds(30));
        } catch (RuntimeException | IOException e) {
            System.err.println("test PostgreSQL did not stop: " + e.getMessage());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind
        }
    }

    private void pgRun(List<String> command, Duration timeout) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full, true, timeout);
    }

    private static void run(List<String> command, boolean inTmp, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (inTmp) {
            pb.directory(new java.io.File(System.getProperty("java.io.tmpdir")));   // readable by the postgres user
        }
        Process p = pb.start();
        byte[] out;
        try {
            // pg_ctl start leaves the server running with its output in the log file: read until exit
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": "
                + new String(out, StandardCharsets.UTF_8).strip());
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
