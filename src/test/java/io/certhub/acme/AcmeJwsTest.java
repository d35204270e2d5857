package io.certhub.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.EllipticCurves;
import org.junit.jupiter.api.Test;

/** {@link AcmeJws#parse} on hostile headers: every refusal is an RFC 8555 problem, never a server error. */
class AcmeJwsTest {

    static byte[] body(Object nonce, Object url) throws Exception {
        EllipticCurveJsonWebKey jwk = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue("ES256");
        jws.setJwkHeader(jwk);
        jws.getHeaders().setObjectHeaderValue("nonce", nonce);
        jws.getHeaders().setObjectHeaderValue("url", url);
        jws.setPayload("{}");
        jws.setKey(jwk.getPrivateKey());
        String[] parts = jws.getCompactSerialization().split("\\.");
        return ("{\"protected\":\"" + parts[0] + "\",\"payload\":\"" + parts[1] + "\",\"signature\":\"" + parts[2] + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aWellFormedRequestIsReadAndHeaderMembersOfAnotherTypeAreMalformed() throws Exception {
        AcmeJws ok = AcmeJws.parse(body("n-1", "https://hub.example.com/acme/new-account"));
        assertThat(ok.nonce()).isEqualTo("n-1");
        assertThat(ok.url()).isEqualTo("https://hub.example.com/acme/new-account");
        assertThat(ok.jwk()).isNotNull();

        assertThatThrownBy(() -> AcmeJws.parse(body(1, "https://hub.example.com/acme/new-account"))).isInstanceOf(AcmeProblem.class)
            .satisfies(e -> assertThat(((AcmeProblem) e).type()).isEqualTo("urn:ietf:params:acme:error:malformed"))
            .hasMessageContaining("nonce");
        assertThatThrownBy(() -> AcmeJws.parse(body("n-2", java.util.Map.of("a", 1)))).isInstanceOf(AcmeProblem.class)
            .hasMessageContaining("url");
    }
}
