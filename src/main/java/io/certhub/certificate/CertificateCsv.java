package io.certhub.certificate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The CSV export of an account's certificates ({@code GET /api/v1/certificates} with
 * {@code Accept: text/csv}): RFC 4180 (Commons CSV {@link CSVFormat#RFC4180}: comma separated, CRLF
 * line ends, fields with a comma, quote or line break quoted, quotes doubled), UTF-8, a header row
 * of {@link #HEADER}, then one row per certificate, newest first. {@code sans} is space separated;
 * {@code revokedAt} and {@code revocationReason} (RFC 5280 reason name, e.g. {@code keyCompromise})
 * are empty unless the certificate is REVOKED (issue 13 §5). Instants are ISO 8601 UTC, microseconds.
 *
 * <p>Streamed: the rows are read in batches of {@value #BATCH} (keyset paging,
 * {@link CertificateInventory#batchAfter}) as the client reads, so an export of any size holds
 * one batch in memory. A cell that a spreadsheet would run as a formula (starting with
 * {@code =}, {@code +}, {@code -}, {@code @}, tab or CR; OWASP "CSV injection") is written with a
 * leading {@code '}; only a client reference can start so.
 */
public final class CertificateCsv extends InputStream {

    /** The header row's columns, in order. */
    public static final List<String> HEADER = List.of("id", "orderId", "clientReference", "domain", "serialNumber", "issuer", "subject",
        "sans", "keyType", "keySize", "notBefore", "notAfter", "sha256", "state", "source", "receivedAt", "revokedAt", "revocationReason");

    /** Rows read from the database at a time. */
    static final int BATCH = 500;

    private final CertificateInventory inventory;
    private final String accountId;
    private final CertificateInventory.Filter filter;
    private CertificateInventory.Item last;
    private boolean headerWritten;
    private boolean exhausted;
    private byte[] buffer = new byte[0];
    private int pos;

    /**
     * @param inventory the inventory
     * @param accountId the account whose certificates are exported
     * @param filter    the list's filters
     */
    public CertificateCsv(CertificateInventory inventory, String accountId, CertificateInventory.Filter filter) {
        this.inventory = inventory;
        this.accountId = accountId;
        this.filter = filter;
    }

    @Override
    public int read() {
        if (!fill()) {
            return -1;
        }
        return buffer[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, buffer.length - pos);
        System.arraycopy(buffer, pos, b, off, n);
        pos += n;
        return n;
    }

    /** @return false at the end; else the buffer holds unread bytes */
    private boolean fill() {
        while (pos >= buffer.length) {
            if (exhausted) {
                return false;
            }
            StringBuilder sb = new StringBuilder();
            try (CSVPrinter out = new CSVPrinter(sb, CSVFormat.RFC4180)) {
                if (!headerWritten) {
                    out.printRecord(HEADER);
                    headerWritten = true;
                }
                List<CertificateInventory.Item> batch = inventory.batchAfter(accountId, filter, last, BATCH);
                for (CertificateInventory.Item i : batch) {
                    out.printRecord(row(i));
                }
                if (batch.size() < BATCH) {
                    exhausted = true;
                } else {
                    last = batch.get(batch.size() - 1);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            buffer = sb.toString().getBytes(StandardCharsets.UTF_8);
            pos = 0;
        }
        return true;
    }

    /**
     * @param i a certificate
     * @return its CSV cells in {@link #HEADER} order
     */
    static List<String> row(CertificateInventory.Item i) {
        var f = i.facts();
        return List.of(i.id(), i.orderId(), safe(i.clientReference()), safe(i.domain()), f.serialHex(), safe(f.issuerDn()), safe(f.subjectDn()),
            String.join(" ", f.sans()), f.keyType(), String.valueOf(f.keySize()), instant(f.notBefore()), instant(f.notAfter()), f.sha256(),
            i.state().name(), i.source(), instant(i.receivedAt()), i.revokedAt() == null ? "" : instant(i.revokedAt()),
            i.revocationReason() == null ? "" : i.revocationReason());
    }

    private static String instant(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS).toString();
    }

    private static String safe(String cell) {
        if (cell == null || cell.isEmpty()) {
            return cell == null ? "" : cell;
        }
        char c = cell.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + cell : cell;
    }
}
