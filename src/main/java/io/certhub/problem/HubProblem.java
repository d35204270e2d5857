package io.certhub.problem;

import java.util.List;

/**
 * A rule the hub refuses to break, reported to callers as an RFC 9457 problem
 * ({@code application/problem+json}) by the REST API and as the {@code error} of an order in
 * an inbox file's {@code .result.json} report.
 *
 * <p>{@code code} is the stable UPPER_SNAKE code of shared/CONTRACT.md (e.g.
 * {@code INSUFFICIENT_FUNDS}); {@code field} is the dotted path of the offending field (e.g.
 * {@code contacts.admin.email}) or null; {@code errors} lists every violation when there are
 * several (the first one is mirrored in {@code code}/{@code field}/{@code detail}).
 */
public class HubProblem extends RuntimeException {

    /** One violation: {@code code}, dotted {@code field} path (nullable) and human {@code detail}. */
    public record FieldError(String code, String field, String detail) { }

    private final int status;
    private final String code;
    private final String field;
    private final List<FieldError> errors;

    /**
     * @param status HTTP status (400, 401, 402, 403, 404, 409, 422 …)
     * @param code   stable UPPER_SNAKE code
     * @param field  dotted field path, or null
     * @param detail human explanation naming the field and the rule
     */
    public HubProblem(int status, String code, String field, String detail) {
        this(status, code, field, detail, List.of());
    }

    /**
     * @param status HTTP status
     * @param code   stable code of the first (or only) violation
     * @param field  dotted field path of the first violation, or null
     * @param detail human explanation of the first violation
     * @param errors every violation, possibly empty
     */
    public HubProblem(int status, String code, String field, String detail, List<FieldError> errors) {
        super(code + ": " + detail);
        this.status = status;
        this.code = code;
        this.field = field;
        this.errors = List.copyOf(errors);
    }

    /**
     * A 422 problem for several violations, the first one heading it.
     *
     * @param errors at least one violation
     * @return the problem
     * @throws IllegalArgumentException when {@code errors} is empty
     */
    public static HubProblem unprocessable(List<FieldError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("no errors");
        }
        FieldError first = errors.get(0);
        return new HubProblem(422, first.code(), first.field(), first.detail(), errors.size() > 1 ? errors : List.of());
    }

    /** @return HTTP status of the problem */
    public int status() { return status; }

    /** @return stable UPPER_SNAKE code */
    public String code() { return code; }

    /** @return dotted field path, or null */
    public String field() { return field; }

    /** @return human detail of the (first) violation */
    public String detail() {
        String m = getMessage();
        return m.substring(code.length() + 2);
    }

    /** @return every violation when there are several, else empty */
    public List<FieldError> errors() { return errors; }
}
