package io.certhub.bench;

import io.certhub.term.LifecycleProperties;
import io.certhub.term.ValidityCaps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * W4 (issue 13): the daily lifecycle scans on an inventory of {@value #ACTIVE} ACTIVE certificates,
 * measured across the wire on the hub jar as its own process.
 *
 * <p>Set-up (not timed): a first hub process on a fresh data dir (Flyway makes the schema; both
 * scans' crons in 2099) completes ONE real order through the sandbox (REST, DNS DCV, auto-approve,
 * vendor poll, certificate mail, admin delivery) and is stopped; then the benchmark opens the
 * hub's H2 file with JDBC and clones that order {@value #ACTIVE}−1 times with the hub's own schema:
 * COMPLETED order (its history rows copied), the certificates of its term (the ACTIVE one and its
 * SUPERSEDED predecessors; the template's leaf PEM and chain, distinct serial, fingerprint, subject,
 * SANs and validity: neither scan parses PEM), one SENT certificate delivery per certificate, and
 * the renewal_reminder rows of earlier sweeps. Terms follow the hub's own rules
 * ({@link ValidityCaps} with the default {@code hub.lifecycle.*}: BR caps, renewal 30 days before
 * notAfter, reminders 30/7/1 days before the end of the term). The mix ({@link Mix}):
 * <ul>
 * <li>{@link Kind#REMIND} 1,000 (10 %): the term's last certificate, term ending in 6 h .. 30 days,
 *     the current interval's reminder not sent yet (the longer intervals' reminders recorded SENT
 *     by earlier sweeps): each must get exactly one reminder;</li>
 * <li>{@link Kind#REMINDED} 300: in the reminder window, current interval already recorded: nothing;</li>
 * <li>{@link Kind#RENEWING} 100: in the reminder window with a live (PENDING) renewal order: suppressed;</li>
 * <li>{@link Kind#REISSUE_DUE} 100: renewal point passed 6–42 h ago, within the 2-day grace: no warning yet;</li>
 * <li>{@link Kind#OVERDUE} 200 (2 %): renewal point + grace passed (2.25–25 days ago), no successor:
 *     each must get REISSUE_OVERDUE once;</li>
 * <li>{@link Kind#HEALTHY} the rest (8,299 + the template order): term of 1 (70 %), 2 (20 %) or 3
 *     years (10 %), ends more than 31 days away, the current certificate's successor not due yet.</li>
 * </ul>
 *
 * <p>Timed: a second hub process on that data dir with the overdue-reissue check's cron at a wall
 * clock second shortly after launch and the reminder sweep's 30 s later (daily crons pinned to that
 * second: each fires once in the run, through the real Quartz routes); each scan's wall time is the
 * hub's own Micrometer timer {@code certhub.lifecycle.scan} (TOTAL_TIME of its one run), heap peak
 * (actuator, sampled every 250 ms) and RSS peak (VmHWM, reset before each scan) during it, hub CPU.
 * Then the reminder emails are sent by the admin-delivery sweep over SMTP to the sandbox mail server
 * (timed from the reminder sweep's fire until {@code certhub.deliveries.sent} = the due count). After
 * the hub stops, the database is read: renewal_reminder rows by outcome, reminder deliveries by state,
 * REISSUE_OVERDUE warnings; each compared with the seeded due count.
 */
final class W4 {

    /** ACTIVE certificates in the inventory (the template order's included). */
    static final int ACTIVE = 10_000;
    static final Duration DAY = Duration.ofDays(1);
    static final Duration GRACE = Duration.ofDays(2);       // hub.lifecycle.reissue-grace default
    static final List<Integer> REMINDER_DAYS = List.of(30, 7, 1);
    static final String TEMPLATE_REF = "w4-template";
    static final String NEVER = "0 0 0 1 1 ? 2099";

    /** What a seeded order is there for. */
    enum Kind { REMIND, REMINDED, RENEWING, REISSUE_DUE, OVERDUE, HEALTHY }

    /** How many orders of each kind (HEALTHY: the rest). */
    record Mix(int remind, int reminded, int renewing, int reissueDue, int overdue) {
        int healthy() {
            return ACTIVE - 1 - remind - reminded - renewing - reissueDue - overdue;
        }
    }

    static final Mix MIX = new Mix(1000, 300, 100, 100, 200);

    /** One seeded term: its certificates (the last ACTIVE, the others SUPERSEDED). */
    record Seeded(Kind kind, int period, Instant start, Instant termEnd, List<ValidityCaps.Window> certs, Integer dueDays) { }

    private final Bench bench;
    /** The hub's database on the test PostgreSQL (W4pg), or null: its H2 file under the data dir (W4). */
    private final String pgUrl;
    /** Appended to the workload names: {@code -pg} on PostgreSQL. */
    private final String suffix;
    private final ValidityCaps caps = new ValidityCaps(new LifecycleProperties());
    private final Random random = new Random(13);

    /**
     * @param bench the run
     * @param pgUrl a fresh database of the test PostgreSQL ({@code io.certhub.support.TestPostgres}) for
     *              W4pg (records {@code W4-overdue-pg}, {@code W4-reminders-pg}), or null for the hub's
     *              embedded H2 (records {@code W4-overdue}, {@code W4-reminders})
     */
    W4(Bench bench, String pgUrl) {
        this.bench = bench;
        this.pgUrl = pgUrl;
        this.suffix = pgUrl == null ? "" : "-pg";
    }

    /** The hub's arguments plus, on PostgreSQL, its datasource. */
    private List<String> hubArgs(List<String> args) {
        List<String> all = new ArrayList<>(args);
        if (pgUrl != null) {
            all.addAll(List.of(io.certhub.support.TestPostgres.hubArgs(pgUrl)));
        }
        return all;
    }

    /** A JDBC connection to the hub's database (the hub stopped for H2: its file is not shared). */
    private Connection db(Path dataDir) throws SQLException {
        return pgUrl == null ? h2(dataDir) : DriverManager.getConnection(pgUrl, io.certhub.support.TestPostgres.USER, "");
    }

    // ================================================================== the run

    void run() throws Exception {
        Path dir = Files.createTempDirectory("certhub-bench-W4" + suffix + "-");
        try {
            runIn(dir);
        } finally {
            HubProcess.deleteTree(dir);
        }
    }

    private void runIn(Path dir) throws Exception {
        List<String> seedArgs = List.of("--hub.sandbox.auto-approve=true", "--hub.sandbox.approval-delay=0s",
            "--hub.sandbox.clock-period-ms=100", "--hub.lifecycle.reminder-cron=" + NEVER, "--hub.lifecycle.overdue-check-cron=" + NEVER);
        double seedStartup;
        long t = System.nanoTime();
        try (HubProcess hub = bench.hub("W4-seed" + suffix, dir, hubArgs(seedArgs))) {
            seedStartup = hub.startupSeconds;
            hub.deposit("100000.00");
            var r = hub.post("/api/v1/orders", HubProcess.DEMO_KEY, bench.pool.json(TEMPLATE_REF, 0, "dns"));
            if (r.statusCode() != 201) {
                throw new IllegalStateException("W4 template order: HTTP " + r.statusCode() + " " + r.body());
            }
            Bench.Waited done = Bench.waitFor(() -> hub.countOrders("COMPLETED"), "COMPLETED orders", 1, System.nanoTime(), 300);
            Bench.Waited mailed = Bench.waitFor(hub, "certhub.deliveries.sent", 1, System.nanoTime(), 120);
            if (done.timedOut() || mailed.timedOut()) {
                throw new IllegalStateException("W4: the template order was not completed and delivered in time");
            }
            Bench.log("W4 set-up: template order completed through the sandbox in %.1f s", done.seconds() + mailed.seconds());
        }
        Instant seededAt = Instant.now();
        Map<Kind, Integer> counts;
        int superseded;
        try (Connection c = db(dir)) {
            List<Seeded> terms = plan(seededAt);
            counts = new LinkedHashMap<>();
            for (Seeded s : terms) {
                counts.merge(s.kind(), 1, Integer::sum);
            }
            superseded = terms.stream().mapToInt(s -> s.certs().size() - 1).sum();
            long t1 = System.nanoTime();
            insert(c, terms, seededAt);
            Bench.log("W4 set-up: %d orders (%s), %d ACTIVE + %d SUPERSEDED certificates seeded by JDBC in %.1f s", terms.size() + 1, counts,
                terms.size() + 1, superseded, (System.nanoTime() - t1) / 1e9);
        }
        int due = counts.getOrDefault(Kind.REMIND, 0);
        int overdue = counts.getOrDefault(Kind.OVERDUE, 0);
        Bench.log("W4 set-up took %.1f s; expected: %d reminders due, %d reissues overdue", (System.nanoTime() - t) / 1e9, due, overdue);

        // the scans: daily crons pinned to wall-clock seconds after launch, so each fires once in this run
        LocalDateTime launch = LocalDateTime.now();
        LocalDateTime fireOverdue = launch.plusSeconds(Math.max(45, Math.round(seedStartup * 1.3) + 20));
        LocalDateTime fireReminders = fireOverdue.plusSeconds(30);
        List<String> args = List.of("--hub.lifecycle.overdue-check-cron=" + daily(fireOverdue),
            "--hub.lifecycle.reminder-cron=" + daily(fireReminders));
        Map<String, Object> overdueRun;
        Map<String, Object> reminderRun;
        Map<String, Object> deliveryRun = new LinkedHashMap<>();
        try (HubProcess hub = bench.hub("W4-scan" + suffix, dir, hubArgs(args))) {
            if (!LocalDateTime.now().isBefore(fireOverdue.minusSeconds(2))) {
                Bench.log("W4: the hub was UP only at %s, the overdue check was set for %s: it may not fire", LocalDateTime.now(), fireOverdue);
            }
            overdueRun = scan(hub, "reissue-overdue", fireOverdue);
            if (overdueRun.get("endedAt") instanceof LocalDateTime end && end.isAfter(fireReminders)) {
                Bench.log("W4: the overdue check ended after the reminder sweep was due to fire: the two overlapped");
                overdueRun.put("overlap", true);
            }
            reminderRun = scan(hub, "renewal-reminders", fireReminders);
            long t0 = (long) reminderRun.get("firedNanos");
            Bench.Waited sent = Bench.waitFor(hub, "certhub.deliveries.sent", due, t0, 600);
            deliveryRun.put("seconds", Bench.round(sent.seconds(), 3));
            deliveryRun.put("sent", sent.reached());
            deliveryRun.put("timedOut", sent.timedOut());
            deliveryRun.put("rssMb", Bench.round(hub.rssPeakMb(), 0));
            deliveryRun.put("heapMb", Bench.round(hub.heapPeakMb(), 0));
            reminderRun.put("queuedCounter", (long) hub.metric("certhub.lifecycle.reminders.queued"));
            overdueRun.put("flaggedCounter", (long) hub.metric("certhub.lifecycle.reissues.overdue"));
            Bench.log("W4 reminder emails: %d sent over SMTP %.1f s after the sweep fired%s", sent.reached(), sent.seconds(),
                sent.timedOut() ? " (TIMED OUT)" : "");
        }
        Map<String, Long> rows = rows(db(dir), seededAt);
        Bench.log("W4 database after the run: %s", rows);
        record(counts, superseded, overdueRun, reminderRun, deliveryRun, rows);
    }

    /** A Quartz cron firing every day at that wall-clock second (the hub runs in this JVM's time zone). */
    static String daily(LocalDateTime at) {
        return at.getSecond() + " " + at.getMinute() + " " + at.getHour() + " * * ?";
    }

    /**
     * Waits for one run of a scan (its timer's COUNT reaching 1) and reads its figures: the hub's
     * timer TOTAL_TIME, heap and RSS peaks from just before it fired, hub CPU.
     */
    private Map<String, Object> scan(HubProcess hub, String scan, LocalDateTime fireAt) throws Exception {
        String meter = "certhub.lifecycle.scan?tag=scan:" + scan;
        while (LocalDateTime.now().isBefore(fireAt.minusNanos(300_000_000))) {
            Thread.sleep(50);
        }
        long fired = System.nanoTime();
        double cpu0 = hub.cpuSeconds();
        boolean rssReset = hub.resetRssPeak();
        double rssBefore = hub.rssNowMb();
        hub.resetHeapPeak();
        double heapBefore = hub.heapNow() / 1048576.0;
        Bench.Waited w = Bench.waitFor(() -> hub.metricStatistic(meter, "COUNT"), "scan " + scan, 1, fired, 600);
        double cpu = hub.cpuSeconds() - cpu0;
        LocalDateTime endedAt = LocalDateTime.now();
        double seconds = hub.metricStatistic(meter, "TOTAL_TIME");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scan", scan);
        m.put("seconds", Bench.round(seconds, 3));
        m.put("observedSeconds", Bench.round(w.seconds(), 3));
        m.put("timedOut", w.timedOut());
        m.put("rssMb", Bench.round(hub.rssPeakMb(), 0));
        m.put("rssPeakReset", rssReset);
        m.put("rssBeforeMb", Bench.round(rssBefore, 0));
        m.put("heapMb", Bench.round(hub.heapPeakMb(), 0));
        m.put("heapBeforeMb", Bench.round(heapBefore, 0));
        m.put("hubCpuSeconds", Bench.round(cpu, 2));
        m.put("firedNanos", fired);
        m.put("endedAt", endedAt);
        Bench.log("W4 %s: %.2f s (hub timer; seen done %.1f s after the cron second), heap peak %.0f MB (%.0f before), RSS peak %.0f MB"
            + " (%.0f before%s), hub CPU %.1f s, load %.1f", scan, seconds, w.seconds(), hub.heapPeakMb(), heapBefore, hub.rssPeakMb(),
            rssBefore, rssReset ? "" : "; VmHWM not reset: process peak", cpu, Bench.loadAverage());
        return m;
    }

    private void record(Map<Kind, Integer> counts, int superseded, Map<String, Object> overdueRun, Map<String, Object> reminderRun,
                        Map<String, Object> deliveryRun, Map<String, Long> rows) {
        int due = counts.getOrDefault(Kind.REMIND, 0);
        int overdue = counts.getOrDefault(Kind.OVERDUE, 0);
        String mix = "mix (ACTIVE certificates): " + due + " reminder due now, " + counts.getOrDefault(Kind.REMINDED, 0)
            + " in the window already reminded for the current interval, " + counts.getOrDefault(Kind.RENEWING, 0)
            + " in the window with a live renewal order, " + counts.getOrDefault(Kind.REISSUE_DUE, 0) + " reissue due within the grace, "
            + overdue + " reissue overdue, " + (counts.getOrDefault(Kind.HEALTHY, 0) + 1) + " healthy (the template order included); "
            + superseded + " SUPERSEDED predecessors";

        long warnings = rows.get("reissueOverdueWarnings");
        Map<String, Object> o = Bench.record("W4-overdue" + suffix, ACTIVE, 1, null, (Double) overdueRun.get("seconds"), null, null, null,
            (Double) overdueRun.get("rssMb"), (Double) overdueRun.get("heapMb"));
        o.put("hubCpuMsPerOrder", Bench.round((Double) overdueRun.get("hubCpuSeconds") * 1000 / ACTIVE, 3));
        o.put("scan", "reissue-overdue");
        o.put("overdueSeeded", overdue);
        o.put("overdueFlagged", warnings);
        o.put("flaggedCounter", overdueRun.get("flaggedCounter"));
        o.put("checkPassed", warnings == overdue);
        o.put("rssBeforeMb", overdueRun.get("rssBeforeMb"));
        o.put("heapBeforeMb", overdueRun.get("heapBeforeMb"));
        o.put("note", "overdue-reissue check (route reissue-overdue-check) over " + ACTIVE + " ACTIVE certificates, wall time = hub timer"
            + " certhub.lifecycle.scan{scan=reissue-overdue}; REISSUE_OVERDUE warnings " + warnings + " of " + overdue + " seeded overdue ("
            + (warnings == overdue ? "check passed" : "CHECK FAILED") + ", counter " + overdueRun.get("flaggedCounter") + "); heap before "
            + overdueRun.get("heapBeforeMb") + " MB, RSS before " + overdueRun.get("rssBeforeMb") + " MB"
            + (Boolean.TRUE.equals(overdueRun.get("overlap")) ? "; OVERLAPPED the reminder sweep" : "")
            + (Boolean.TRUE.equals(overdueRun.get("timedOut")) ? "; TIMED OUT" : "") + "; " + mix);
        bench.records.add(o);

        long sentRows = rows.get("reminderSent");
        long skippedRows = rows.get("reminderSkipped");
        long mails = rows.get("reminderDeliveriesSent");
        Map<String, Object> r = Bench.record("W4-reminders" + suffix, ACTIVE, 1, null, (Double) reminderRun.get("seconds"), null, null, null,
            (Double) reminderRun.get("rssMb"), (Double) reminderRun.get("heapMb"));
        r.put("hubCpuMsPerOrder", Bench.round((Double) reminderRun.get("hubCpuSeconds") * 1000 / ACTIVE, 3));
        r.put("scan", "renewal-reminders");
        r.put("remindersDue", due);
        r.put("remindersQueued", reminderRun.get("queuedCounter"));
        r.put("reminderRowsSent", sentRows);
        r.put("reminderRowsSkipped", skippedRows);
        r.put("reminderRowsTotal", rows.get("reminderRows"));
        r.put("reminderEmailsSent", mails);
        r.put("reminderDeliveriesPending", rows.get("reminderDeliveriesPending"));
        r.put("emailSeconds", deliveryRun.get("seconds"));
        r.put("checkPassed", sentRows == due && mails == due && skippedRows == 0 && Long.valueOf(due).equals(reminderRun.get("queuedCounter")));
        r.put("rssBeforeMb", reminderRun.get("rssBeforeMb"));
        r.put("heapBeforeMb", reminderRun.get("heapBeforeMb"));
        r.put("note", "renewal-reminder sweep (route renewal-reminders) over " + ACTIVE + " ACTIVE certificates, wall time = hub timer"
            + " certhub.lifecycle.scan{scan=renewal-reminders}; reminders due " + due + ", queued " + reminderRun.get("queuedCounter")
            + " (counter), renewal_reminder rows written SENT " + sentRows + " / SKIPPED " + skippedRows + " (table now "
            + rows.get("reminderRows") + " rows), reminder emails SENT " + mails + " (" + rows.get("reminderDeliveriesPending")
            + " pending) " + deliveryRun.get("seconds") + " s after the sweep fired (RSS peak " + deliveryRun.get("rssMb") + " MB, heap peak "
            + deliveryRun.get("heapMb") + " MB by then)" + (Boolean.TRUE.equals(deliveryRun.get("timedOut")) ? ", TIMED OUT" : "") + " ("
            + (Boolean.TRUE.equals(r.get("checkPassed")) ? "check passed" : "CHECK FAILED") + "); heap before "
            + reminderRun.get("heapBeforeMb") + " MB, RSS before " + reminderRun.get("rssBeforeMb") + " MB"
            + (Boolean.TRUE.equals(reminderRun.get("timedOut")) ? "; TIMED OUT" : ""));
        bench.records.add(r);
    }

    // ================================================================== the mix

    /** The terms to seed (the template order not included), in a shuffled order of kinds. */
    List<Seeded> plan(Instant now) {
        List<Seeded> out = new ArrayList<>();
        int[] want = {MIX.remind(), MIX.reminded(), MIX.renewing(), MIX.reissueDue(), MIX.overdue(), MIX.healthy()};
        Kind[] kinds = Kind.values();
        int[] have = new int[kinds.length];
        int total = ACTIVE - 1;
        int guard = 0;
        while (out.size() < total) {
            if (++guard > 10_000_000) {
                throw new IllegalStateException("W4: the mix cannot be drawn: " + java.util.Arrays.toString(have));
            }
            int k = random.nextInt(kinds.length);
            if (have[k] >= want[k]) {
                continue;
            }
            Seeded s = draw(kinds[k], now);
            if (s != null) {
                out.add(s);
                have[k]++;
            }
        }
        return out;
    }

    private int period() {
        int x = random.nextInt(10);
        return x < 7 ? 1 : x < 9 ? 2 : 3;
    }

    private static Duration hours(double h) {
        return Duration.ofSeconds(Math.round(h * 3600));
    }

    /** One term of a kind, or null when this draw does not fit it (drawn again). */
    private Seeded draw(Kind kind, Instant now) {
        int p = period();
        Duration term = DAY.multipliedBy(365L * p);
        String product = Orders.PRODUCT;
        switch (kind) {
            case REMIND, REMINDED, RENEWING -> {
                // term ends in 6 h .. 30 d − 6 h, at least 6 h away from the 7-day and 1-day interval boundaries
                Duration left = hours(6 + random.nextDouble() * (30 * 24 - 12));
                for (int d : REMINDER_DAYS) {
                    if (left.minus(DAY.multipliedBy(d)).abs().compareTo(hours(6)) < 0) {
                        return null;
                    }
                }
                Instant end = now.plus(left);
                Instant start = end.minus(term);
                List<ValidityCaps.Window> plan = caps.plan(product, start, end);
                List<ValidityCaps.Window> issued = upTo(plan, now);
                ValidityCaps.Window active = issued.get(issued.size() - 1);
                if (issued.size() != plan.size() || !active.notAfter().equals(end)) {
                    return null;                        // the active one must be the term's last certificate
                }
                return new Seeded(kind, p, start, end, issued, dueInterval(left));
            }
            case REISSUE_DUE, OVERDUE -> {
                Instant start = now.minus(hours(random.nextDouble() * (term.toHours() - 24)));
                Instant end = ValidityCaps.termEnd(start, p);
                List<ValidityCaps.Window> issued = upTo(caps.plan(product, start, end), now);
                if (issued.size() < 2) {
                    return null;
                }
                // the vendor has not delivered the newest certificate: its predecessor is still ACTIVE
                ValidityCaps.Window missing = issued.get(issued.size() - 1);
                ValidityCaps.Window active = issued.get(issued.size() - 2);
                Instant renewal = caps.renewalPoint(active.notBefore(), active.notAfter());
                Duration since = Duration.between(renewal, now);
                boolean fits = kind == Kind.OVERDUE
                    ? since.compareTo(GRACE.plus(hours(6))) >= 0 && since.compareTo(DAY.multipliedBy(25)) <= 0
                    : since.compareTo(hours(6)) >= 0 && since.compareTo(GRACE.minus(hours(6))) <= 0;
                if (!fits || !missing.notBefore().equals(renewal) || !active.notAfter().isBefore(end)) {
                    return null;
                }
                return new Seeded(kind, p, start, end, issued.subList(0, issued.size() - 1), null);
            }
            default -> {
                Instant start = now.minus(hours(random.nextDouble() * (term.toHours() - 24)));
                Instant end = ValidityCaps.termEnd(start, p);
                if (Duration.between(now, end).compareTo(DAY.multipliedBy(31).plus(hours(6))) <= 0) {
                    return null;                        // in (or near) the reminder window
                }
                return new Seeded(kind, p, start, end, upTo(caps.plan(product, start, end), now), null);
            }
        }
    }

    /** The planned certificates issued by now (each at its predecessor's renewal point). */
    private static List<ValidityCaps.Window> upTo(List<ValidityCaps.Window> plan, Instant now) {
        List<ValidityCaps.Window> out = new ArrayList<>();
        for (ValidityCaps.Window w : plan) {
            if (w.notBefore().isAfter(now)) {
                break;
            }
            out.add(w);
        }
        return out;
    }

    /** The hub's rule: the shortest configured interval not shorter than what is left. */
    static Integer dueInterval(Duration left) {
        Integer due = null;
        for (int d : REMINDER_DAYS) {
            if (left.compareTo(DAY.multipliedBy(d)) <= 0 && (due == null || d < due)) {
                due = d;
            }
        }
        return due;
    }

    // ================================================================== JDBC

    static Connection h2(Path dataDir) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("db/certhub")
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "");
    }

    private static OffsetDateTime ts(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Map<String, Object> one(Connection c, String sql, Object... args) throws SQLException {
        List<Map<String, Object>> rows = all(c, sql, args);
        if (rows.size() != 1) {
            throw new IllegalStateException("W4: expected one row of " + sql + ", got " + rows.size());
        }
        return rows.get(0);
    }

    private static List<Map<String, Object>> all(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        m.put(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                    }
                    out.add(m);
                }
                return out;
            }
        }
    }

    /** A batched insert of whole rows of one table (the columns of a template row, identity {@code id} left out where asked). */
    private static final class Batch implements AutoCloseable {
        final PreparedStatement ps;
        final List<String> cols;
        int pending;

        Batch(Connection c, String table, Map<String, Object> template, boolean identityId) throws SQLException {
            cols = template.keySet().stream().filter(k -> !(identityId && k.equals("id"))).toList();
            ps = c.prepareStatement("insert into " + table + "(" + String.join(", ", cols) + ") values ("
                + String.join(", ", cols.stream().map(x -> "?").toList()) + ")");
        }

        void add(Map<String, Object> row) throws SQLException {
            for (int i = 0; i < cols.size(); i++) {
                ps.setObject(i + 1, row.get(cols.get(i)));
            }
            ps.addBatch();
            pending++;
        }

        /** Runs the rows added so far (the caller flushes parents before children: foreign keys). */
        void flush() throws SQLException {
            if (pending > 0) {
                ps.executeBatch();
                pending = 0;
            }
        }

        @Override
        public void close() throws SQLException {
            ps.close();
        }
    }

    private void insert(Connection c, List<Seeded> terms, Instant now) throws SQLException {
        Map<String, Object> order = one(c, "select * from orders where client_reference = ?", TEMPLATE_REF);
        if (!"COMPLETED".equals(order.get("state"))) {
            throw new IllegalStateException("W4: the template order is " + order.get("state"));
        }
        String orderId = (String) order.get("id");
        Map<String, Object> cert = one(c, "select * from certificate where order_id = ?", orderId);
        List<Map<String, Object>> history = all(c, "select * from order_history where order_id = ? order by id", orderId);
        Map<String, Object> delivery = one(c, "select * from delivery where order_id = ?", orderId);
        String templateDomain = (String) order.get("domain");
        String templateEmail = Orders.ADMIN_EMAIL;
        long pricePerYear = ((Number) order.get("price_minor")).longValue() / ((Number) order.get("period")).intValue();
        HexFormat hex = HexFormat.of();
        c.setAutoCommit(false);
        try (Batch orders = new Batch(c, "orders", order, false);
             Batch certs = new Batch(c, "certificate", cert, false);
             Batch hist = new Batch(c, "order_history", history.get(0), true);
             Batch deliveries = new Batch(c, "delivery", delivery, true);
             PreparedStatement reminders = c.prepareStatement("insert into renewal_reminder(certificate_id, days_before, order_id, outcome,"
                 + " term_ends_at, created_at) values (?, ?, ?, 'SENT', ?, ?)")) {
            int i = 0;
            for (Seeded s : terms) {
                i++;
                String id = UUID.randomUUID().toString();
                String domain = "w4-" + i + ".example.com";
                String email = "admin-w4-" + i + "@example.com";
                Instant created = s.start().minus(Duration.ofMinutes(10));
                Instant lastIssue = s.certs().get(s.certs().size() - 1).notBefore();
                Map<String, Object> o = new LinkedHashMap<>(order);
                o.put("id", id);
                o.put("client_reference", "w4-" + i);
                o.put("content_hash", hex.formatHex(bytes(32)));
                o.put("domain", domain);
                o.put("vendor_order_id", "w4" + i);
                o.put("period", s.period());
                o.put("price_minor", pricePerYear * s.period());
                o.put("contacts", ((String) order.get("contacts")).replace(templateEmail, email));
                o.put("created_at", ts(created));
                o.put("updated_at", ts(lastIssue));
                orders.add(o);
                for (Map<String, Object> h : history) {
                    Map<String, Object> x = new LinkedHashMap<>(h);
                    x.put("order_id", id);
                    x.put("at", ts(created));
                    hist.add(x);
                }
                String activeId = null;
                for (int k = 0; k < s.certs().size(); k++) {
                    ValidityCaps.Window w = s.certs().get(k);
                    boolean active = k == s.certs().size() - 1;
                    String certId = UUID.randomUUID().toString();
                    Map<String, Object> x = new LinkedHashMap<>(cert);
                    x.put("id", certId);
                    x.put("order_id", id);
                    x.put("leaf_sha256", hex.formatHex(bytes(32)));
                    x.put("serial_hex", hex.formatHex(bytes(16)));
                    x.put("subject_dn", ((String) cert.get("subject_dn")).replace(templateDomain, domain));
                    x.put("common_name", domain);
                    x.put("sans", " " + domain + " ");
                    x.put("not_before", ts(w.notBefore()));
                    x.put("not_after", ts(w.notAfter()));
                    x.put("received_at", ts(w.notBefore().plusSeconds(60)));
                    x.put("state", active ? "ACTIVE" : "SUPERSEDED");
                    certs.add(x);
                    Map<String, Object> d = new LinkedHashMap<>(delivery);
                    d.put("order_id", id);
                    d.put("recipient", email);
                    d.put("certificate_id", certId);
                    d.put("issued_certificate_id", certId);
                    d.put("next_at", ts(w.notBefore().plusSeconds(60)));
                    d.put("created_at", ts(w.notBefore().plusSeconds(60)));
                    d.put("sent_at", ts(w.notBefore().plusSeconds(65)));
                    deliveries.add(d);
                    activeId = certId;
                }
                if (s.kind() == Kind.REMIND || s.kind() == Kind.REMINDED || s.kind() == Kind.RENEWING) {
                    // earlier sweeps' records: the longer intervals (and, for REMINDED, the current one)
                    for (int days : REMINDER_DAYS) {
                        boolean earlier = days > s.dueDays() || (s.kind() == Kind.REMINDED && days == s.dueDays());
                        if (earlier) {
                            Instant at = s.kind() == Kind.REMINDED && days == s.dueDays() ? now.minus(hours(3))
                                : s.termEnd().minus(DAY.multipliedBy(days)).plus(hours(1));
                            reminders.setString(1, activeId);
                            reminders.setInt(2, days);
                            reminders.setString(3, id);
                            reminders.setObject(4, ts(s.termEnd()));
                            reminders.setObject(5, ts(at));
                            reminders.addBatch();
                        }
                    }
                }
                if (s.kind() == Kind.RENEWING) {
                    // a renewal order the reseller saved as a draft (PENDING): reminders are suppressed meanwhile
                    Map<String, Object> r = new LinkedHashMap<>(order);
                    r.put("id", UUID.randomUUID().toString());
                    r.put("client_reference", "w4-" + i + "-renewal");
                    r.put("content_hash", hex.formatHex(bytes(32)));
                    r.put("domain", domain);
                    r.put("state", "PENDING");
                    r.put("vendor_status", null);
                    r.put("vendor_order_id", null);
                    r.put("vendor_step", null);
                    r.put("vendor_attempts", 0);
                    r.put("vendor_next_at", null);
                    r.put("vendor_claimed_until", null);
                    r.put("vendor_claimed_by", null);
                    r.put("submissions", 0);
                    r.put("period", s.period());
                    r.put("renewal_of", id);
                    r.put("contacts", ((String) order.get("contacts")).replace(templateEmail, email));
                    r.put("created_at", ts(now.minus(DAY)));
                    r.put("updated_at", ts(now.minus(DAY)));
                    orders.add(r);
                }
                if (i % 250 == 0 || i == terms.size()) {
                    orders.flush();
                    certs.flush();
                    hist.flush();
                    deliveries.flush();
                    reminders.executeBatch();
                    if (i % 1000 == 0 || i == terms.size()) {
                        c.commit();
                    }
                }
            }
        }
        c.commit();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** The rows the scans wrote (read with the hub stopped). */
    private static Map<String, Long> rows(Connection db, Instant seededAt) throws SQLException {
        Map<String, Long> m = new LinkedHashMap<>();
        try (Connection c = db) {
            OffsetDateTime since = ts(seededAt);
            m.put("activeCertificates", count(c, "select count(*) from certificate where state = 'ACTIVE'"));
            m.put("certificates", count(c, "select count(*) from certificate"));
            m.put("reminderRows", count(c, "select count(*) from renewal_reminder"));
            m.put("reminderSent", count(c, "select count(*) from renewal_reminder where outcome = 'SENT' and created_at >= ?", since));
            m.put("reminderSkipped", count(c, "select count(*) from renewal_reminder where outcome = 'SKIPPED' and created_at >= ?", since));
            m.put("reminderDeliveriesSent", count(c, "select count(*) from delivery where kind = 'RENEWAL_REMINDER' and state = 'SENT'"));
            m.put("reminderDeliveriesPending", count(c, "select count(*) from delivery where kind = 'RENEWAL_REMINDER' and state <> 'SENT'"));
            m.put("reissueOverdueWarnings", count(c, "select count(*) from order_warning where code = 'REISSUE_OVERDUE'"));
            m.put("dcvRevalidationWarnings", count(c, "select count(*) from order_warning where code = 'DCV_REVALIDATION_DUE'"));
        }
        return m;
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        return ((Number) one(c, sql, args).values().iterator().next()).longValue();
    }
}
