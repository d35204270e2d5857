package io.certhub.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The hub as its own operating-system process, started from the packaged jar as a user runs it
 * ({@code java -Xmx512m -jar target/certhub-*.jar} from the project root, so routes/ and config/
 * load from there), for the tests that need what only a process has: a SIGTERM, a
 * {@code kill -9}, a restart on the same data. Integration tests only ({@code *IT}, run by
 * Failsafe after {@code package}). Output goes to {@code target/it-logs/<name>-<n>.log}.
 *
 * <p>Ports are chosen by the caller and kept across {@link #restart()}, so a client of the
 * embedded mail server or of the HTTP port finds the same addresses after a restart.
 */
public final class HubProcess implements AutoCloseable {

    private final String name;
    private final Path dataDir;
    private final int port;
    private final List<String> args;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    private Path log;
    private int runs;

    private HubProcess(String name, Path dataDir, int port, List<String> args) {
        this.name = name;
        this.dataDir = dataDir;
        this.port = port;
        this.args = args;
    }

    /**
     * Starts the hub jar and waits (at most 5 minutes, for a loaded machine) until {@code /actuator/health} answers UP.
     *
     * @param name    log file name prefix
     * @param dataDir {@code hub.data-dir}
     * @param port    {@code server.port}
     * @param args    more {@code --name=value} arguments (mail ports, timings)
     * @return the running hub
     * @throws IllegalStateException when the process exits or is not UP in time (its log named)
     */
    public static HubProcess start(String name, Path dataDir, int port, List<String> args) {
        HubProcess hub = new HubProcess(name, dataDir, port, List.copyOf(args));
        hub.launch();
        return hub;
    }

    /** @return the packaged jar under target/ (the repackaged one, not {@code *.original}) */
    public static Path jar() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("certhub-.*\\.jar")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no target/certhub-*.jar: run the integration tests with mvn verify"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        runs++;
        try {
            Files.createDirectories(Path.of("target", "it-logs"));
            log = Path.of("target", "it-logs", name + "-" + runs + ".log").toAbsolutePath();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar().toString(), "--server.port=" + port, "--hub.data-dir=" + dataDir,
                "--spring.main.banner-mode=off"));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await("hub " + name + " UP (log " + log + ")").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
            .until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("hub exited with " + process.exitValue() + " before it was UP; see " + log);
                }
                if (Files.readString(log).contains("Application run failed")) {
                    process.destroyForcibly();
                    throw new IllegalStateException("hub failed to start; see " + log);
                }
                return up();
            });
    }

    private boolean up() {
        try {
            HttpResponse<String> r = call("GET", "/actuator/health", null, null);
            return r.statusCode() == 200 && "UP".equals(OrderJson.parse(r.body()).path("status").asText());
        } catch (RuntimeException e) {
            return false;       // not listening yet
        }
    }

    /**
     * Sends SIGTERM (what {@code kill}, systemd and Kubernetes send) and waits for the process to
     * exit.
     *
     * @param atMost how long to wait before giving up (the process is then killed)
     * @return the time from the signal to the exit
     * @throws IllegalStateException when it did not exit within {@code atMost}
     */
    public Duration terminate(Duration atMost) {
        long t0 = System.nanoTime();
        process.destroy();                      // SIGTERM on Linux
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("hub " + name + " did not stop within " + atMost + " of SIGTERM; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Kills the process at once (SIGKILL, {@code kill -9}): no shutdown hook runs. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the hub again on the same data dir, port and arguments (after a terminate or kill). */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("hub " + name + " is still running");
        }
        launch();
    }

    /** @return the current run's log file */
    public Path log() {
        return log;
    }

    /** @return every run's log text so far */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= runs; i++) {
            try {
                sb.append(Files.readString(Path.of("target", "it-logs", name + "-" + i + ".log")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sb.toString();
    }

    /** @return the HTTP port */
    public int port() {
        return port;
    }

    /**
     * @param method  HTTP method
     * @param path    path, e.g. /api/v1/orders
     * @param key     X-Api-Key or null
     * @param body    JSON body or null
     * @return the response (timeout 30 s)
     * @throws UncheckedIOException when the hub cannot be reached
     */
    public HttpResponse<String> call(String method, String path, String key, String body) {
        return call(method, path, key, body, new String[0]);
    }

    /**
     * As {@link #call(String, String, String, String)} with more request headers.
     *
     * @param headers name, value, name, value … (e.g. {@code "Idempotency-Key", "K-1"})
     */
    public HttpResponse<String> call(String method, String path, String key, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            b.header("X-Api-Key", key);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET as JSON. @param path path @param key api key @return the parsed body */
    public JsonNode getJson(String path, String key) {
        HttpResponse<String> r = call("GET", path, key, null);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return OrderJson.parse(r.body());
    }

    /**
     * @param metric actuator metric name, e.g. certhub.deliveries.sent
     * @return its value since this run started (0 while never counted)
     */
    public double metric(String metric) {
        HttpResponse<String> r = call("GET", "/actuator/metrics/" + metric, null, null);
        return r.statusCode() == 200 ? OrderJson.parse(r.body()).path("measurements").path(0).path("value").asDouble() : 0;
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                terminate(Duration.ofSeconds(60));
            } catch (IllegalStateException e) {
                // killed by terminate
            }
        }
    }
}
