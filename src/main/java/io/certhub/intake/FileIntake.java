package io.certhub.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.certhub.config.HubProperties;
import io.certhub.ledger.LedgerService;
import io.certhub.order.OrderDocumentReader;
import io.certhub.order.OrderService;
import io.certhub.problem.HubProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Processes one order file taken from {@code <hub.data-dir>/inbox/<accountId>/} by the
 * order-file-intake route (shared/CONTRACT.md, "Files").
 *
 * <p>Steps: unsupported types go to {@code failed/} unread; the content's SHA-256 is looked up
 * in the durable {@code intake_file} record (a content already processed → {@code done/} with
 * {@code status: duplicate} and {@code duplicateOf}, creating nothing); the whole file is
 * checked (size, UTF-8, syntax) without writing anything; then each order is committed on its
 * own through {@link OrderService#create} (client references make a re-drop create only what is
 * new). The file goes to {@code done/} when every order was accepted (created or already
 * there), else to {@code failed/}, with {@code <name>.result.json} beside it. The exchange
 * property {@code intakeTarget} tells the route's {@code move} where the file goes.
 *
 * <p>Crash safety: the content record is written as PROCESSING before the first order and
 * closed as DONE/FAILED at the end; a file found again while PROCESSING (the hub stopped
 * mid-file) is processed again, which only creates the orders that are missing.
 */
@Component("fileIntake")
public class FileIntake {

    /** Exchange property holding the absolute path the file is moved to. */
    public static final String TARGET = "intakeTarget";

