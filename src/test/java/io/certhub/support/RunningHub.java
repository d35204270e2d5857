package io.certhub.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.certhub.CerthubApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The hub started for real on a random port with its own data dir, as a user would run it
 * (embedded default, routes from routes/), and plain HTTP calls to it. Restartable on the same
 * data dir for duplicate and crash tests.
 */
public final class RunningHub implements AutoCloseable {

    private final Path dataDir;
    private String[] extraArgs;
    private ConfigurableApplicationContext ctx;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Free ports for the sandbox's embedded SMTP/IMAP, chosen once so a restart keeps them. */
    private final int smtpPort = freePort();
    private final int imapPort = freePort();

    /** Set by {@link OnPostgres}: the test class whose hubs run on PostgreSQL, or null for H2. */
    private static volatile String postgresFor;

    /** The datasource arguments of this hub's own PostgreSQL database (kept over restarts), or none. */
    private final String[] databaseArgs;

    private RunningHub(Path dataDir, String... extraArgs) {
        this.dataDir = dataDir;
        this.extraArgs = extraArgs;
        String pg = postgresFor;
        this.databaseArgs = pg == null ? new String[0] : TestPostgres.hubArgs(TestPostgres.newDatabase(pg));
    }

    /**
     * Puts every hub made from now on onto a fresh database of the test PostgreSQL
     * ({@link TestPostgres}), or back on its H2 file under the data dir.
     *
     * @param testClass name prefix of the databases, or null for H2
     */
    static void usePostgres(String testClass) {
        postgresFor = testClass;
    }

    /**
     * The database this hub runs on, for a test that prepares it before {@link #start(String...)}
     * (e.g. an older schema): its own PostgreSQL database, or the H2 file under the data dir with
     * the options of {@code spring.datasource.url} in config/application.yml.
     *
     * @return {url, username, password}
     */
    public String[] datasource() {
        if (onPostgres()) {
            return new String[] {databaseArgs[0].substring(databaseArgs[0].indexOf('=') + 1), TestPostgres.USER, ""};
        }
        return new String[] {"jdbc:h2:file:" + dataDir + "/db/certhub;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;"
            + "LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE", "sa", ""};
    }

    /** @return true when this hub runs on PostgreSQL (for SQL written per database in tests) */
    public boolean onPostgres() {
        return databaseArgs.length > 0;
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * @param dataDir   hub.data-dir
     * @param extraArgs more {@code --name=value} arguments
     * @return the started hub
     */
    public static RunningHub start(Path dataDir, String... extraArgs) {
        RunningHub hub = new RunningHub(dataDir, extraArgs);
        hub.startContext();
        return hub;
    }

    /**
     * A hub not started yet: its mail ports are known, so a test can put proxies in front of
     * them before {@link #start(String...)}.
     *
     * @param dataDir hub.data-dir
     * @return the hub, not started
     */
    public static RunningHub prepare(Path dataDir) {
        return new RunningHub(dataDir);
    }

    /**
     * Starts a prepared hub.
     *
     * @param args {@code --name=value} arguments
     * @return this hub
     */
    public RunningHub start(String... args) {
        this.extraArgs = args;
        startContext();
        return this;
    }

    /** @return the embedded IMAP port of the sandbox mail server */
    public int imapPort() {
        return imapPort;
    }

    /** @return the embedded SMTP port of the sandbox mail server */
    public int smtpPort() {
        return smtpPort;
    }

    private void startContext() {
        java.util.Map<String, String> byName = new java.util.LinkedHashMap<>();
        for (String a : List.of("--server.port=0", "--hub.data-dir=" + dataDir, "--hub.intake.poll-delay-ms=100",
            "--hub.intake.quiet-period=400ms", "--spring.main.banner-mode=off",
            // the embedded mail server on free ports, so tests never clash with a hub running on 3025/3143
            "--hub.sandbox.smtp-port=" + smtpPort, "--hub.sandbox.imap-port=" + imapPort,
            "--hub.mailbox.port=" + imapPort, "--hub.mail.smtp.port=" + smtpPort)) {
            byName.put(a.substring(0, a.indexOf('=')), a);
        }
        for (String a : databaseArgs) {
            byName.put(a.substring(0, a.indexOf('=')), a);
        }
        for (String a : extraArgs) {
            byName.put(a.substring(0, a.indexOf('=')), a);       // a test's own value replaces the default
        }
        List<String> args = new ArrayList<>(byName.values());
        ctx = new SpringApplicationBuilder(CerthubApplication.class).run(args.toArray(String[]::new));
    }

    /** Stops and starts the hub on the same data dir (new port). */
    public void restart() {
        ctx.close();
        startContext();
    }

    /** @return the HTTP port */
    public int port() {
        return ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }

    /** @return the data dir */
    public Path dataDir() {
        return dataDir;
    }

    /** @return the inbox of an account @param account account id */
    public Path inbox(String account) {
        return dataDir.resolve("inbox").resolve(account);
    }

    /** @return JDBC on the hub database (for counting rows) */
    public JdbcTemplate jdbc() {
        return ctx.getBean(JdbcTemplate.class);
    }

    /** @return the Spring context */
    public ConfigurableApplicationContext context() {
        return ctx;
    }

    /**
     * @param sql a count query
     * @param args its arguments
     * @return the count
     */
    public long count(String sql, Object... args) {
        return jdbc().queryForObject(sql, Long.class, args);
    }

    /**
     * Prints every thread's stack to stderr (the hub runs in this JVM): the diagnosis of a request
     * that hung until Spring MVC's async timeout answered 503 for it.
     *
     * @param why what was seen
     */
    static void dumpThreads(String why) {
        StringBuilder sb = new StringBuilder("=== thread dump: ").append(why).append('\n');
        for (java.lang.management.ThreadInfo t : java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            sb.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                sb.append(" on ").append(t.getLockName()).append(" owned by ").append(t.getLockOwnerName());
            }
            sb.append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                sb.append("    at ").append(e).append('\n');
            }
        }
        System.err.println(sb);
    }

    /**
     * @param method  HTTP method
     * @param path    path under the hub, e.g. /api/v1/orders
     * @param key     X-Api-Key or null
     * @param body    JSON body or null
     * @param headers extra header name/value pairs
     * @return the response
     */
    public HttpResponse<String> call(String method, String path, String key, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).timeout(Duration.ofSeconds(90));
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
            long start = System.nanoTime();
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 503 && System.nanoTime() - start > Duration.ofSeconds(25).toNanos()) {
                dumpThreads(method + " " + path + " answered 503 after " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
            }
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The order as the demo account sees it: {@code GET /api/v1/orders/{id}} with {@code demo-key}.
     *
     * @param id order id
     * @return the order's JSON (contract shape, CONTRACT.md "Order")
     */
    public JsonNode order(String id) {
        return OrderJson.parse(get("/api/v1/orders/" + id, "demo-key").body());
    }

    /** GET. @param path path @param key api key @return response */
    public HttpResponse<String> get(String path, String key) {
        return call("GET", path, key, null);
    }

    /** POST. @param path path @param key api key @param body JSON @param headers extra headers @return response */
    public HttpResponse<String> post(String path, String key, String body, String... headers) {
        return call("POST", path, key, body, headers);
    }

    @Override
    public void close() {
        if (ctx != null) {
            ctx.close();
        }
    }
}
