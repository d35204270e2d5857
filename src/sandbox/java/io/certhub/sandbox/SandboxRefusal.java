package io.certhub.sandbox;

/**
 * A protocol request the sandbox vendor refuses: answered as an OPS reply with
 * {@code is_success=0}, this {@link #responseCode()} and the message as {@code response_text}.
 *
 * <p>Codes used (after opensrs-trust-api.md, "Response codes worth mapping"): {@value #AUTH_FAILED}
 * authentication refused; {@value #NOT_FOUND} unknown order or certificate; {@value #INVALID}
 * a validation or state refusal (the text names the attribute, e.g. {@code "Invalid csr: ..."}).
 */
public class SandboxRefusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** response_code of an authentication failure ({@code X-Username}/{@code X-Signature}). */
    public static final int AUTH_FAILED = 400;
    /** response_code of an unknown order or product. */
    public static final int NOT_FOUND = 404;
    /** response_code of a validation or state refusal. */
    public static final int INVALID = 465;

    private final int responseCode;

    /**
     * @param responseCode the OPS {@code response_code}
     * @param text         the {@code response_text}, naming the attribute or state at fault
     */
    public SandboxRefusal(int responseCode, String text) {
        super(text);
        this.responseCode = responseCode;
    }

    /**
     * @param attribute the OPS attribute at fault, e.g. {@code csr}
     * @param why       what is wrong with it
     * @return a {@value #INVALID} refusal with text {@code "Invalid <attribute>: <why>"}
     */
    public static SandboxRefusal invalid(String attribute, String why) {
        return new SandboxRefusal(INVALID, "Invalid " + attribute + ": " + why);
    }

    /**
     * @param orderId the order asked for
     * @return a {@value #NOT_FOUND} refusal
     */
    public static SandboxRefusal notFound(String orderId) {
        return new SandboxRefusal(NOT_FOUND, "Order " + orderId + " not found");
    }

    /** @return the OPS {@code response_code} */
    public int responseCode() {
        return responseCode;
    }
}
