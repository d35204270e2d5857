package io.certhub.issuer.opensrs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code X-Signature} header of the OpenSRS API.
 *
 * <p>Definition (opensrs-trust-api.md, "Transport and signing", after the OpenSRS API guide and
 * its PHP toolkit): {@code md5_hex(md5_hex(body + key) + key)}, where {@code body} is the exact
 * request (or reply) bytes on the wire, {@code key} is the reseller's private API key encoded as
 * UTF-8, {@code +} is byte concatenation and {@code md5_hex} is the 32-character lower-case
 * hexadecimal MD5 digest (the inner hex string is hashed as its ASCII bytes).
 *
 * <p>MD5 is what the vendor's protocol prescribes; it is not a choice made here. Stateless and
 * thread-safe.
 */
public final class OpsSignature {

    private static final HexFormat HEX = HexFormat.of(); // lower-case

    private OpsSignature() {
    }

    /**
     * Signs a message body.
     *
     * @param body the exact bytes sent (or received); not modified
     * @param key  the reseller's private API key (UTF-8); must not be empty
     * @return 32 lower-case hex characters
     * @throws NullPointerException     if {@code body} or {@code key} is null
     * @throws IllegalArgumentException if {@code key} is empty
     */
    public static String sign(byte[] body, String key) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("OpenSRS API key must not be empty");
        }
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        MessageDigest md5 = md5();
        md5.update(body);
        md5.update(keyBytes);
        String inner = HEX.formatHex(md5.digest()); // digest() resets the instance
        md5.update(inner.getBytes(StandardCharsets.US_ASCII));
        md5.update(keyBytes);
        return HEX.formatHex(md5.digest());
    }

    /**
     * Checks a signature in constant time (the comparison does not stop at the first differing
     * character). Hex case is ignored.
     *
     * @param body      the exact bytes received
     * @param key       the reseller's private API key (UTF-8); must not be empty
     * @param signature the {@code X-Signature} value received; {@code null} never verifies
     * @return whether {@code signature} equals {@link #sign(byte[], String) sign(body, key)}
     * @throws NullPointerException     if {@code body} or {@code key} is null
     * @throws IllegalArgumentException if {@code key} is empty
     */
    public static boolean verify(byte[] body, String key, String signature) {
        String expected = sign(body, key);
        if (signature == null) {
            return false;
        }
        byte[] given = signature.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given);
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }
}
