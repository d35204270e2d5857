package io.certhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.bench.bare.BareCamelApp;
import io.certhub.support.TestPostgres;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.HdrHistogram.Histogram;

/**
 * The Certhub benchmark (issue 6): starts the hub jar as a separate process per run, on a fresh
 * data dir and free ports, and measures it across the wire; runs the floor beside it; writes
 * {@code target/bench/results.json}, {@code report.md} and {@code throughput.png}. It reports
 * figures and never fails on them (only a broken set-up stops it).
 */
public final class Bench {

    static final DateTimeFormatter T = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** Submission consumers of the hub (hub.vendor.concurrency default): the floor's thread count for W1. */
    static final int HUB_VENDOR_THREADS = 64;
    /**
     * Threads the hub spends on W3: the mailbox consumer (1) and the admin-delivery senders
     * (hub.mail.delivery-threads default, 8).
     */
    static final int HUB_W3_THREADS = 1 + 8;
    static final String HUB_MAILBOX = "ssl-orders@reseller.example.com";

    final Config cfg;
    final List<Map<String, Object>> records = new ArrayList<>();
    final List<Double> hubStartups = new ArrayList<>();
    final List<Double> hubStartupRss = new ArrayList<>();
    Orders pool;
    /** why the test PostgreSQL cannot be had (the PostgreSQL runs are skipped), or null */
    String pgUnavailable;

    Bench(Config cfg) {
        this.cfg = cfg;
    }

    static void log(String fmt, Object... args) {
        System.out.println("[bench " + LocalTime.now().format(T) + "] " + String.format(fmt, args));
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        Config cfg = Config.fromSystem();
        Files.createDirectories(cfg.out());
        long t0 = System.nanoTime();
        Bench b = new Bench(cfg);
        log("jar %s, W1 N=%s, W2 %d requests per C, W3 N=%s, only=%s, jfr=%s", cfg.jar(), cfg.n(), cfg.w2Requests(), cfg.w3n(),
            cfg.only(), cfg.jfr());
        int exit = 0;
        try {
            b.run();
        } catch (Exception e) {
            log("the benchmark stopped: %s", e);
            e.printStackTrace(System.out);
            exit = 1;
        } finally {
            double minutes = (System.nanoTime() - t0) / 6e10;
            log("benchmark took %.1f min", minutes);
            Report.write(cfg, b.records, minutes);
            log("wrote %s", cfg.out());
        }
        // HTTP client and mail threads of the JDK and Jakarta Mail must not keep this JVM (and Maven) waiting
        System.exit(exit);
    }

    void run() throws Exception {
        // W4 alone needs one CSR (its template order)
        int poolSize = cfg.only().equals(java.util.Set.of("w4")) ? 1
            : Math.max(Math.max(cfg.maxN(), cfg.maxW3()), 300 + 3 * cfg.w2Requests());
        long t = System.nanoTime();
        pool = new Orders(poolSize);
        log("CSR pool: %d CSRs on %d P-256 keys in %.1f s", poolSize, Orders.KEYS, (System.nanoTime() - t) / 1e9);

        if (cfg.runs("startup")) {
            bareStartups();
        }
        if (cfg.runs("W1")) {
            for (int latency : ints(System.getProperty("bench.w1.latencies", "0,200"))) {
                for (int n : latency == 0 ? cfg.n() : ints(System.getProperty("bench.w1.n200", "1000"))) {
                    for (String kind : System.getProperty("bench.w1.kinds", "csv,json").split(",")) {
                        w1(kind, n, latency);
                    }
                }
            }
        }
        if (cfg.runs("W1pg")) {
            w1PgRuns();
        }
        if (cfg.runs("floor")) {
            for (int latency : ints(System.getProperty("bench.w1.latencies", "0,200"))) {
                floorW1(latency == 0 ? cfg.maxN() : ints(System.getProperty("bench.w1.n200", "1000")).stream().mapToInt(i -> i).max().orElse(1000), latency);
            }
        }
        if (cfg.runs("W2")) {
            w2();
        }
        if (cfg.runs("W3")) {
            for (int n : cfg.w3n()) {
                w3(n, n == cfg.maxW3() && cfg.runs("floor"));
            }
        }
        if (cfg.runs("W4")) {
            new W4(this, null).run();
        }
        if (cfg.runs("W4pg")) {
            String db = pgDatabase("bench_w4");
            if (db != null) {
                new W4(this, db).run();
            }
        }
        if (!hubStartups.isEmpty()) {
            Map<String, Object> r = record("startup", hubStartups.size(), null, null, median(hubStartups), null, null, null,
                median(hubStartupRss), null);
            r.put("app", "hub");
            r.put("note", "median of every hub launch in this run (launch to /actuator/health UP); rssMb = resident set at UP");
            records.add(r);
        }
    }

