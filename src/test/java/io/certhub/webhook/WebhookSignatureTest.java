package io.certhub.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link WebhookSignature} against fixed vectors: the Standard Webhooks specification's own example
 * (its value recomputed here with {@code openssl dgst -sha256 -mac HMAC}, see below) and one computed
 * in this test with the JDK's HMAC over the bytes the specification names.
 */
class WebhookSignatureTest {

    /**
     * The specification's example (standard-webhooks libraries' test vector). Recomputed with:
     * {@code key=$(echo -n MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | xxd -p -c 100);
     * printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$key -binary | base64}
     * → {@code g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=}.
     */
    @Test
    void theSpecificationsExampleSignsAsOpensslComputesIt() {
        String sig = WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
            "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(sig).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aSignatureIsTheHmacOfIdDotTimestampDotBodyWithTheDecodedSecret() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        String id = "0b6b5f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
        long ts = 1765080000L;
        byte[] body = "{\"type\":\"order.submitted\",\"data\":{\"price\":{\"amountMinor\":4900,\"currency\":\"USD\"},\"ref\":\"ü\"}}"
            .getBytes(StandardCharsets.UTF_8);

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] signed = (id + "." + ts + "." + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed));

        assertThat(WebhookSignature.sign(secret, id, ts, body)).isEqualTo(expected);
        // another timestamp, id or body gives another signature
        assertThat(WebhookSignature.sign(secret, id, ts + 1, body)).isNotEqualTo(expected);
        assertThat(WebhookSignature.sign(secret, id + "x", ts, body)).isNotEqualTo(expected);
        assertThat(WebhookSignature.sign(secret, id, ts, "{}".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(expected);
    }

    @Test
    void aNewSecretIsWhsecAndThirtyTwoRandomBytes() {
        String a = WebhookSignature.newSecret();
        String b = WebhookSignature.newSecret();
        assertThat(a).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(a.substring(6))).hasSize(32);
        assertThat(a).isNotEqualTo(b);
    }
}
