package io.certhub.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.imageio.ImageIO;

/** Writes results.json, report.md (with the targets met or missed) and throughput.png (Java2D). */
final class Report {

    private Report() { }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        m.put("memoryGb", mem == null ? null : Bench.round(Long.parseLong(mem.replace("kB", "").trim()) / 1048576.0, 1));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("date", Instant.now().toString());
        return m;
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return null;
    }

    static Optional<Map<String, Object>> find(List<Map<String, Object>> rs, String workload, Integer n, Integer latency, String of) {
        return rs.stream().filter(r -> r.get("workload").equals(workload))
            .filter(r -> n == null || Objects.equals(r.get("n"), n))
            .filter(r -> latency == null || Objects.equals(r.get("vendorLatencyMs"), latency))
            .filter(r -> of == null || of.equals(r.get("of")))
            .findFirst();
    }

    static Double rate(Optional<Map<String, Object>> r) {
        return r.map(x -> (Double) x.get("ratePerSecond")).orElse(null);
    }

    /**
     * Writes report.md and throughput.png again from an existing results.json (after a change of the
     * report's layout; no measurement): {@code java -cp <test classpath> io.certhub.bench.Report}.
     */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws IOException {
        Config cfg = Config.fromSystem();
        Map<String, Object> results = HubProcess.JSON.readValue(cfg.out().resolve("results.json").toFile(), Map.class);
        List<Map<String, Object>> records = (List<Map<String, Object>>) results.get("records");
        for (Map<String, Object> r : records) {
            for (Map.Entry<String, Object> e : r.entrySet()) {
                if (e.getValue() instanceof Number x && !(e.getKey().equals("n") || e.getKey().equals("clients")
                        || e.getKey().equals("vendorLatencyMs") || e.getKey().equals("instances"))) {
                    e.setValue(x.doubleValue());
                }
            }
        }
        write(cfg, records, ((Number) results.get("benchmarkMinutes")).doubleValue(), (Map<String, Object>) results.get("machine"));
    }

    static void write(Config cfg, List<Map<String, Object>> records, double minutes) throws IOException {
        write(cfg, records, minutes, machine());
    }

    static void write(Config cfg, List<Map<String, Object>> records, double minutes, Map<String, Object> machine) throws IOException {
        Map<String, Object> hubToFloor = new LinkedHashMap<>();
        int maxN = cfg.maxN();
        Double w1 = rate(find(records, "W1-csv", maxN, 0, null));
        Double f1 = rate(find(records, "floor", maxN, 0, "W1"));
        hubToFloor.put("W1", w1 == null || f1 == null ? null : Bench.round(w1 / f1, 2));
        int maxW3 = records.stream().filter(r -> r.get("workload").equals("W3-mail")).mapToInt(r -> (Integer) r.get("n")).max().orElse(-1);
        Double w3 = rate(find(records, "W3-mail", maxW3, null, null));
        Double f3 = rate(find(records, "floor", null, null, "W3"));
        hubToFloor.put("W3", w3 == null || f3 == null ? null : Bench.round(w3 / f3, 2));

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("machine", machine);
        results.put("records", records);
        results.put("hubToFloor", hubToFloor);
        results.put("w1Ratios", w1Ratios(records));
        results.put("benchmarkMinutes", Bench.round(minutes, 1));
        Files.createDirectories(cfg.out());
        Files.write(cfg.out().resolve("results.json"), HubProcess.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(results));
        Files.writeString(cfg.out().resolve("report.md"), markdown(cfg, machine, records, hubToFloor, minutes));
        chart(records, cfg.out().resolve("throughput.png"));
    }

    /**
     * The W1pg ratios of this run: for each kind and N with a PostgreSQL or 2-instance W1 row
     * (instant vendor), the rates (orders/s) of H2 (single instance), PostgreSQL (single
     * instance) and 2 instances on PostgreSQL, and the ratios pgToH2 = PostgreSQL ÷ H2,
     * pg2xToH2 = 2 instances ÷ H2, pg2xToPg = 2 instances ÷ PostgreSQL (null where a run is missing).
     */
    static List<Map<String, Object>> w1Ratios(List<Map<String, Object>> records) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : records) {
            String w = (String) r.get("workload");
            if (!w.startsWith("W1-") || !(w.endsWith("-pg") || w.endsWith("-pg-2x")) || !Objects.equals(r.get("vendorLatencyMs"), 0)) {
                continue;
            }
            String base = w.replaceAll("-pg(-2x)?$", "");
            Integer n = (Integer) r.get("n");
            if (out.stream().anyMatch(x -> x.get("workload").equals(base) && x.get("n").equals(n))) {
                continue;
            }
            Double h2 = rate(find(records, base, n, 0, null));
            Double pg = rate(find(records, base + "-pg", n, 0, null));
            Double pg2x = rate(find(records, base + "-pg-2x", n, 0, null));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", base);
            m.put("n", n);
            m.put("h2", h2);
            m.put("pg", pg);
            m.put("pg2x", pg2x);
            m.put("pgToH2", ratio(pg, h2));
            m.put("pg2xToH2", ratio(pg2x, h2));
            m.put("pg2xToPg", ratio(pg2x, pg));
            out.add(m);
        }
        return out;
    }

    private static Double ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : Bench.round(a / b, 2);
    }

    static String ratioLines(List<Map<String, Object>> ratios) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> m : ratios) {
            sb.append("- ").append(m.get("workload")).append(" N=").append(m.get("n")).append(": H2 ").append(perSecond(m.get("h2")))
                .append(", PostgreSQL ").append(perSecond(m.get("pg"))).append(" (").append(fmt(m.get("pgToH2"))).append(" of H2)")
                .append(", 2 instances on PostgreSQL ").append(perSecond(m.get("pg2x"))).append(" (").append(fmt(m.get("pg2xToH2")))
                .append(" of H2, ").append(fmt(m.get("pg2xToPg"))).append(" of 1 PostgreSQL)\n");
        }
        return sb.toString();
    }

    private static String perSecond(Object rate) {
        return rate == null ? "not run" : fmt(rate) + "/s";
    }

    static String fmt(Object v) {
        if (v == null) {
            return "–";
        }
        if (v instanceof Double d) {
            return Math.abs(d) >= 100 ? String.format("%.0f", d) : Math.abs(d) >= 10 ? String.format("%.1f", d) : String.format("%.2f", d);
        }
        return v.toString();
    }

    static String table(List<Map<String, Object>> records) {
        StringBuilder sb = new StringBuilder();
        sb.append("| workload | n | clients | vendor ms | seconds | rate/s | p50 ms | p99 ms | RSS MB | heap MB | CPU ms/op | load |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> r : records) {
            String w = (String) r.get("workload");
            if (r.get("of") != null) {
                w += " (" + r.get("of") + ")";
            }
            if (r.get("app") != null) {
                w += " (" + r.get("app") + ")";
            }
            sb.append("| ").append(w);
            for (String k : List.of("n", "clients", "vendorLatencyMs", "seconds", "ratePerSecond", "p50Ms", "p99Ms", "rssMb", "heapMb")) {
                sb.append(" | ").append(fmt(r.get(k)));
            }
            Double hubCpu = (Double) r.get("hubCpuMsPerOrder");
            Double floorCpu = (Double) r.get("floorCpuMsPerOrder");
            String cpu = hubCpu == null ? "–" : floorCpu == null ? String.format("%.1f", hubCpu)
                : String.format("%.1f + %.1f", floorCpu, hubCpu);
            sb.append(" | ").append(cpu).append(" | ").append(fmt(r.get("loadAvg1m"))).append(" |\n");
        }
        return sb.toString();
    }

    static String markdown(Config cfg, Map<String, Object> machine, List<Map<String, Object>> records, Map<String, Object> hubToFloor,
                           double minutes) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Certhub benchmark report\n\n");
        sb.append("Machine: ").append(machine.get("nproc")).append(" cores (").append(machine.get("cpu")).append("), ")
            .append(machine.get("memoryGb")).append(" GB RAM, ").append(machine.get("java")).append(", ").append(machine.get("os"))
            .append(". Run ").append(machine.get("date")).append(", took ").append(String.format("%.1f", minutes)).append(" min (`mvn -Pbench verify`).\n\n");
        sb.append("Rates are orders/s (W1, W2, floor of W1) or emails/s (W3, floor of W3); RSS and heap are the peaks of the hub process")
            .append(" during that run (each run has its own hub process, `-Xmx512m`); start-up is launch → `/actuator/health` UP.\n\n");
        sb.append(table(records)).append('\n');
        sb.append("CPU ms/op: CPU time of the hub process (user + system, /proc/<pid>/stat) during the timed window divided by n;")
            .append(" for the floor, floor JVM + hub process (whose sandbox vendor and mail server serve the floor too). It includes")
            .append(" JIT compilation and GC, and unlike the rates it does not depend much on what else runs on the machine.")
            .append(" load: the machine's 1-minute load average at the end of the run (2 cores shared with other developers).\n\n");
        sb.append("hubToFloor: W1 = ").append(fmt(hubToFloor.get("W1"))).append(", W3 = ").append(fmt(hubToFloor.get("W3"))).append("\n\n");
        List<Map<String, Object>> ratios = w1Ratios(records);
        if (!ratios.isEmpty()) {
            sb.append("## W1 on PostgreSQL and on 2 instances, beside H2 (this run, instant vendor)\n\n");
            sb.append(ratioLines(ratios)).append('\n');
            sb.append("`-pg`: one hub on a fresh database of a throw-away PostgreSQL cluster (Debian's binaries, fsync off, on this")
                .append(" machine); `-pg-2x`: two hub processes on one fresh PostgreSQL database sharing one data dir (one inbox),")
                .append(" timed until the sum of their `certhub.vendor.submitted` reaches N; CPU ms/op is both processes' CPU.")
                .append(" The PostgreSQL server's own CPU is not in the CPU column. All share the same 2 cores.\n\n");
        }
        String w4 = w4Section(records);
        if (!w4.isEmpty()) {
            sb.append(w4);
        }
        sb.append("## Targets\n\n| target | measured | met |\n|---|---|---|\n");
        int maxN = cfg.maxN();
        int minN = cfg.n().stream().mapToInt(Integer::intValue).min().orElse(maxN);
        int max200 = records.stream().filter(r -> ((String) r.get("workload")).startsWith("W1-") && Objects.equals(r.get("vendorLatencyMs"), 200))
            .mapToInt(r -> (Integer) r.get("n")).max().orElse(maxN);
        for (String kind : List.of("csv", "json")) {
            target(sb, "W1-" + kind + " N=" + maxN + " instant vendor ≥ 500 orders/s", rate(find(records, "W1-" + kind, maxN, 0, null)), 500, true);
            target(sb, "W1-" + kind + " N=" + max200 + " 200 ms vendor ≥ 250 orders/s", rate(find(records, "W1-" + kind, max200, 200, null)), 250, true);
        }
        target(sb, "hub/floor W1 ≥ 0.8", (Double) hubToFloor.get("W1"), 0.8, true);
        target(sb, "hub/floor W3 ≥ 0.8", (Double) hubToFloor.get("W3"), 0.8, true);
        target(sb, "W2 p99 < 50 ms at C = 32", find(records, "W2-rest", null, null, null).isPresent()
            ? records.stream().filter(r -> r.get("workload").equals("W2-rest") && Objects.equals(r.get("clients"), 32))
                .map(r -> (Double) r.get("p99Ms")).findFirst().orElse(null) : null, 50, false);
        int maxW3 = records.stream().filter(r -> r.get("workload").equals("W3-mail")).mapToInt(r -> (Integer) r.get("n")).max().orElse(-1);
        target(sb, "W3 ≥ 100 emails/s (N=" + maxW3 + ")", rate(find(records, "W3-mail", maxW3, null, null)), 100, true);
        if (minN != maxN) {
            for (String w : List.of("W1-csv", "W1-json")) {
                for (int lat : List.of(0, 200)) {
                    var a = find(records, w, minN, lat, null);
                    var b = find(records, w, maxN, lat, null);
                    if (a.isPresent() && b.isPresent()) {
                        double perA = (Double) a.get().get("seconds") / minN;
                        double perB = (Double) b.get().get("seconds") / maxN;
                        double ratio = perB / perA;
                        sb.append("| ").append(w).append(' ').append(lat).append(" ms: time linear in N (s/order at ").append(maxN)
                            .append(" ÷ s/order at ").append(minN).append(", 1 = linear) | ").append(String.format("%.2f", ratio))
                            .append(" | ").append(ratio <= 1.25 ? "yes" : "no").append(" |\n");
                    }
                }
            }
        }
        List<Map<String, Object>> w3s = records.stream().filter(r -> r.get("workload").equals("W3-mail")).toList();
        if (w3s.size() >= 2) {
            Map<String, Object> a = w3s.get(0);
            Map<String, Object> b = w3s.get(w3s.size() - 1);
            double ratio = ((Double) b.get("seconds") / (Integer) b.get("n")) / ((Double) a.get("seconds") / (Integer) a.get("n"));
            sb.append("| W3: time linear in N (s/mail at ").append(b.get("n")).append(" ÷ s/mail at ").append(a.get("n"))
                .append(", 1 = linear) | ").append(String.format("%.2f", ratio)).append(" | ").append(ratio <= 1.25 ? "yes" : "no").append(" |\n");
        }
        double rss = records.stream().map(r -> (Double) r.get("rssMb")).filter(Objects::nonNull).mapToDouble(Double::doubleValue).max().orElse(-1);
        target(sb, "RSS < 768 MB (peak over all runs)", rss < 0 ? null : rss, 768, false);
        sb.append('\n');
        sb.append("## Notes per run\n\n");
        for (Map<String, Object> r : records) {
            if (r.get("note") != null) {
                sb.append("- **").append(r.get("workload")).append(r.get("of") != null ? " (" + r.get("of") + ")" : "")
                    .append(r.get("app") != null ? " (" + r.get("app") + ")" : "").append(" n=").append(r.get("n"))
                    .append(r.get("clients") != null ? " C=" + r.get("clients") : "")
                    .append(r.get("vendorLatencyMs") != null ? " " + r.get("vendorLatencyMs") + " ms" : "").append("**: ").append(r.get("note")).append('.');
                if (r.get("firstSubmittedSeconds") != null) {
                    sb.append(" First order submitted after ").append(r.get("firstSubmittedSeconds")).append(" s.");
                }
                if (r.get("maxMs") != null) {
                    sb.append(" Max ").append(r.get("maxMs")).append(" ms.");
                }
                sb.append('\n');
            }
        }
        Path findings = cfg.root().resolve("src/bench/findings.md");
        if (Files.exists(findings)) {
            sb.append('\n').append(Files.readString(findings));
        }
        return sb.toString();
    }

    /**
     * The W4 section: each lifecycle scan's wall time (the hub's timer), heap and RSS before and at
     * the peak during it, hub CPU, and what it did beside what was due (the check).
     */
    static String w4Section(List<Map<String, Object>> records) {
        List<Map<String, Object>> w4 = records.stream().filter(r -> ((String) r.get("workload")).startsWith("W4-")).toList();
        if (w4.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("## W4: the daily lifecycle scans on 10,000 ACTIVE certificates\n\n");
        sb.append("| scan | database | seconds | heap MB before → peak | RSS MB before → peak | hub CPU s | due | done | check |\n");
        sb.append("|---|---|---:|---|---|---:|---:|---:|---|\n");
        for (Map<String, Object> r : w4) {
            String workload = (String) r.get("workload");
            boolean reminders = workload.startsWith("W4-reminders");
            Object cpu = r.get("hubCpuMsPerOrder") instanceof Number x ? Bench.round(x.doubleValue() * ((Number) r.get("n")).doubleValue() / 1000, 2) : null;
            sb.append("| ").append(r.get("scan")).append(" | ").append(workload.endsWith("-pg") ? "PostgreSQL" : "H2")
                .append(" | ").append(fmt(r.get("seconds")))
                .append(" | ").append(fmt(r.get("heapBeforeMb"))).append(" → ").append(fmt(r.get("heapMb")))
                .append(" | ").append(fmt(r.get("rssBeforeMb"))).append(" → ").append(fmt(r.get("rssMb")))
                .append(" | ").append(fmt(cpu))
                .append(" | ").append(reminders ? r.get("remindersDue") + " reminders" : r.get("overdueSeeded") + " overdue")
                .append(" | ").append(reminders ? r.get("reminderRowsSent") + " SENT rows (" + r.get("reminderRowsSkipped") + " SKIPPED), "
                    + r.get("remindersQueued") + " queued, " + r.get("reminderEmailsSent") + " emails sent in " + fmt(r.get("emailSeconds")) + " s"
                    : r.get("overdueFlagged") + " REISSUE_OVERDUE warnings")
                .append(" | ").append(Boolean.TRUE.equals(r.get("checkPassed")) ? "passed" : "**FAILED**").append(" |\n");
        }
        sb.append("\nseconds: the hub's Micrometer timer `certhub.lifecycle.scan` (tag `scan`) of the one run of each scan, fired by its")
            .append(" Quartz cron; heap: actuator `jvm.memory.used` (heap) sampled every 250 ms from just before the fire; RSS: VmHWM reset")
            .append(" just before the fire. The seeded mix is in the notes below.\n\n");
        return sb.toString();
    }

    private static void target(StringBuilder sb, String what, Double measured, double bound, boolean atLeast) {
        String met = measured == null ? "not run" : (atLeast ? measured >= bound : measured < bound) ? "yes" : "**no**";
        sb.append("| ").append(what).append(" | ").append(measured == null ? "–" : String.format("%.2f", measured)).append(" | ").append(met).append(" |\n");
    }

    // ================================================================== chart

    record Bar(String label, double value, boolean floor, String target) { }

    static void chart(List<Map<String, Object>> records, Path file) throws IOException {
        List<Bar> bars = new ArrayList<>();
        for (Map<String, Object> r : records) {
            String w = (String) r.get("workload");
            Double rate = (Double) r.get("ratePerSecond");
            if (rate == null || w.equals("startup")) {
                continue;
            }
            String label;
            String target = null;
            boolean floor = w.equals("floor");
            switch (w) {
                case "W1-csv", "W1-json", "W1-csv-pg", "W1-json-pg", "W1-csv-pg-2x", "W1-json-pg-2x" -> {
                    label = w + "  N=" + r.get("n") + "  vendor " + r.get("vendorLatencyMs") + " ms";
                    target = (Integer) r.get("vendorLatencyMs") == 0 ? "target 500" : "target 250";
                }
                case "W2-rest" -> label = "W2-rest  C=" + r.get("clients") + "  p99 " + fmt(r.get("p99Ms")) + " ms";
                case "W3-mail" -> {
                    label = "W3-mail  N=" + r.get("n");
                    target = "target 100";
                }
                default -> label = "floor of " + r.get("of") + "  N=" + r.get("n") + "  vendor " + r.get("vendorLatencyMs") + " ms";
            }
            bars.add(new Bar(label, rate, floor, target));
        }
        // order: W1 instant, floor instant, W1 200ms, floor 200ms, W2, W3, floor W3
        List<Bar> ordered = new ArrayList<>();
        for (String key : List.of("vendor 0 ms", "vendor 200 ms")) {
            bars.stream().filter(b -> b.label.startsWith("W1") && b.label.endsWith(key)).forEach(ordered::add);
            bars.stream().filter(b -> b.label.startsWith("floor of W1") && b.label.endsWith(key)).forEach(ordered::add);
        }
        bars.stream().filter(b -> b.label.startsWith("W2")).forEach(ordered::add);
        bars.stream().filter(b -> b.label.startsWith("W3")).forEach(ordered::add);
        bars.stream().filter(b -> b.label.startsWith("floor of W3")).forEach(ordered::add);

        int left = 330;
        int right = 170;
        int rowH = 26;
        int top = 60;
        int plotW = 700;
        int width = left + plotW + right;
        int height = top + Math.max(1, ordered.size()) * rowH + 50;
        double max = Math.max(600, ordered.stream().mapToDouble(Bar::value).max().orElse(1)) * 1.1;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Certhub throughput beside the floor (orders/s; W3 and its floor: emails/s)", 20, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0x1f77b4));
        g.fillRect(20, 38, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString("hub", 36, 49);
        g.setColor(new Color(0x999999));
        g.fillRect(80, 38, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString("floor (plain Java, same work)", 96, 49);
        // grid
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        double step = niceStep(max / 6);
        for (double v = 0; v <= max; v += step) {
            int x = left + (int) (v / max * plotW);
            g.setColor(new Color(0xE0E0E0));
            g.drawLine(x, top - 4, x, top + ordered.size() * rowH);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.0f", v), x - 8, top + ordered.size() * rowH + 16);
        }
        int y = top;
        for (Bar b : ordered) {
            int w = (int) (b.value / max * plotW);
            g.setColor(b.floor ? new Color(0x999999) : new Color(0x1f77b4));
            g.fillRect(left, y + 4, Math.max(w, 1), rowH - 8);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(b.label, 10, y + rowH - 9);
            g.drawString(String.format("%.0f", b.value), left + w + 5, y + rowH - 9);
            if (b.target != null) {
                double t = Double.parseDouble(b.target.substring(7));
                int tx = left + (int) (t / max * plotW);
                g.setColor(new Color(0xD62728));
                g.setStroke(new BasicStroke(2f));
                g.drawLine(tx, y + 2, tx, y + rowH - 2);
                g.setStroke(new BasicStroke(1f));
            }
            y += rowH;
        }
        g.setColor(new Color(0xD62728));
        g.fillRect(300, 38, 3, 12);
        g.drawString("the issue's target", 308, 49);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
