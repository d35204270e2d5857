package io.certhub.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Benchmark settings, from system properties (set by the {@code bench} Maven profile):
 * {@code bench.jar}, {@code bench.n} (W1 sizes), {@code bench.w2.requests} (per client count),
 * {@code bench.w3.n} (W3 sizes), {@code bench.jfr} (record every hub with JFR),
 * {@code bench.hub.jvm} (extra JVM options of every hub process, separated by {@code |}, for
 * diagnosis such as {@code -XX:NativeMemoryTracking=summary}; never set in the recorded runs),
 * {@code bench.only} (comma-separated subset of startup, W1, W1pg, floor, W2, W3, W4, W4pg; empty = all; W4 is
 * the daily lifecycle scans on 10,000 ACTIVE certificates ({@link W4}) on the embedded H2, W4pg the same on
 * a fresh database of the test PostgreSQL (skipped with a log line when it cannot be had); W1pg is
 * W1 on PostgreSQL and with 2 hub instances on PostgreSQL, sizes {@code bench.pg.n}, default the
 * largest of {@code bench.n}),
 * {@code bench.out} (output directory, default {@code target/bench}).
 */
record Config(String javaBin, Path jar, Path root, Path out, boolean jfr, List<Integer> n, int w2Requests, List<Integer> w3n,
              Set<String> only) {

    static Config fromSystem() {
        Path root = Path.of("").toAbsolutePath();
        String jarProp = System.getProperty("bench.jar", "");
        Path jar = jarProp.isBlank() ? findJar(root) : Path.of(jarProp);
        String only = System.getProperty("bench.only", "");
        String out = System.getProperty("bench.out", "");
        return new Config(Path.of(System.getProperty("java.home"), "bin", "java").toString(), jar, root,
            out.isBlank() ? root.resolve("target/bench") : Path.of(out).toAbsolutePath(),
            Boolean.parseBoolean(System.getProperty("bench.jfr", "false")), ints(System.getProperty("bench.n", "1000,10000")),
            Integer.parseInt(System.getProperty("bench.w2.requests", "3000").trim()), ints(System.getProperty("bench.w3.n", "1000,10000")),
            Arrays.stream(only.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).collect(Collectors.toSet()));
    }

    boolean runs(String workload) {
        return only.isEmpty() || only.contains(workload.toLowerCase(Locale.ROOT));
    }

    int maxN() {
        return n.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    int maxW3() {
        return w3n.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private static List<Integer> ints(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(Integer::parseInt).toList();
    }

    private static Path findJar(Path root) {
        try (Stream<Path> s = Files.list(root.resolve("target").resolve("sandbox"))) {
            return s.filter(p -> p.getFileName().toString().matches("certhub-.*-sandbox\\.jar")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no target/sandbox/certhub-*-sandbox.jar: run mvn package first"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
