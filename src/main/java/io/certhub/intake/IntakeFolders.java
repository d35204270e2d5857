package io.certhub.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The inbox's folders, entries and reports, handled without ever following a link or opening
 * anything that is not a regular file (issue 16, item 1).
 *
 * <ul>
 *   <li>{@link #notRegular}: what an entry is, read with {@code lstat} ({@link LinkOption#NOFOLLOW_LINKS}),
 *       so a symbolic link, FIFO, device or socket is named without being opened (opening a FIFO
 *       blocks until a writer comes).</li>
 *   <li>{@link #refuseNotRegular}: such an entry is renamed, unread, into {@code failed/} (a rename
 *       moves a link itself, never its target) with a report of code {@code FILE_NOT_REGULAR}.</li>
 *   <li>{@link #usableAccountFolder}: an account folder that is itself a link (e.g.
 *       {@code inbox/demo → /etc}), or whose {@code done/} or {@code failed/} is not a directory of
 *       its own, is not read at all; it is logged once (WARN) and left as it is for the operator.</li>
 *   <li>{@link #target} and {@link #writeReport}: where a file goes and its {@code <name>.result.json},
 *       written through a temporary file created with {@code CREATE_NEW} (a link planted under the
 *       temporary name is removed, never written through) and renamed over the report.</li>
 * </ul>
 */
@Component
public class IntakeFolders {

    /** Report code of an entry that is not a regular file. */
    public static final String NOT_REGULAR = "FILE_NOT_REGULAR";

    private static final Logger LOG = LoggerFactory.getLogger(IntakeFolders.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final ObjectMapper reportWriter;
    private final Set<Path> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param clock  time source (stamps of names already taken in {@code done/} or {@code failed/})
     * @param mapper Jackson mapper (reports are written indented)
     */
    public IntakeFolders(Clock clock, ObjectMapper mapper) {
        this.clock = clock;
        this.reportWriter = mapper.copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * Says what an entry is, without following a link or opening it.
     *
     * @param entry a path
     * @return null for a regular file; else {@code "a symbolic link"}, {@code "a FIFO (named pipe)"},
     *         {@code "a directory"}, {@code "a device, socket or other special file"}, or {@code "gone"}
     */
    public static String notRegular(Path entry) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return "gone";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (a.isRegularFile()) {
            return null;
        }
        if (a.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (a.isDirectory()) {
            return "a directory";
        }
        String type = fileType(entry);
        return "fifo".equals(type) ? "a FIFO (named pipe)" : "a device, socket or other special file";
    }

    private static String fileType(Path entry) {
        try {
            Object mode = Files.getAttribute(entry, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (mode instanceof Integer m && (m & 0170000) == 0010000) {
                return "fifo";
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view: the generic name is used
        }
        return "other";
    }

    /**
     * Moves an entry that is not a regular file, unread, into {@code failed/} beside it with its
     * report ({@code status: failed}, {@code error.code: FILE_NOT_REGULAR}). An entry that is gone
     * meanwhile is left alone.
     *
     * @param entry the entry in {@code inbox/<accountId>/}
     * @param kind  what it is ({@link #notRegular})
     */
    public void refuseNotRegular(Path entry, String kind) {
        String name = entry.getFileName().toString();
        Path target;
        try {
            target = target(entry, "failed");
            Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);      // rename(2): the link itself, never its target
        } catch (NoSuchFileException gone) {
            return;
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            warnOnce(entry, "inbox entry " + entry + " is " + kind + " and could not be moved to failed/: " + e);
            return;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", name);
        report.put("status", "failed");
        report.put("duplicateOf", null);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", NOT_REGULAR);
        error.put("field", null);
        error.put("detail", Excerpt.of(name, 255) + " is " + kind + "; only regular files are read. It was moved to failed/ unread"
            + " (a link is moved itself, its target is never opened)");
        report.put("error", error);
        report.put("orders", List.of());
        writeReport(target, report);
        LOG.warn("inbox entry {} is {}: moved unread to {} ({})", entry, kind, target, NOT_REGULAR);
    }

    /**
     * Whether the consumer may walk an account folder: it must be a directory of its own (not a
     * link to one), and its {@code done/} and {@code failed/} absent or directories of their own,
     * so that no file is read from, nor written to, anywhere else. A refused folder is logged once.
     *
     * @param folder {@code inbox/<accountId>}
     * @return true when its files may be taken
     */
    public boolean usableAccountFolder(Path folder) {
        String kind = notRegular(folder);
        if (!"a directory".equals(kind)) {
            warnOnce(folder, "inbox folder " + folder + " is " + (kind == null ? "a regular file" : kind)
                + ", not a directory of its own: it is not read (a link to a folder is never followed)");
            return false;
        }
        for (String sub : List.of("done", "failed")) {
            String subKind = notRegular(folder.resolve(sub));
            if (!"gone".equals(subKind) && !"a directory".equals(subKind)) {
                warnOnce(folder, "inbox folder " + folder + " is not read: its " + sub + "/ is " + (subKind == null ? "a regular file" : subKind)
                    + ", not a directory of its own (nothing is moved or written through it)");
                return false;
            }
        }
        warned.remove(folder);
        return true;
    }

    private void warnOnce(Path p, String message) {
        if (warned.add(p)) {
            LOG.warn(message);
        }
    }

    /**
     * Where a file goes: {@code <folder>/<name>}, or {@code <folder>/<stem>.<UTC stamp>.<ext>} when
     * that name or its report is taken. Creates the folder.
     *
     * @param file   the file in {@code inbox/<accountId>/}
     * @param folder {@code done} or {@code failed}
     * @return the target path
     * @throws IllegalStateException when the folder exists but is not a directory of its own
     */
    public Path target(Path file, String folder) {
        Path dir = file.getParent().resolve(folder);
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException(dir + " is not a directory", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!"a directory".equals(notRegular(dir))) {
            throw new IllegalStateException(dir + " is not a directory of its own (a link?): nothing is moved through it");
        }
        String name = file.getFileName().toString();
        Path target = dir.resolve(name);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.exists(dir.resolve(name + ".result.json"), LinkOption.NOFOLLOW_LINKS)) {
            int dot = name.lastIndexOf('.');
            String stamped = (dot > 0 ? name.substring(0, dot) : name) + "." + STAMP.format(clock.instant()) + (dot > 0 ? name.substring(dot) : "");
            target = dir.resolve(stamped);
        }
        return target;
    }

    /**
     * Writes {@code <target>.result.json} atomically (temporary file, then rename).
     *
     * @param target the path the file goes to
     * @param report the report
     */
    public void writeReport(Path target, Map<String, Object> report) {
        try {
            Path tmp = target.resolveSibling(target.getFileName() + ".result.json.tmp");
            Files.deleteIfExists(tmp);                 // removes a planted link itself, never its target
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                reportWriter.writeValue(out, report);
            }
            Files.move(tmp, target.resolveSibling(target.getFileName() + ".result.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
