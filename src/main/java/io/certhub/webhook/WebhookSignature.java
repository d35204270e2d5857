package io.certhub.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures of the Standard Webhooks specification (https://www.standardwebhooks.com/, "Signature
 * scheme"): {@code webhook-signature: v1,<base64 of HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>},
 * where the key is the base64-decoded part of the secret after its {@code whsec_} prefix and the
 * timestamp is unix seconds. A receiver recomputes it over the raw body it got and compares in
 * constant time (and refuses timestamps too far from its clock, against replays).
 */
public final class WebhookSignature {

    /** Prefix of a secret in the specification's format. */
    public static final String SECRET_PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSignature() {
    }

    /** @return a new secret: {@code whsec_} + base64 of 32 random bytes (256-bit key) */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /**
     * @param secret    {@code whsec_<base64>} (a secret without the prefix is taken as base64 too)
     * @param id        the {@code webhook-id} (event id)
     * @param timestamp the {@code webhook-timestamp}, unix seconds
     * @param body      the exact bytes sent as the body (UTF-8 JSON)
     * @return the header value {@code v1,<base64 signature>}
     * @throws IllegalArgumentException when the secret is not base64
     */
    public static String sign(String secret, String id, long timestamp, byte[] body) {
        String b64 = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        byte[] key = Base64.getDecoder().decode(b64);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
