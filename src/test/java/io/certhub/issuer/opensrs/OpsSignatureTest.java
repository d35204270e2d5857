package io.certhub.issuer.opensrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpsSignatureTest {

    private static final String KEY = "sandbox-key";

    /** md5_hex(md5_hex(body + key) + key), computed step by step with MessageDigest. */
    private static String independently(byte[] body, String key) throws Exception {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] first = new byte[body.length + k.length];
        System.arraycopy(body, 0, first, 0, body.length);
        System.arraycopy(k, 0, first, body.length, k.length);
        String innerHex = hex(MessageDigest.getInstance("MD5").digest(first));
        byte[] innerBytes = innerHex.getBytes(StandardCharsets.US_ASCII);
        byte[] second = new byte[innerBytes.length + k.length];
        System.arraycopy(innerBytes, 0, second, 0, innerBytes.length);
        System.arraycopy(k, 0, second, innerBytes.length, k.length);
        return hex(MessageDigest.getInstance("MD5").digest(second));
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    @Test
    void signMatchesStepByStepComputationOnARealEnvelope() throws Exception {
        byte[] body = new OpsCodec().encode(OpsRequest.of("get_order_info", Map.of("order_id", "3411723")));
        String sig = OpsSignature.sign(body, KEY);
        assertThat(sig).isEqualTo(independently(body, KEY)).hasSize(32).matches("[0-9a-f]{32}");
    }

    @Test
    void signMatchesKnownVectors() {
        // Computed outside Java: python3 hashlib, md5(md5(body+key).hexdigest().encode()+key).hexdigest()
        assertThat(OpsSignature.sign("<?xml version='1.0'?><OPS_envelope/>".getBytes(StandardCharsets.UTF_8), KEY))
                .isEqualTo("122f102d4f7aef668b54ecff493fd32d");
        assertThat(OpsSignature.sign("Zürich".getBytes(StandardCharsets.UTF_8), "schlüssel"))
                .isEqualTo("a56fd5e04bf68f4e5cae5b47a8ee31e8");
        assertThat(OpsSignature.sign(new byte[0], "k")).isEqualTo("030f00b13b15afec182ee4fc76659a2d");
    }

    @Test
    void nonAsciiKeyIsHashedAsUtf8() throws Exception {
        byte[] body = "Zürich".getBytes(StandardCharsets.UTF_8);
        assertThat(OpsSignature.sign(body, "schlüssel")).isEqualTo(independently(body, "schlüssel"));
    }

    @Test
    void verifyAcceptsOnlyTheRightSignature() {
        byte[] body = "<OPS_envelope/>".getBytes(StandardCharsets.UTF_8);
        String sig = OpsSignature.sign(body, KEY);
        assertThat(OpsSignature.verify(body, KEY, sig)).isTrue();
        assertThat(OpsSignature.verify(body, KEY, sig.toUpperCase())).isTrue();
        assertThat(OpsSignature.verify("<OPS_envelope />".getBytes(StandardCharsets.UTF_8), KEY, sig)).isFalse();
        assertThat(OpsSignature.verify(body, "other-key", sig)).isFalse();
        assertThat(OpsSignature.verify(body, KEY, sig.substring(0, 31))).isFalse();
        assertThat(OpsSignature.verify(body, KEY, "")).isFalse();
        assertThat(OpsSignature.verify(body, KEY, null)).isFalse();
    }

    @Test
    void emptyOrNullKeyIsRefused() {
        assertThatThrownBy(() -> OpsSignature.sign(new byte[1], "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpsSignature.sign(new byte[1], null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> OpsSignature.sign(null, KEY)).isInstanceOf(NullPointerException.class);
    }
}