    // ================================================================== records

    static Map<String, Object> record(String workload, Integer n, Integer clients, Integer vendorLatencyMs, double seconds, Double rate,
                                      Double p50, Double p99, Double rssMb, Double heapMb) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", workload);
        r.put("n", n);
        r.put("clients", clients);
        r.put("vendorLatencyMs", vendorLatencyMs);
        r.put("seconds", round(seconds, 3));
        r.put("ratePerSecond", rate == null ? null : round(rate, 1));
        r.put("p50Ms", p50 == null ? null : round(p50, 2));
        r.put("p99Ms", p99 == null ? null : round(p99, 2));
        r.put("rssMb", rssMb == null ? null : round(rssMb, 0));
        r.put("heapMb", heapMb == null ? null : round(heapMb, 0));
        r.put("loadAvg1m", loadAverage());
        return r;
    }

    /**
     * W1pg: for each kind and each size of {@code bench.pg.n} (default: the largest of
     * {@code bench.n}), instant vendor: the H2 single-instance W1 (unless W1 ran it already in this
     * run, so the ratios compare runs of one benchmark), then W1 on PostgreSQL, then W1 with 2
     * instances on PostgreSQL.
     */
    void w1PgRuns() throws Exception {
        String pgN = System.getProperty("bench.pg.n", "");
        List<Integer> sizes = pgN.isBlank() ? List.of(cfg.maxN()) : ints(pgN);
        try {
            TestPostgres.assumeAvailable();     // initdb + pg_ctl start of a throw-away cluster, stopped at exit
        } catch (RuntimeException e) {          // TestAbortedException: no binaries, or the cluster did not start
            pgUnavailable = e.getMessage();
            log("W1pg skipped, PostgreSQL is not available: %s", pgUnavailable);
            return;
        }
        log("W1pg: test PostgreSQL up; W1 on PostgreSQL and on 2 instances, N=%s, kinds %s", sizes,
            System.getProperty("bench.w1.kinds", "csv,json"));
        for (int n : sizes) {
            for (String kind : System.getProperty("bench.w1.kinds", "csv,json").split(",")) {
                if (Report.find(records, "W1-" + kind, n, 0, null).isEmpty()) {
                    w1(kind, n, 0);
                }
                w1Pg(kind, n);
                w1Pg2x(kind, n);
            }
        }
    }

    static List<Integer> ints(String s) {
        return java.util.Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(Integer::parseInt).toList();
    }

    /** @return the 1-minute load average now (other users of the machine show up here) */
    static Double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return null;
        }
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }

    HubProcess hub(String name, List<String> extra) throws Exception {
        return hub(name, null, extra);
    }

    /** Starts a hub process (its own data dir when {@code sharedData} is null) and records its start-up. */
    HubProcess hub(String name, Path sharedData, List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(extra);
        for (String a : System.getProperty("bench.hub.extra", "").split("\\|")) {
            if (!a.isBlank()) {
                args.add(a.trim());         // what-if experiments only (e.g. a suggested fix); empty in the benchmark
            }
        }
        HubProcess h = HubProcess.startHub(cfg, name, sharedData, args);
        hubStartups.add(h.startupSeconds);
        hubStartupRss.add(h.rssNowMb());
        return h;
    }

    // ================================================================== start-up

    void bareStartups() throws Exception {
        Path dir = cfg.out().resolve("bare-classes");
        Path cls = Path.of(BareCamelApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path rel = Path.of("io/certhub/bench/bare/BareCamelApp.class");
        Files.createDirectories(dir.resolve(rel).getParent());
        Files.copy(cls.resolve(rel), dir.resolve(rel), StandardCopyOption.REPLACE_EXISTING);
        List<Double> secs = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (HubProcess bare = HubProcess.startBare(cfg, "bare-" + i, dir)) {
                secs.add(bare.startupSeconds);
                rss.add(bare.rssNowMb());
            }
        }
        Map<String, Object> r = record("startup", secs.size(), null, null, median(secs), null, null, null, median(rss), null);
        r.put("app", "bare");
        r.put("note", "bare Camel + Spring Boot app, same jar and starters, no hub code (median of 3 launches)");
        records.add(r);
    }

    // ================================================================== W1

    static List<String> intakeArgs(int latencyMs) {
        return List.of("--hub.sandbox.auto-approve=false", "--hub.sandbox.vendor-latency=" + latencyMs + "ms");
    }

    void w1(String kind, int n, int latency) throws Exception {
        String name = "W1-" + kind + "-" + n + "-" + latency + "ms";
        try (HubProcess hub = hub(name, intakeArgs(latency))) {
            w1Timed("W1-" + kind, name, kind, n, latency, List.of(hub), hub.dataDir, "H2 (embedded, file)");
        }
    }

    /**
     * W1 on a fresh PostgreSQL database (issue 12 §3): the same files and hub settings as
     * {@link #w1}, the hub's datasource on the test PostgreSQL ({@code io.certhub.support.TestPostgres}).
     * Workload name {@code W1-<kind>-pg}; skipped (logged) when PostgreSQL cannot be had.
     */
    void w1Pg(String kind, int n) throws Exception {
        String db = pgDatabase("bench_w1_" + kind + "_" + n);
        if (db == null) {
            return;
        }
        String name = "W1-" + kind + "-" + n + "-pg";
        List<String> args = new ArrayList<>(intakeArgs(0));
        args.addAll(List.of(TestPostgres.hubArgs(db)));
        try (HubProcess hub = hub(name, null, args)) {
            w1Timed("W1-" + kind + "-pg", name, kind, n, 0, List.of(hub), hub.dataDir, "PostgreSQL " + db);
        }
    }

    /**
     * W1 with 2 hub instances (issue 12 §3): two hub processes, started one after the other (the
     * first makes the sandbox accounts), on one fresh PostgreSQL database and one data dir (so one
     * inbox: a database read lock gives each file to one instance; the orders of a file are then
     * submitted by whichever instance's sweep claims them). Each hub has its own HTTP port, sandbox
     * vendor (sharing the sandbox tables) and embedded mail server ports. Timed until the SUM over
     * both hubs of {@code certhub.vendor.submitted} reaches N; CPU of both processes. Workload name
     * {@code W1-<kind>-pg-2x}; skipped (logged) when PostgreSQL cannot be had.
     */
    void w1Pg2x(String kind, int n) throws Exception {
        String db = pgDatabase("bench_w1_" + kind + "_" + n + "_2x");
        if (db == null) {
            return;
        }
        String name = "W1-" + kind + "-" + n + "-pg-2x";
        Path shared = Files.createTempDirectory("certhub-bench-" + name + "-");
        List<String> args = new ArrayList<>(intakeArgs(0));
        args.addAll(List.of(TestPostgres.hubArgs(db)));
        List<String> argsA = new ArrayList<>(args);
        argsA.add("--hub.cluster.instance-id=bench-a");
        List<String> argsB = new ArrayList<>(args);
        argsB.add("--hub.cluster.instance-id=bench-b");
        try (HubProcess a = hub(name + "-a", shared, argsA); HubProcess b = hub(name + "-b", shared, argsB)) {
            w1Timed("W1-" + kind + "-pg-2x", name, kind, n, 0, List.of(a, b), shared, "2 instances on PostgreSQL " + db);
        } finally {
            HubProcess.deleteTree(shared);
        }
    }

    /**
     * @return a fresh database on the test PostgreSQL (started on first use), or null when
     *         PostgreSQL cannot be had: the PostgreSQL runs are then skipped with one log line
     */
    String pgDatabase(String prefix) {
        if (pgUnavailable != null) {
            log("PostgreSQL run %s skipped: %s", prefix, pgUnavailable);
            return null;
        }
        try {
            return TestPostgres.newDatabase(prefix);
        } catch (RuntimeException e) {      // CREATE DATABASE failing
            pgUnavailable = e.getMessage();
            log("PostgreSQL run %s skipped, and the PostgreSQL runs after it: %s", prefix, pgUnavailable);
            return null;
        }
    }

    /**
     * The timed part of W1 on one or more hubs sharing {@code dataDir} (and so one inbox): funds the
     * demo account, writes the files, moves them into the inbox atomically, and waits until the sum
     * of {@code certhub.vendor.submitted} over the hubs reaches {@code n}.
     */
    void w1Timed(String workload, String name, String kind, int n, int latency, List<HubProcess> hubs, Path dataDir, String database)
        throws Exception {
        HubProcess first = hubs.get(0);
        first.deposit("100000000.00");
        Path inbox = dataDir.resolve("inbox/demo");
        Files.createDirectories(inbox);
        String prefix = "w1" + kind + n + "x" + latency;
        List<Path[]> moves = new ArrayList<>();
        if (kind.equals("csv")) {
            Path tmp = inbox.resolve(prefix + ".csv.tmp");
            Files.writeString(tmp, pool.csv(prefix, 0, n));
            moves.add(new Path[] {tmp, inbox.resolve(prefix + ".csv")});
        } else {
            for (int i = 0; i < n; i++) {
                Path tmp = inbox.resolve(prefix + "-" + i + ".json.tmp");
                Files.writeString(tmp, pool.json(prefix + "-" + i, i, "email"));
                moves.add(new Path[] {tmp, inbox.resolve(prefix + "-" + i + ".json")});
            }
        }
        double[] cpu0 = new double[hubs.size()];
        for (int h = 0; h < hubs.size(); h++) {
            hubs.get(h).resetHeapPeak();
            cpu0[h] = hubs.get(h).cpuSeconds();
        }
        long t0 = System.nanoTime();
        for (Path[] m : moves) {
            Files.move(m[0], m[1], StandardCopyOption.ATOMIC_MOVE);
        }
        Waited w = waitFor(() -> hubs.stream().mapToDouble(h -> h.metric("certhub.vendor.submitted")).sum(), "certhub.vendor.submitted"
            + (hubs.size() > 1 ? " (sum over " + hubs.size() + " hubs)" : ""), n, t0, Math.max(120, n / 20));
        double cpu = 0;
        double rss = 0;
        double heap = 0;
        StringBuilder split = new StringBuilder();
        for (int h = 0; h < hubs.size(); h++) {
            HubProcess hub = hubs.get(h);
            double c = hub.cpuSeconds() - cpu0[h];
            cpu += c;
            rss = Math.max(rss, hub.rssPeakMb());
            heap = Math.max(heap, hub.heapPeakMb());
            if (hubs.size() > 1) {
                split.append(split.isEmpty() ? "" : ", ").append(String.format("%s submitted %.0f with %.1f CPU-s", hub.name,
                    hub.metric("certhub.vendor.submitted"), c));
            }
        }
        double seconds = w.seconds;
        long inProgress = first.countOrders("IN_PROGRESS");
        long withVendorId = first.listAll("IN_PROGRESS").stream().filter(o -> o.hasNonNull("vendorOrderId")).count();
        Map<String, Object> r = record(workload, n, 1, latency, seconds, w.reached / seconds, null, null, rss, heap);
        r.put("firstSubmittedSeconds", round(w.first, 3));
        r.put("hubCpuMsPerOrder", round(cpu * 1000 / n, 2));
        r.put("instances", hubs.size());
        r.put("database", database.startsWith("H2") ? "H2" : "PostgreSQL");
        r.put("note", "from the atomic move into the inbox until certhub.vendor.submitted = N (sw_register + process_pending answered)"
            + (hubs.size() > 1 ? ", summed over " + hubs.size() + " hub processes sharing the inbox (" + split + "); CPU ms/op, RSS and heap:"
                + " CPU of all of them, the largest peak" : "")
            + "; database " + database + "; checked after: " + inProgress + " IN_PROGRESS, " + withVendorId + " with vendorOrderId"
            + (w.timedOut ? "; TIMED OUT" : ""));
        records.add(r);
        log("%s: %.2f s, %.1f orders/s (first order submitted after %.2f s; %d IN_PROGRESS, %d with vendorOrderId; RSS %.0f MB, heap %.0f MB)",
            name, seconds, w.reached / seconds, w.first, inProgress, withVendorId, rss, heap);
        log("  hub CPU %.2f ms per order (%.1f CPU-s%s), load average %.1f", cpu * 1000 / n, cpu, split.isEmpty() ? "" : ": " + split,
            loadAverage());
    }

    record Waited(double seconds, double first, long reached, boolean timedOut) { }

    /** Polls an actuator counter every 100 ms until it reaches {@code target}. */
    static Waited waitFor(HubProcess hub, String metric, long target, long t0, int timeoutSeconds) throws InterruptedException {
        return waitFor(() -> hub.metric(metric), metric, target, t0, timeoutSeconds);
    }

    /**
     * Polls a value (an actuator counter of one hub, or a sum over several) every 100 ms until it
     * reaches {@code target} or {@code timeoutSeconds} after {@code t0} (System.nanoTime) pass.
     */
    static Waited waitFor(DoubleSupplier value, String metric, long target, long t0, int timeoutSeconds) throws InterruptedException {
        double first = -1;
        long lastLog = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            double v = value.getAsDouble();
            long now = System.nanoTime();
            if (v > 0 && first < 0) {
                first = (now - t0) / 1e9;
            }
            if (v >= target) {
                return new Waited((now - t0) / 1e9, first, (long) v, false);
            }
            if (now > deadline) {
                log("  %s: timed out at %.0f of %d", metric, v, target);
                return new Waited((now - t0) / 1e9, first, (long) v, true);
            }
            if (now - lastLog > TimeUnit.SECONDS.toNanos(10)) {
                log("  %s = %.0f of %d after %.0f s", metric, v, target, (now - t0) / 1e9);
                lastLog = now;
            }
            Thread.sleep(100);
        }
    }

    // ================================================================== floor W1

    void floorW1(int n, int latency) throws Exception {
        try (HubProcess hub = hub("floor-W1-" + n + "-" + latency + "ms", intakeArgs(latency))) {
            // The hub's own intake verifies each CSR and leaves it in the shared CSR cache, so its sandbox
            // vendor only looks it up; give the floor's vendor the same start (not timed).
            long t = System.nanoTime();
            parallel(8, n, i -> {
                HttpResponse<String> r = hub.post("/api/v1/csr/parse", HubProcess.DEMO_KEY,
                    HubProcess.JSON.createObjectNode().put("csr", pool.csrs[i]).toString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("csr/parse: " + r.statusCode());
                }
            });
            log("floor: sandbox CSR cache warmed with %d CSRs in %.1f s (not timed)", n, (System.nanoTime() - t) / 1e9);
            double hubCpu0 = hub.cpuSeconds();
            double benchCpu0 = HubProcess.cpuSeconds(ProcessHandle.current().pid());
            double seconds = Floor.w1(hub, pool, n, HUB_VENDOR_THREADS);
            double hubCpu = hub.cpuSeconds() - hubCpu0;
            double floorCpu = HubProcess.cpuSeconds(ProcessHandle.current().pid()) - benchCpu0;
            Map<String, Object> r = record("floor", n, HUB_VENDOR_THREADS, latency, seconds, n / seconds, null, null, null, null);
            r.put("floorCpuMsPerOrder", round(floorCpu * 1000 / n, 2));
            r.put("hubCpuMsPerOrder", round(hubCpu * 1000 / n, 2));
            r.put("of", "W1");
            r.put("note", "plain Java, " + HUB_VENDOR_THREADS + " threads: JSON parse, CSR parse + SunEC verify, one sw_register"
                + " (handle=process) POST to the same sandbox, one JDBC transaction (order, account, hold, journal) on its own H2 file");
            records.add(r);
            log("floor W1 N=%d %dms: %.2f s, %.1f orders/s; floor JVM CPU %.2f ms/order, hub (sandbox vendor) CPU %.2f ms/order, load %.1f",
                n, latency, seconds, n / seconds, floorCpu * 1000 / n, hubCpu * 1000 / n, loadAverage());
        }
    }

    interface IndexTask {
        void run(int i) throws Exception;
    }

    static void parallel(int threads, int n, IndexTask task) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(ex.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < n; ) {
                    task.run(i);
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            ex.shutdown();
        }
    }

    // ================================================================== W2

    /** Result of posting orders with C clients. */
    record Posted(double seconds, Histogram latencies, int errors) { }

    Posted post(HubProcess hub, int clients, int from, int count, String refPrefix, String dcv) throws Exception {
        List<String> bodies = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            bodies.add(pool.json(refPrefix + "-" + k, from + k, dcv));
        }
        URI uri = URI.create(hub.base() + "/api/v1/orders");
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<Histogram> hs = new ArrayList<>();
        ExecutorService ex = Executors.newFixedThreadPool(clients);
        List<Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
            hs.add(h);
            fs.add(ex.submit(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                for (int i; (i = next.getAndIncrement()) < count; ) {
                    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("X-Api-Key", HubProcess.DEMO_KEY)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build();
                    long s = System.nanoTime();
                    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                    h.recordValue(Math.min(System.nanoTime() - s, h.getHighestTrackableValue()));
                    if (r.statusCode() != 201 && errors.incrementAndGet() <= 3) {
                        log("  POST /orders: HTTP %d %s", r.statusCode(), r.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ex.shutdown();
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        hs.forEach(all::add);
        return new Posted(seconds, all, errors.get());
    }

    void w2() throws Exception {
        try (HubProcess hub = hub("W2-rest", intakeArgs(0))) {
            hub.deposit("100000000.00");
            int from = 0;
            Posted warm = post(hub, 8, from, 300, "w2warm", "email");
            from += 300;
            long posted = 300;
            log("W2 warm-up: 300 orders in %.2f s", warm.seconds);
            waitFor(hub, "certhub.vendor.submitted", posted, System.nanoTime(), 120);
            for (int c : List.of(1, 8, 32)) {
                int n = cfg.w2Requests();
                hub.resetHeapPeak();
                double cpu0 = hub.cpuSeconds();
                Posted p = post(hub, c, from, n, "w2c" + c, "email");
                double cpu = hub.cpuSeconds() - cpu0;
                from += n;
                posted += n;
                double p50 = p.latencies.getValueAtPercentile(50) / 1e6;
                double p99 = p.latencies.getValueAtPercentile(99) / 1e6;
                Map<String, Object> r = record("W2-rest", n, c, 0, p.seconds, n / p.seconds, p50, p99, hub.rssPeakMb(), hub.heapPeakMb());
                r.put("maxMs", round(p.latencies.getMaxValue() / 1e6, 2));
                r.put("hubCpuMsPerOrder", round(cpu * 1000 / n, 2));
                r.put("note", "closed loop, " + c + " java.net.http clients, POST /api/v1/orders handle=process (201 IN_PROGRESS with hold);"
                    + " errors " + p.errors + "; vendor submissions run behind and are drained before the next C");
                records.add(r);
                log("W2 C=%d: %d orders in %.2f s, %.1f/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, errors %d", c, n, p.seconds, n / p.seconds, p50,
                    p99, p.latencies.getMaxValue() / 1e6, p.errors);
                waitFor(hub, "certhub.vendor.submitted", posted, System.nanoTime(), 300);
            }
        }
    }

    // ================================================================== W3

    static Store imap(HubProcess hub) throws Exception {
        Properties props = new Properties();
        props.put("mail.imap.host", "127.0.0.1");
        props.put("mail.imap.port", Integer.toString(hub.imapPort));
        Store s = Session.getInstance(props).getStore("imap");
        s.connect(HUB_MAILBOX, HUB_MAILBOX);
        return s;
    }

    /**
     * W3: N issuance emails waiting in the certificate mailbox. The hub runs with its mailbox
     * consumer reading the IMAP folder {@code Parked} (hub.mailbox.folder) instead of INBOX, the
     * status poll off (a cron in 2099, so orders complete only through the mailbox) and the
     * sandbox approving at once (approval-delay 0s, clock every 100 ms). N orders are placed over
     * REST (dcvMethod dns: no approval mails); the sandbox issues them and mails the real issued
     * certificates to the hub's mailbox INBOX, where nobody reads them. Once all N are there the
     * benchmark copies them (one IMAP COPY, unread) to {@code Parked}: timing runs from just
     * before that copy until the hub has completed every order and sent every admin email
     * (actuator counter certhub.deliveries.sent = N).
     */
    void w3(int n, boolean withFloor) throws Exception {
        List<String> args = List.of("--hub.sandbox.auto-approve=true", "--hub.sandbox.approval-delay=0s", "--hub.sandbox.clock-period-ms=100",
            "--hub.mailbox.folder=Parked", "--hub.vendor.poll-cron=0 0 0 1 1 ? 2099");
        try (HubProcess hub = hub("W3-mail-" + n, args); Store store = imap(hub)) {
            Folder parked = store.getFolder("Parked");
            if (!parked.exists()) {
                parked.create(Folder.HOLDS_MESSAGES);
            }
            hub.deposit("100000000.00");
            long t = System.nanoTime();
            Posted placed = post(hub, 8, 0, n, "w3n" + n, "dns");
            log("W3 set-up: %d orders placed in %.1f s (errors %d)", n, placed.seconds, placed.errors);
            waitFor(hub, "certhub.vendor.submitted", n, System.nanoTime(), Math.max(120, n / 10));
            Folder inbox = store.getFolder("INBOX");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(120, n / 10));
            int count;
            while ((count = inbox.getMessageCount()) < n && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            log("W3 set-up: %d issuance mails in INBOX after %.1f s", count, (System.nanoTime() - t) / 1e9);
            inbox.open(Folder.READ_ONLY);
            Message[] mails = inbox.getMessages();
            if (withFloor) {
                Folder floor = store.getFolder("FloorMail");
                floor.create(Folder.HOLDS_MESSAGES);
                inbox.copyMessages(mails, floor);
            }
            Thread.sleep(3000);     // let the sandbox settle; the hub's mailbox has polled the empty Parked folder meanwhile
            hub.resetHeapPeak();
            double cpu0 = hub.cpuSeconds();
            long t0 = System.nanoTime();
            inbox.copyMessages(mails, parked);
            double copy = (System.nanoTime() - t0) / 1e9;
            inbox.close(false);
            Waited w = waitFor(hub, "certhub.deliveries.sent", count, t0, Math.max(180, n));
            double cpu = hub.cpuSeconds() - cpu0;
            double mailboxDone = hub.metric("certhub.mailbox.processed");
            long completed = hub.countOrders("COMPLETED");
            Map<String, Object> r = record("W3-mail", count, 1, 0, w.seconds, w.reached / w.seconds, null, null, hub.rssPeakMb(), hub.heapPeakMb());
            r.put("hubCpuMsPerOrder", round(cpu * 1000 / count, 2));
            r.put("note", "from the IMAP COPY of N unread issuance mails into the hub's mailbox folder (" + round(copy, 2)
                + " s of it) until certhub.deliveries.sent = N; checked after: " + completed + " COMPLETED, mailbox processed "
                + (long) mailboxDone + (w.timedOut ? "; TIMED OUT" : ""));
            records.add(r);
            log("W3 N=%d: %.2f s, %.1f emails/s (copy %.2f s; %d COMPLETED; RSS %.0f MB, heap %.0f MB)", count, w.seconds,
                w.reached / w.seconds, copy, completed, hub.rssPeakMb(), hub.heapPeakMb());
            if (withFloor) {
                List<Floor.Open> open = new ArrayList<>();
                List<JsonNode> all = new ArrayList<>(hub.listAll("COMPLETED"));
                all.addAll(hub.listAll("IN_PROGRESS"));
                for (JsonNode o : all) {
                    String domain = o.get("domain").asText();
                    int i = Integer.parseInt(domain.substring(1, domain.indexOf('.')));
                    byte[] spki = pool.keys[i % Orders.KEYS].getPublic().getEncoded();
                    open.add(new Floor.Open(o.get("vendorOrderId").asText(), domain,
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki))));
                }
                double hubCpu0 = hub.cpuSeconds();
                double benchCpu0 = HubProcess.cpuSeconds(ProcessHandle.current().pid());
                double fs = Floor.w3(hub, open, "FloorMail", HUB_W3_THREADS);
                double hubCpu = hub.cpuSeconds() - hubCpu0;
                double floorCpu = HubProcess.cpuSeconds(ProcessHandle.current().pid()) - benchCpu0;
                Map<String, Object> f = record("floor", open.size(), HUB_W3_THREADS, 0, fs, open.size() / fs, null, null, null, null);
                f.put("of", "W3");
                f.put("floorCpuMsPerOrder", round(floorCpu * 1000 / open.size(), 2));
                f.put("hubCpuMsPerOrder", round(hubCpu * 1000 / open.size(), 2));
                f.put("note", "plain Java, " + HUB_W3_THREADS + " threads: IMAP fetch, ZIP + X.509 parse, chain and key check, one JDBC"
                    + " transaction (order, hold, account, journal, certificate), one SMTP send with 3 attachments, flag seen");
                records.add(f);
                log("floor W3 N=%d: %.2f s, %.1f emails/s", open.size(), fs, open.size() / fs);
            }
        }
    }
}
