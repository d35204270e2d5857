package io.certhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub (or the bare app) as a separate process started by the benchmark: {@code java -Xmx512m
 * -jar target/sandbox/certhub-*-sandbox.jar} from the project root (routes/ and config/ load from there), on free
 * ports and a fresh data dir. Measures start-up (launch to {@code /actuator/health} UP), peak
 * resident set ({@code VmHWM} of {@code /proc/<pid>/status}) and peak heap (actuator
 * {@code jvm.memory.used?tag=area:heap}, sampled every 250 ms by a background thread).
 */
final class HubProcess implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEMO_KEY = "demo-key";
    static final String OPERATOR_KEY = "operator-key";

    final String name;
    final int port;
    final int smtpPort;
    final int imapPort;
    final Path dataDir;
    /** false when the data dir is shared with other hub processes (the caller deletes it) */
    private final boolean ownsDataDir;
    final Process process;
    final double startupSeconds;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong heapPeak = new AtomicLong();
    private volatile boolean sampling = true;
    private final Thread sampler;

    private HubProcess(String name, int port, int smtpPort, int imapPort, Path dataDir, boolean ownsDataDir, Process process,
                       double startupSeconds) {
        this.name = name;
        this.ownsDataDir = ownsDataDir;
        this.port = port;
        this.smtpPort = smtpPort;
        this.imapPort = imapPort;
        this.dataDir = dataDir;
        this.process = process;
        this.startupSeconds = startupSeconds;
        this.sampler = new Thread(this::sample, "heap-sampler-" + name);
        this.sampler.setDaemon(true);
        this.sampler.start();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the hub jar.
     *
     * @param cfg   benchmark settings (jar, project root, output dirs, JFR)
     * @param name  run name (log and JFR file names)
     * @param extra more {@code --name=value} arguments
     */
    static HubProcess startHub(Config cfg, String name, List<String> extra) throws IOException, InterruptedException {
        return startHub(cfg, name, null, extra);
    }

    /**
     * Starts the hub jar, on a data dir of its own or on one shared with other hub processes
     * (several instances on one database: one inbox, one sandbox CA; README "Performance").
     *
     * @param cfg        benchmark settings (jar, project root, output dirs, JFR)
     * @param name       run name (log and JFR file names)
     * @param sharedData a data dir shared with other hubs (not deleted on {@link #close()}: the
     *                   caller deletes it), or null for a fresh one of this hub's own
     * @param extra      more {@code --name=value} arguments
     */
    static HubProcess startHub(Config cfg, String name, Path sharedData, List<String> extra) throws IOException, InterruptedException {
        int port = freePort();
        int smtp = freePort();
        int imap = freePort();
        Path dataDir = sharedData != null ? sharedData : Files.createTempDirectory("certhub-bench-" + name + "-");
        List<String> cmd = new ArrayList<>(List.of(cfg.javaBin(), "-Xmx512m"));
        for (String option : System.getProperty("bench.hub.jvm", "").split("\\|")) {
            if (!option.isBlank()) {
                cmd.add(option.trim());         // e.g. -XX:NativeMemoryTracking=summary, for diagnosis only
            }
        }
        if (cfg.jfr()) {
            Files.createDirectories(cfg.out().resolve("jfr"));
            cmd.add("-XX:StartFlightRecording=filename=" + cfg.out().resolve("jfr").resolve(name + ".jfr") + ",settings=profile,dumponexit=true");
        }
        cmd.addAll(List.of("-jar", cfg.jar().toString(),
            "--server.port=" + port, "--hub.data-dir=" + dataDir,
            "--hub.sandbox.smtp-port=" + smtp, "--hub.sandbox.imap-port=" + imap,
            "--hub.mailbox.port=" + imap, "--hub.mail.smtp.port=" + smtp,
            "--spring.main.banner-mode=off"));
        cmd.addAll(extra);
        return launch(cfg, name, cmd, cfg.root(), port, smtp, imap, dataDir, sharedData == null);
    }

    /**
     * Starts the bare Camel + Spring Boot app ({@link io.certhub.bench.bare.BareCamelApp}) from the
     * same jar (its nested libraries, so the same starters) with Spring Boot's PropertiesLauncher,
     * {@code -Dloader.main} naming the bare class and {@code -Dloader.path} the directory holding
     * only that class. Working directory: a fresh temp dir, so the hub's config/ and routes/ are
     * not seen.
     */
    static HubProcess startBare(Config cfg, String name, Path bareClasses) throws IOException, InterruptedException {
        int port = freePort();
        Path dir = Files.createTempDirectory("certhub-bench-bare-");
        List<String> cmd = new ArrayList<>(List.of(cfg.javaBin(), "-Xmx512m",
            "-Dloader.main=io.certhub.bench.bare.BareCamelApp", "-Dloader.path=" + bareClasses,
            "-cp", cfg.jar().toString(), "org.springframework.boot.loader.launch.PropertiesLauncher",
            "--server.port=" + port, "--spring.main.banner-mode=off",
            "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("db/bare") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
            "--spring.datasource.username=sa", "--spring.datasource.password=",
            "--spring.flyway.locations=classpath:bench-bare-none",
            "--camel.springboot.main-run-controller=true",
            "--management.endpoints.web.exposure.include=health,info,metrics",
            "--management.endpoint.health.show-details=always"));
        return launch(cfg, name, cmd, dir, port, 0, 0, dir, true);
    }

    private static HubProcess launch(Config cfg, String name, List<String> cmd, Path workDir, int port, int smtp, int imap, Path dataDir,
                                     boolean ownsDataDir) throws IOException, InterruptedException {
        Files.createDirectories(cfg.out().resolve("logs"));
        Path log = cfg.out().resolve("logs").resolve(name + ".log");
        Files.writeString(log, String.join(" ", cmd) + "\n\n");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long t0 = System.nanoTime();
        Process p = pb.start();
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
            .timeout(Duration.ofSeconds(5)).build();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + " before it was UP; see " + log);
            }
            try {
                HttpResponse<String> r = c.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && "UP".equals(JSON.readTree(r.body()).path("status").asText())) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " was not UP within 180 s; see " + log);
            }
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Bench.log("%s UP in %.2f s (port %d, pid %d)", name, seconds, port, p.pid());
        return new HubProcess(name, port, smtp, imap, dataDir, ownsDataDir, p, seconds);
    }

    private void sample() {
        while (sampling) {
            try {
                heapNow();
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the hub is busy or stopping: the next sample counts
            }
        }
    }

    /** @return heap used now in bytes (also recorded as a peak candidate) */
    long heapNow() {
        HttpResponse<String> r = get("/actuator/metrics/jvm.memory.used?tag=area:heap", null);
        if (r.statusCode() != 200) {
            return -1;
        }
        long v = (long) parse(r.body()).path("measurements").path(0).path("value").asDouble();
        heapPeak.accumulateAndGet(v, Math::max);
        return v;
    }

    /** Resets the heap peak (at the start of a run sharing a process with an earlier one). */
    void resetHeapPeak() {
        heapPeak.set(0);
    }

    /** @return the peak heap sampled so far, MB */
    double heapPeakMb() {
        return heapPeak.get() / 1048576.0;
    }

    /** @return the process's peak resident set so far (VmHWM), MB */
    double rssPeakMb() {
        return procStatus("VmHWM:") / 1024.0;
    }

    /**
     * Resets the process's peak resident set (VmHWM) to its resident set now (Linux: {@code 5}
     * written to {@code /proc/<pid>/clear_refs}), so that a later {@link #rssPeakMb()} is the peak
     * of what ran in between.
     *
     * @return whether it was reset (false: VmHWM stays the peak since launch)
     */
    boolean resetRssPeak() {
        try {
            Files.writeString(Path.of("/proc/" + process.pid() + "/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** @return the process's resident set now (VmRSS), MB */
    double rssNowMb() {
        return procStatus("VmRSS:") / 1024.0;
    }

    /** @return CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat (100 ticks/s) */
    double cpuSeconds() {
        return cpuSeconds(process.pid());
    }

    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            // process gone
        }
        return -1;
    }

    /**
     * @param metric an actuator metric name, e.g. {@code certhub.vendor.submitted}
     * @return its COUNT (or first measurement); 0 when the meter does not exist yet
     */
    double metric(String metric) {
        HttpResponse<String> r = get("/actuator/metrics/" + metric, null);
        if (r.statusCode() == 404) {
            return 0;
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("metric " + metric + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return parse(r.body()).path("measurements").path(0).path("value").asDouble();
    }

    /**
     * @param meter     an actuator metric name with its tag filter, e.g.
     *                  {@code certhub.lifecycle.scan?tag=scan:renewal-reminders}
     * @param statistic the measurement, e.g. {@code COUNT}, {@code TOTAL_TIME} (seconds), {@code MAX}
     * @return its value; 0 when the meter does not exist yet
     */
    double metricStatistic(String meter, String statistic) {
        HttpResponse<String> r = get("/actuator/metrics/" + meter, null);
        if (r.statusCode() == 404) {
            return 0;
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("metric " + meter + ": HTTP " + r.statusCode() + " " + r.body());
        }
        for (JsonNode m : parse(r.body()).path("measurements")) {
            if (statistic.equals(m.path("statistic").asText())) {
                return m.path("value").asDouble();
            }
        }
        return 0;
    }

    /**
     * @param state an order state
     * @return how many orders of the demo account are in it ({@code totalElements} of a one-item page)
     */
    long countOrders(String state) {
        HttpResponse<String> r = get("/api/v1/orders?state=" + state + "&size=1", DEMO_KEY);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("order count: HTTP " + r.statusCode() + " " + r.body());
        }
        return parse(r.body()).path("totalElements").asLong();
    }

    /** Puts money on the demo account so that no order is refused for funds. */
    void deposit(String amount) {
        HttpResponse<String> r = post("/api/v1/accounts/demo/deposits", OPERATOR_KEY,
            "{\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"reference\":\"benchmark\"}");
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("deposit: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /**
     * Walks every order of a state, page by page (not timed: used to check a run's outcome).
     *
     * @param state order state
     * @return the orders (JSON views)
     */
    List<JsonNode> listAll(String state) {
        List<JsonNode> all = new ArrayList<>();
        for (int page = 0; ; page++) {
            HttpResponse<String> r = get("/api/v1/orders?state=" + state + "&size=200&page=" + page, DEMO_KEY);
            JsonNode items = parse(r.body()).path("items");
            items.forEach(all::add);
            if (items.size() < 200) {
                return all;
            }
        }
    }

    HttpResponse<String> get(String path, String key) {
        return send("GET", path, key, null);
    }

    HttpResponse<String> post(String path, String key, String body) {
        return send("POST", path, key, body);
    }

    HttpResponse<String> send(String method, String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            b.header("X-Api-Key", key);
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

    String base() {
        return "http://127.0.0.1:" + port;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the process (SIGTERM, graceful), forcibly after 30 s. */
    @Override
    public void close() {
        sampling = false;
        sampler.interrupt();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsDataDir) {
            deleteTree(dataDir);
        }
    }

    /** Deletes a fresh temp directory of the benchmark (data dir, floor database) once it is done with. */
    static void deleteTree(Path dir) {
        if (dir == null || !dir.getFileName().toString().startsWith("certhub-bench-")) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is under the temp directory
        }
    }
}