    private static final Logger LOG = LoggerFactory.getLogger(FileIntake.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final HubProperties props;
    private final OrderService orders;
    private final OrderDocumentReader reader;
    private final LedgerService ledger;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final ObjectMapper reportWriter;
    /**
     * Orders of one file that may wait per lane at once: the file's thread blocks when its orders
     * fill the lanes this far, so a file of any size keeps a bounded number of parsed orders in
     * memory and the lanes' queues stay bounded (4 files × 8 lanes × 16 = 512 queued at most).
     */
    static final int IN_FLIGHT_PER_LANE = 16;
    /** Single-thread lanes committing a file's orders in parallel ({@code hub.intake.order-threads}). */
    private final java.util.concurrent.ExecutorService[] lanes;

    /**
     * @param props  hub configuration (max file size)
     * @param orders order lifecycle
     * @param reader JSON tree → order document
     * @param ledger accounts (existence)
     * @param jdbc   template on the hub database ({@code intake_file})
     * @param clock  time source
     * @param mapper Jackson mapper
     */
    public FileIntake(HubProperties props, OrderService orders, OrderDocumentReader reader, LedgerService ledger, JdbcTemplate jdbc,
                      Clock clock, ObjectMapper mapper) {
        this.props = props;
        this.orders = orders;
        this.reader = reader;
        this.ledger = ledger;
        this.jdbc = jdbc;
        this.clock = clock;
        this.mapper = mapper;
        this.reportWriter = mapper.copy().enable(SerializationFeature.INDENT_OUTPUT);
        this.lanes = new java.util.concurrent.ExecutorService[Math.max(1, props.getIntake().getOrderThreads())];
        for (int i = 0; i < lanes.length; i++) {
            int n = i;
            lanes[i] = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "intake-lane-" + n);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /**
     * Processes the file of a camel-file exchange ({@code CamelFileAbsolutePath}); sets
     * {@link #TARGET}. Unexpected failures (database down) propagate so the route leaves the
     * file in the inbox for the next poll.
     *
     * @param exchange the file exchange
     */
    public void process(Exchange exchange) {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
        Map<String, Object> report = handle(file);
        String status = (String) report.get("status");
        Path target = target(file, status.equals("failed") ? "failed" : "done");
        writeReport(target, report);
        exchange.setProperty(TARGET, target.toString());
        LOG.info("order file {} → {} ({})", file, target, status);
    }

    /**
     * Processes one file and returns its report (without moving it).
     *
     * @param file absolute path of a file in {@code inbox/<accountId>/}
     * @return the report: {@code {file, status: done|failed|duplicate, duplicateOf, error, orders[]}}
     */
    public Map<String, Object> handle(Path file) {
        String fileName = file.getFileName().toString();
        String accountId = file.getParent().getFileName().toString();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", fileName);
        report.put("status", "failed");
        report.put("duplicateOf", null);
        report.put("error", null);
        List<Map<String, Object>> results = new ArrayList<>();
        report.put("orders", results);
        try {
            if (!OrderFile.supported(fileName)) {
                throw new HubProblem(422, "FILE_TYPE_UNSUPPORTED", null, fileName + ": only .json and .csv order files are read; the file was not opened");
            }
            if (!ledger.exists(accountId)) {
                throw new HubProblem(422, "ACCOUNT_UNKNOWN", null, "inbox folder '" + accountId + "' is not an account");
            }
            long size = Files.size(file);
            long max = props.getIntake().getMaxFileSize().toBytes();
            if (size > max) {
                throw new HubProblem(422, "FILE_TOO_LARGE", null, fileName + " has " + size + " bytes; the limit (hub.intake.max-file-size) is " + max);
            }
            byte[] bytes = Files.readAllBytes(file);
            String hash = sha256(bytes);
            Optional<Map<String, Object>> seen = previous(hash);
            if (seen.isPresent() && !"PROCESSING".equals(seen.get().get("status"))) {
                report.put("status", "duplicate");
                report.put("duplicateOf", seen.get().get("file_name"));
                return report;
            }
            OrderFile checked = OrderFile.check(fileName, bytes, mapper);
            if (seen.isEmpty()) {
                try {
                    jdbc.update("insert into intake_file(content_hash, account_id, file_name, status, processed_at) values (?, ?, ?, 'PROCESSING', ?)",
                        hash, accountId, fileName, Timestamp.from(clock.instant()));
                } catch (DuplicateKeyException raced) {
                    report.put("status", "duplicate");
                    report.put("duplicateOf", previous(hash).map(m -> m.get("file_name")).orElse(null));
                    return report;
                }
            }
            int[] index = {0};
            boolean[] allOk = {true};
            List<java.util.concurrent.Future<Map<String, Object>>> pending = new ArrayList<>();
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(IN_FLIGHT_PER_LANE * lanes.length);
            checked.forEachOrder(node -> {
                int i = index[0]++;
                String ref = node.path("clientReference").isTextual() ? node.get("clientReference").asText() : null;
                // one lane per client reference keeps rows of the same reference in file order
                java.util.concurrent.ExecutorService lane = lanes[Math.floorMod(String.valueOf(ref).hashCode(), lanes.length)];
                // back-pressure: at most IN_FLIGHT_PER_LANE orders of this file per lane wait in the
                // lanes' queues; the file's thread blocks here until one is done (never runs it inline)
                acquire(inFlight);
                pending.add(lane.submit(() -> {
                    try {
                        return createOne(accountId, fileName, i, ref, node);
                    } finally {
                        inFlight.release();
                    }
                }));
            });
            for (java.util.concurrent.Future<Map<String, Object>> f : pending) {
                Map<String, Object> r = await(f);
                if (r.get("error") != null) {
                    allOk[0] = false;
                }
                results.add(r);
            }
            if (index[0] == 0) {
                allOk[0] = false;
                report.put("error", Map.of("code", "FILE_EMPTY", "detail", fileName + " holds no order"));
            }
            String status = allOk[0] ? "done" : "failed";
            report.put("status", status);
            jdbc.update("update intake_file set status = ?, processed_at = ? where content_hash = ?", status.toUpperCase(),
                Timestamp.from(clock.instant()), hash);
            return report;
        } catch (HubProblem p) {
            report.put("status", "failed");
            report.put("error", error(p));
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> createOne(String accountId, String fileName, int index, String ref, com.fasterxml.jackson.databind.JsonNode node) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("index", index);
        r.put("clientReference", ref);
        try {
            OrderService.CreateResult created = orders.create(accountId, reader.read(node), "file:" + fileName);
            r.put("id", created.order().id());
            r.put("state", created.order().state().name());
            r.put("created", created.created());
            r.put("error", null);
        } catch (HubProblem p) {
            r.put("id", null);
            r.put("state", null);
            r.put("error", error(p));
        }
        return r;
    }

    private static void acquire(java.util.concurrent.Semaphore permits) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while committing the orders of a file", e);
        }
    }

    private static Map<String, Object> await(java.util.concurrent.Future<Map<String, Object>> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while committing the orders of a file", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /** Stops the order lanes when the hub shuts down. */
    @jakarta.annotation.PreDestroy
    public void stop() {
        for (java.util.concurrent.ExecutorService lane : lanes) {
            lane.shutdown();
        }
    }

    private Optional<Map<String, Object>> previous(String hash) {
        return jdbc.queryForList("select file_name, status from intake_file where content_hash = ?", hash).stream().findFirst();
    }

    private static Map<String, Object> error(HubProblem p) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", p.code());
        e.put("field", p.field());
        e.put("detail", p.detail());
        if (!p.errors().isEmpty()) {
            e.put("errors", p.errors());
        }
        return e;
    }

    private Path target(Path file, String folder) {
        Path dir = file.getParent().resolve(folder);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String name = file.getFileName().toString();
        Path target = dir.resolve(name);
        if (Files.exists(target) || Files.exists(dir.resolve(name + ".result.json"))) {
            int dot = name.lastIndexOf('.');
            String stamped = (dot > 0 ? name.substring(0, dot) : name) + "." + STAMP.format(clock.instant()) + (dot > 0 ? name.substring(dot) : "");
            target = dir.resolve(stamped);
        }
        return target;
    }

    private void writeReport(Path target, Map<String, Object> report) {
        try {
            Path tmp = target.resolveSibling(target.getFileName() + ".result.json.tmp");
            Files.write(tmp, reportWriter.writeValueAsBytes(report));
            Files.move(tmp, target.resolveSibling(target.getFileName() + ".result.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        return com.google.common.hash.Hashing.sha256().hashBytes(bytes).toString();
    }
}
