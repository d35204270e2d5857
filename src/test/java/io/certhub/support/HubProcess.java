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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * The hub as its own operating-system process, started from the packaged jar as a user runs it
 * ({@code java -Xmx512m -jar target/sandbox/certhub-*-sandbox.jar} from the project root, so routes/ and
 * config/ load from there; with the {@code production} profile the production jar {@code target/certhub-*.jar}), for the tests that need what only a process has: a SIGTERM, a
 * {@code kill -9}, a restart on the same data. Integration tests only ({@code *IT}, run by
 * Failsafe after {@code package}). Output goes to {@code target/it-logs/<name>-<n>.log}.
 *
 * <p>Ports are chosen by the caller and kept across {@link #restart()}, so a client of the
 * embedded mail server or of the HTTP port finds the same addresses after a restart.
 *
 * <p>{@link #builder(String)} starts it as an operator does in production: a Spring profile,
 * settings only from environment variables ({@link Builder#onlyEnvironment()}: port, data dir
 * and banner too, no {@code --} argument), extra JVM options (heap, diagnostics), and HTTPS
 * calls to a hub that serves TLS ({@link Builder#tls(SSLContext)}). A child never inherits the
 * test JVM's {@code HUB_*}, {@code SPRING_*} or {@code SERVER_*} variables, and every child still
 * alive when the test JVM exits is killed by a shutdown hook.
 */
public final class HubProcess implements AutoCloseable {

    /** Children not yet seen to exit: killed when the test JVM exits (a test that failed before its close). */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "hub-process-reaper"));
    }

    private final String name;
    private final Path dataDir;
    private final int port;
    private final List<String> args;
    private final Map<String, String> env;
    private final List<String> jvm;
    private final String heap;
    private final boolean onlyEnvironment;
    private final SSLContext tls;
    private final HttpClient http;
    private Process process;
    private Path log;
    private int runs;

    private HubProcess(String name, Path dataDir, int port, List<String> args) {
        this(name, dataDir, port, args, Map.of(), List.of(), "512m", false, null);
    }

    private HubProcess(String name, Path dataDir, int port, List<String> args, Map<String, String> env, List<String> jvm,
                       String heap, boolean onlyEnvironment, SSLContext tls) {
        this.name = name;
        this.dataDir = dataDir;
        this.port = port;
        this.args = args;
        this.env = env;
        this.jvm = jvm;
        this.heap = heap;
        this.onlyEnvironment = onlyEnvironment;
        this.tls = tls;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    /**
     * @param name log file name prefix ({@code target/it-logs/<name>-<n>.log})
     * @return a builder of a hub process (heap 384 MB unless {@link Builder#heap(String)} says otherwise)
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** How a hub process is started: see {@link HubProcess#builder(String)}. */
    public static final class Builder {
        private final String name;
        private Path dataDir;
        private int port;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> jvm = new ArrayList<>();
        private String heap = "384m";
        private boolean onlyEnvironment;
        private SSLContext tls;

        private Builder(String name) {
            this.name = name;
        }

        /** @param dir {@code hub.data-dir} @return this */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** @param httpPort {@code server.port} @return this */
        public Builder port(int httpPort) {
            this.port = httpPort;
            return this;
        }

        /** @param more {@code --name=value} arguments (not with {@link #onlyEnvironment()}) @return this */
        public Builder args(List<String> more) {
            this.args.addAll(more);
            return this;
        }

        /** @param variable environment variable name @param value its value @return this */
        public Builder env(String variable, String value) {
            this.env.put(variable, value);
            return this;
        }

        /** @param variables environment variables @return this */
        public Builder env(Map<String, String> variables) {
            this.env.putAll(variables);
            return this;
        }

        /** @param profiles {@code SPRING_PROFILES_ACTIVE} @return this */
        public Builder profile(String profiles) {
            return env("SPRING_PROFILES_ACTIVE", profiles);
        }

        /** @param options JVM options before {@code -jar} (diagnostics such as {@code -Xlog}) @return this */
        public Builder jvm(String... options) {
            this.jvm.addAll(List.of(options));
            return this;
        }

        /** @param max the {@code -Xmx} value, e.g. {@code 384m} @return this */
        public Builder heap(String max) {
            this.heap = max;
            return this;
        }

        /**
         * Port, data dir and banner go as {@code SERVER_PORT}, {@code HUB_DATA_DIR},
         * {@code SPRING_MAIN_BANNER_MODE}; the command line carries no hub setting at all.
         *
         * @return this
         */
        public Builder onlyEnvironment() {
            this.onlyEnvironment = true;
            return this;
        }

        /**
         * The hub serves HTTPS ({@code server.ssl.*}): health and {@link #call} go to
         * {@code https://localhost:<port>} with this client context (its trust decides).
         *
         * @param context the client's SSL context
         * @return this
         */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        private HubProcess build() {
            if (onlyEnvironment && !args.isEmpty()) {
                throw new IllegalArgumentException("onlyEnvironment() takes no --arguments: " + args);
            }
            return new HubProcess(name, dataDir, port, List.copyOf(args), Map.copyOf(env), List.copyOf(jvm), heap,
                onlyEnvironment, tls);
        }

        /**
         * Starts the hub and waits (at most 5 minutes) until {@code /actuator/health} answers UP.
         *
         * @return the running hub
         * @throws IllegalStateException when the process exits or is not UP in time (its log named)
         */
        public HubProcess start() {
            HubProcess hub = build();
            try {
                hub.launch();
            } catch (RuntimeException | Error e) {
                if (hub.process != null) {
                    hub.process.destroyForcibly();     // not UP in time: the caller gets no handle to close
                }
                throw e;
            }
            return hub;
        }

        /**
         * Starts the hub and waits for it to exit by itself (a refused configuration).
         *
         * @param atMost how long it may take; then it is killed
         * @return its exit code and log
         * @throws IllegalStateException when it is still running after {@code atMost} (killed)
         */
        public Exit runToExit(Duration atMost) {
            HubProcess hub = build();
            hub.spawn();
            try {
                if (!hub.process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                    hub.process.destroyForcibly();
                    throw new IllegalStateException("hub " + name + " still ran after " + atMost + "; see " + hub.log);
                }
                LIVE.remove(hub.process);
                return new Exit(hub.process.exitValue(), Files.readString(hub.log));
            } catch (InterruptedException e) {
                hub.process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A process that ended by itself.
     *
     * @param code its exit code
     * @param log  everything it wrote (stdout and stderr)
     */
    public record Exit(int code, String log) { }

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
        try {
            hub.launch();
        } catch (RuntimeException | Error e) {
            if (hub.process != null) {
                hub.process.destroyForcibly();         // not UP in time: the caller gets no handle to close
            }
            throw e;
        }
        return hub;
    }

    /**
     * @param production true: the production jar {@code target/certhub-*.jar} (no sandbox add-on); false: the sandbox jar
     *                   {@code target/sandbox/certhub-*-sandbox.jar} (the embedded default)
     * @return the packaged jar (the repackaged one, not {@code *.original})
     */
    public static Path jar(boolean production) {
        Path dir = production ? Path.of("target") : Path.of("target", "sandbox");
        String pattern = production ? "certhub-.*(?<!-sandbox)\\.jar" : "certhub-.*-sandbox\\.jar";
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches(pattern)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + dir + "/" + pattern + ": run the integration tests with mvn verify"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void spawn() {
        runs++;
        try {
            Files.createDirectories(Path.of("target", "it-logs"));
            log = Path.of("target", "it-logs", name + "-" + runs + ".log").toAbsolutePath();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap));
            cmd.addAll(jvm);
            // the production profile runs the production jar, everything else the embedded default's sandbox jar
            cmd.addAll(List.of("-jar", jar("production".equals(env.get("SPRING_PROFILES_ACTIVE"))).toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            // the child's settings are the ones given here, never the test JVM's own
            pb.environment().keySet().removeIf(k -> k.startsWith("HUB_") || k.startsWith("SPRING_") || k.startsWith("SERVER_"));
            if (onlyEnvironment) {
                pb.environment().put("SERVER_PORT", Integer.toString(port));
                pb.environment().put("HUB_DATA_DIR", dataDir.toString());
                pb.environment().put("SPRING_MAIN_BANNER_MODE", "off");
            } else {
                cmd.addAll(List.of("--server.port=" + port, "--hub.data-dir=" + dataDir, "--spring.main.banner-mode=off"));
                cmd.addAll(args);
                pb.command(cmd);
            }
            pb.environment().putAll(env);
            process = pb.start();
            LIVE.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        spawn();
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
        String base = tls != null ? "https://localhost:" : "http://127.0.0.1:";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + port + path)).timeout(Duration.ofSeconds(30));
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
