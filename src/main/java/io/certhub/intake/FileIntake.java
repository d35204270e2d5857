package io.certhub.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.certhub.config.HubProperties;
import io.certhub.ledger.LedgerService;
import io.certhub.order.OrderDocumentReader;
import io.certhub.order.OrderService;
import io.certhub.problem.HubProblem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Processes one order file taken from {@code <hub.data-dir>/inbox/<accountId>/} by the
 * order-file-intake route (shared/CONTRACT.md, "Files").
 *
 * <p>Steps: an entry that is not a regular file is refused unread ({@code FILE_NOT_REGULAR}, see
 * {@link IntakeFolders}); unsupported types go to {@code failed/} unread; the content is read once
 * in blocks for its SHA-256 and the UTF-8 check ({@link OrderFile#scan}); the account's durable
 * {@code intake_file} record of that content is looked up (a content this account already
 * processed → {@code done/} with {@code status: duplicate} and {@code duplicateOf}, creating
 * nothing; another account's identical file is its own); the try is counted; the whole file is
 * checked (UTF-8, syntax, order size) without writing anything; then each order is committed on
 * its own through {@link OrderService#create} (client references make a re-drop create only what
 * is new), at most {@code hub.intake.order-threads × 32} orders in flight. The file goes to
 * {@code done/} when every order was accepted (created or already there), else to
 * {@code failed/}, with {@code <name>.result.json} beside it. The exchange property
 * {@code intakeTarget} tells the route's {@code move} where the file goes.
 *
 * <p>Per order, before binding: values over their length ({@link OrderFieldLimits}) →
 * {@code FIELD_TOO_LONG} naming the dotted field; a value the database still refuses →
 * {@code ORDER_NOT_STORABLE}. Error details in the report are sanitised and bounded ({@link Excerpt}).
 *
 * <p>Crash safety and poison files (issue 16, item 4): the content record is written as
 * PROCESSING with {@code attempts = 1} before the file is checked, and each later try of the
 * same content adds one before any work; an unexpected failure (a bug, the database refusing,
 * memory) is recorded in {@code last_error} and propagates, so the route leaves the file for the
 * next poll, which only creates the orders that are missing. A content found PROCESSING with
 * {@code attempts >= hub.intake.max-attempts} is not tried again: it goes to {@code failed/} with
 * {@code FILE_PROCESSING_FAILED} naming the last error, and its record becomes ABANDONED (the
 * same content dropped again later is tried afresh). A file-level refusal (FILE_NOT_UTF8,
 * FILE_UNPARSEABLE, FILE_ORDER_TOO_LARGE) deletes the record: nothing was written, so the content
 * may be dropped again.
 */
@Component("fileIntake")
public class FileIntake {

    /** Exchange property holding the absolute path the file is moved to. */
    public static final String TARGET = "intakeTarget";
    /** Report code of a file given up after {@code hub.intake.max-attempts} tries. */
    public static final String PROCESSING_FAILED = "FILE_PROCESSING_FAILED";
    /** Per-order code of an order the database refused (a value too long for its column). */
    public static final String NOT_STORABLE = "ORDER_NOT_STORABLE";
    /** Most violations of one order kept in its report entry (the rest are counted). */
    public static final int MAX_ERRORS_PER_ORDER = 20;

    private static final Logger LOG = LoggerFactory.getLogger(FileIntake.class);

    private final HubProperties props;
    private final OrderService orders;
    private final OrderDocumentReader reader;
    private final LedgerService ledger;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final IntakeFolders folders;
    /** Single-thread lanes committing a file's orders in parallel ({@code hub.intake.order-threads}). */
    private final ExecutorService[] lanes;

    /**
     * @param props   hub configuration (max file size, max order size, max attempts, order threads)
     * @param orders  order lifecycle
     * @param reader  JSON tree → order document
     * @param ledger  accounts (existence)
     * @param jdbc    template on the hub database ({@code intake_file})
     * @param clock   time source
     * @param mapper  Jackson mapper
     * @param folders the inbox's folders and reports
     */
    public FileIntake(HubProperties props, OrderService orders, OrderDocumentReader reader, LedgerService ledger, JdbcTemplate jdbc,
                      Clock clock, ObjectMapper mapper, IntakeFolders folders) {
        this.props = props;
        this.orders = orders;
        this.reader = reader;
        this.ledger = ledger;
        this.jdbc = jdbc;
        this.clock = clock;
        this.mapper = mapper;
        this.folders = folders;
        this.lanes = new ExecutorService[Math.max(1, props.getIntake().getOrderThreads())];
        for (int i = 0; i < lanes.length; i++) {
            int n = i;
            lanes[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "intake-lane-" + n);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /**
     * Processes the file of a camel-file exchange ({@code CamelFileAbsolutePath}); sets
     * {@link #TARGET}. Unexpected failures (database down) propagate so the route leaves the
     * file in the inbox for the next poll (counted: see the class comment).
     *
     * @param exchange the file exchange
     */
    public void process(Exchange exchange) {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
        Map<String, Object> report = handle(file);
        String status = (String) report.get("status");
        Path target = folders.target(file, status.equals("failed") ? "failed" : "done");
        folders.writeReport(target, report);
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
        String hash = null;
        try {
            String kind = IntakeFolders.notRegular(file);         // again: it may have been swapped since the filter looked
            if (kind != null) {
                throw new HubProblem(422, IntakeFolders.NOT_REGULAR, null, fileName + " is " + kind + "; only regular files are read. It was moved to failed/ unread");
            }
            if (!OrderFile.supported(fileName)) {
                throw new HubProblem(422, "FILE_TYPE_UNSUPPORTED", null, fileName + ": only .json and .csv order files are read; the file was not opened");
            }
            if (!ledger.exists(accountId)) {
                throw new HubProblem(422, "ACCOUNT_UNKNOWN", null, "inbox folder '" + accountId + "' is not an account");
            }
            long size = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
            long max = props.getIntake().getMaxFileSize().toBytes();
            if (size > max) {
                throw new HubProblem(422, "FILE_TOO_LARGE", null, fileName + " has " + size + " bytes; the limit (hub.intake.max-file-size) is " + max);
            }
            OrderFile.Scan scan = OrderFile.scan(open(file));
            hash = scan.sha256();
            Optional<Map<String, Object>> seen = previous(accountId, hash);
            String seenStatus = seen.map(m -> (String) m.get("status")).orElse(null);
            if ("DONE".equals(seenStatus) || "FAILED".equals(seenStatus)) {
                report.put("status", "duplicate");
                report.put("duplicateOf", seen.get().get("file_name"));
                return report;
            }
            int maxAttempts = Math.max(1, props.getIntake().getMaxAttempts());
            if ("PROCESSING".equals(seenStatus) && ((Number) seen.get().get("attempts")).intValue() >= maxAttempts) {
                return giveUp(accountId, hash, fileName, seen.get(), maxAttempts, report);
            }
            if (!claim(accountId, hash, fileName, seen.isPresent())) {
                Optional<Map<String, Object>> now = previous(accountId, hash);
                if (!ended(now)) {
                    // another instance claimed this content between our look and our claim and is reading it
                    // now: not a duplicate of a finished file. Leave the file in place (a failed exchange is
                    // not moved): should that instance die, a later poll takes the file up again
                    throw new ContentBusyException(fileName + ": another hub instance started reading the same content at the same"
                        + " moment; the file is left in the inbox for a later poll");
                }
                report.put("status", "duplicate");
                report.put("duplicateOf", now.get().get("file_name"));
                return report;
            }
            try {
                if (scan.utf8Problem() != null) {
                    throw new HubProblem(422, "FILE_NOT_UTF8", null, scan.utf8Problem());
                }
                OrderFile checked = OrderFile.check(fileName, () -> open(file), mapper, props.getIntake().getMaxOrderSize().toBytes());
                processOrders(accountId, fileName, checked, results);
            } catch (HubProblem fileLevel) {
                // nothing was written: forget the content, so the same bytes dropped again are read again
                jdbc.update("delete from intake_file where account_id = ? and content_hash = ? and status = 'PROCESSING'", accountId, hash);
                throw fileLevel;
            }
            boolean allOk = !results.isEmpty() && results.stream().allMatch(r -> r.get("error") == null);
            if (results.isEmpty()) {
                report.put("error", Map.of("code", "FILE_EMPTY", "detail", fileName + " holds no order"));
            }
            String status = allOk ? "done" : "failed";
            report.put("status", status);
            jdbc.update("update intake_file set status = ?, processed_at = ?, last_error = null where account_id = ? and content_hash = ?",
                status.toUpperCase(java.util.Locale.ROOT), Timestamp.from(clock.instant()), accountId, hash);
            return report;
        } catch (HubProblem p) {
            report.put("status", "failed");
            report.put("error", error(p));
            return report;
        } catch (AccessDeniedException e) {
            report.put("status", "failed");
            report.put("error", error(new HubProblem(422, "FILE_UNREADABLE", null, fileName + " cannot be read by the hub (permissions)")));
            return report;
        } catch (IOException e) {
            recordFailure(accountId, hash, e);
            throw new UncheckedIOException(e);
        } catch (ContentBusyException e) {
            throw e;                                         // not a failure of a try: the other instance's record stands
        } catch (RuntimeException | Error e) {
            recordFailure(accountId, hash, e);
            throw e;
        }
    }

    /**
     * Opens a file for reading without following a link ({@code O_NOFOLLOW}: a link swapped in
     * after the checks fails to open instead of being read).
     */
    private static InputStream open(Path file) throws IOException {
        return Channels.newInputStream(Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }

    /** Commits the orders of a checked file, at most {@code lanes × 32} in flight, reporting them in file order. */
    private void processOrders(String accountId, String fileName, OrderFile checked, List<Map<String, Object>> results) {
        int window = lanes.length * 32;
        Deque<Future<Map<String, Object>>> pending = new ArrayDeque<>();
        int[] index = {0};
        checked.forEachOrder(node -> {
            int i = index[0]++;
            String ref = node.path("clientReference").isTextual() ? node.get("clientReference").asText() : null;
            // one lane per client reference keeps rows of the same reference in file order
            ExecutorService lane = lanes[Math.floorMod(String.valueOf(ref).hashCode(), lanes.length)];
            pending.add(lane.submit(() -> createOne(accountId, fileName, i, ref, node)));
            while (pending.size() > window) {
                results.add(await(pending.removeFirst()));
            }
        });
        while (!pending.isEmpty()) {
            results.add(await(pending.removeFirst()));
        }
    }

    /**
     * Records a try of this content: a new record (attempts 1) or one more try of a PROCESSING
     * record (an ABANDONED one starts again at 1).
     *
     * @return false when another file of the same content of this account took the record first
     */
    private boolean claim(String accountId, String hash, String fileName, boolean exists) {
        Timestamp now = Timestamp.from(clock.instant());
        if (!exists) {
            try {
                jdbc.update("insert into intake_file(account_id, content_hash, file_name, status, attempts, processed_at) values (?, ?, ?, 'PROCESSING', 1, ?)",
                    accountId, hash, fileName, now);
                return true;
            } catch (DuplicateKeyException raced) {
                return false;
            }
        }
        return jdbc.update("update intake_file set attempts = case when status = 'ABANDONED' then 1 else attempts + 1 end, status = 'PROCESSING',"
            + " file_name = ?, processed_at = ? where account_id = ? and content_hash = ? and status in ('PROCESSING', 'ABANDONED')",
            fileName, now, accountId, hash) == 1;
    }

    private Map<String, Object> giveUp(String accountId, String hash, String fileName, Map<String, Object> seen, int maxAttempts,
                                       Map<String, Object> report) {
        jdbc.update("update intake_file set status = 'ABANDONED', processed_at = ? where account_id = ? and content_hash = ? and status = 'PROCESSING'",
            Timestamp.from(clock.instant()), accountId, hash);
        Object last = seen.get("last_error");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", PROCESSING_FAILED);
        e.put("field", null);
        e.put("detail", fileName + ": given up after " + seen.get("attempts") + " tries (hub.intake.max-attempts = " + maxAttempts
            + "); last error: " + (last == null ? "unknown (the hub stopped or ran out of memory during the try)" : last)
            + ". Orders created by the tries are kept; drop the file again to try once more");
        report.put("status", "failed");
        report.put("error", e);
        LOG.warn("order file {} of account {} given up after {} tries: {}", fileName, accountId, seen.get("attempts"), last);
        return report;
    }

    /** Best effort: the failure of this try, for the report of the try that gives up. */
    private void recordFailure(String accountId, String hash, Throwable e) {
        if (hash == null) {
            return;
        }
        try {
            jdbc.update("update intake_file set last_error = ? where account_id = ? and content_hash = ?",
                Excerpt.of(e.getClass().getSimpleName() + ": " + rootMessage(e), Excerpt.MESSAGE), accountId, hash);
        } catch (RuntimeException dbToo) {
            e.addSuppressed(dbToo);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private Map<String, Object> createOne(String accountId, String fileName, int index, String ref, JsonNode node) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("index", index);
        r.put("clientReference", Excerpt.of(ref, 128));
        try {
            List<HubProblem.FieldError> tooLong = OrderFieldLimits.check(node);
            if (!tooLong.isEmpty()) {
                throw HubProblem.unprocessable(tooLong);
            }
            OrderService.CreateResult created = orders.create(accountId, reader.read(node), "file:" + cut(fileName, 120));
            r.put("id", created.order().id());
            r.put("state", created.order().state().name());
            r.put("created", created.created());
            r.put("error", null);
        } catch (HubProblem p) {
            r.put("id", null);
            r.put("state", null);
            r.put("error", error(p));
        } catch (DataIntegrityViolationException refused) {
            if (refused instanceof DuplicateKeyException) {
                throw refused;                              // a race: the next try settles it
            }
            LOG.warn("order {} of file {} ({}) refused by the database: {}", index, fileName, accountId,
                Excerpt.of(rootMessage(refused), Excerpt.MESSAGE));
            r.put("id", null);
            r.put("state", null);
            r.put("error", error(new HubProblem(422, NOT_STORABLE, null, "the database refused the order (a value too long or not"
                + " allowed for its column); nothing was stored for it")));
        }
        return r;
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static Map<String, Object> await(Future<Map<String, Object>> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while committing the orders of a file", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /** Stops the order lanes when the hub shuts down. */
    @jakarta.annotation.PreDestroy
    public void stop() {
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
    }

    /** @return whether a content's record is DONE or FAILED (a later file of that content is a duplicate) */
    static boolean ended(Optional<Map<String, Object>> record) {
        String status = record.map(m -> (String) m.get("status")).orElse(null);
        return "DONE".equals(status) || "FAILED".equals(status);
    }

    /**
     * A file whose content another hub instance claimed at the same moment (the insert of its
     * {@code intake_file} record lost the race; that record is PROCESSING): the exchange fails so the
     * file stays in the inbox, where a later poll reads it again (a duplicate once the other
     * instance is done, its orders found by client reference should it have died). Found by
     * ClusterIT on a starved machine: the file was moved to done/ as a "duplicate" of itself while
     * the other instance, killed later, had created 33 of its 50 orders; 17 were never created.
     */
    public static class ContentBusyException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        /** @param message what happened, naming the file */
        public ContentBusyException(String message) {
            super(message);
        }
    }

    /** @return the record of a content of this account: {@code file_name, status, attempts, last_error} */
    Optional<Map<String, Object>> previous(String accountId, String hash) {
        return jdbc.queryForList("select file_name, status, attempts, last_error from intake_file where account_id = ? and content_hash = ?",
            accountId, hash).stream().findFirst();
    }

    /** A problem as a report error: sanitised, bounded (field, detail, at most {@link #MAX_ERRORS_PER_ORDER} violations). */
    static Map<String, Object> error(HubProblem p) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", p.code());
        e.put("field", Excerpt.of(p.field(), 200));
        e.put("detail", Excerpt.of(p.detail(), Excerpt.DETAIL));
        if (!p.errors().isEmpty()) {
            List<HubProblem.FieldError> kept = p.errors().subList(0, Math.min(MAX_ERRORS_PER_ORDER, p.errors().size()));
            e.put("errors", kept.stream().map(f -> new HubProblem.FieldError(f.code(), Excerpt.of(f.field(), 200),
                Excerpt.of(f.detail(), Excerpt.DETAIL))).toList());
            if (p.errors().size() > kept.size()) {
                e.put("errorsOmitted", p.errors().size() - kept.size());
            }
        }
        return e;
    }
}
