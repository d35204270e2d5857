package io.certhub.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * A request of an ACME client: a JWS in flattened JSON serialization (RFC 8555 §6.2, RFC 7515 §7.2.2)
 * checked with jose4j. The signature algorithms taken are {@link #ALGORITHMS} (RSA keys of at least
 * 2048 bits: jose4j's key validation); the protected header names the signer by {@code jwk} (new
 * accounts) or {@code kid} (an account URL), never both; {@code nonce} and {@code url} are read for
 * the caller to check ({@link AcmeNonces#use}, the URL the request came to).
 *
 * @param jwk     the signer's public key when the header carries it, else null
 * @param kid     the account URL when the header names it, else null
 * @param nonce   the header's nonce
 * @param url     the header's url
 * @param payload the payload (empty for POST-as-GET)
 * @param jws     the parsed JWS (its signature not yet checked when {@code kid} names the signer)
 */
public record AcmeJws(PublicJsonWebKey jwk, String kid, String nonce, String url, String payload, JsonWebSignature jws) {

    /** Signature algorithms an account key may use (RFC 8555 §6.2: at least ES256 and EdDSA are recommended; RS256 widely used). */
    public static final Set<String> ALGORITHMS = Set.of("RS256", "ES256", "ES384", "ES512");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses a request body and checks its signature when the signer's key is in the header.
     *
     * @param body the request body
     * @return the request
     * @throws AcmeProblem 400 {@code malformed} (not a flattened JWS, both or neither of jwk/kid, a bad
     *                     signature), 400 {@code badSignatureAlgorithm} (another algorithm)
     */
    public static AcmeJws parse(byte[] body) {
        JsonNode doc;
        try {
            doc = JSON.readTree(body);
        } catch (IOException e) {
            throw new AcmeProblem(400, "malformed", "the body is not JSON: a JWS in flattened JSON serialization is expected (RFC 8555 §6.2)");
        }
        if (doc == null || !doc.isObject() || !doc.path("protected").isTextual() || !doc.path("payload").isTextual()
                || !doc.path("signature").isTextual()) {
            throw new AcmeProblem(400, "malformed", "a JWS in flattened JSON serialization {protected, payload, signature} is expected");
        }
        JsonWebSignature jws = new JsonWebSignature();
        try {
            jws.setCompactSerialization(doc.get("protected").asText() + "." + doc.get("payload").asText() + "." + doc.get("signature").asText());
            for (String member : new String[] {"alg", "nonce", "url", "kid"}) {
                Object v = jws.getObjectHeader(member);
                if (v != null && !(v instanceof String)) {
                    throw new AcmeProblem(400, "malformed", "the protected header's " + member + " must be a string");
                }
            }
            String alg = jws.getAlgorithmHeaderValue();
            if (alg == null || !ALGORITHMS.contains(alg)) {
                throw new AcmeProblem(400, "badSignatureAlgorithm", "the JWS is signed with " + alg + "; taken: " + String.join(", ", ALGORITHMS.stream().sorted().toList()));
            }
            jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, ALGORITHMS.toArray(String[]::new)));
            PublicJsonWebKey jwk = jws.getObjectHeader("jwk") == null ? null : jws.getJwkHeader();
            String kid = jws.getKeyIdHeaderValue();
            if ((jwk == null) == (kid == null)) {
                throw new AcmeProblem(400, "malformed", "the protected header must name the signer by exactly one of jwk and kid (RFC 8555 §6.2)");
            }
            if (jwk != null) {
                jws.setKey(jwk.getKey());
                if (!jws.verifySignature()) {
                    throw new AcmeProblem(400, "malformed", "the JWS signature does not verify with the jwk of its header");
                }
            }
            return new AcmeJws(jwk, kid, jws.getHeader("nonce"), jws.getHeader("url"), jws.getUnverifiedPayload(), jws);
        } catch (JoseException e) {
            throw new AcmeProblem(400, "malformed", "the JWS cannot be read: " + e.getMessage());
        }
    }

    /**
     * Checks an External Account Binding (RFC 8555 §7.3.4): a JWS in flattened JSON, HS256 with the
     * EAB key's HMAC key, its header naming the key id and the newAccount URL, its payload the
     * account's own public key.
     *
     * @param binding    the {@code externalAccountBinding} member of the newAccount payload
     * @param accountKey the outer JWS's jwk
     * @param url        the newAccount URL
     * @param hmacKey    looks up the HMAC key (base64url) of a key id; null when there is no such key
     * @return the EAB key id it was made with
     * @throws AcmeProblem 400 {@code malformed} (not a JWS, wrong url or payload), 401
     *                     {@code unauthorized} (unknown key id, bad MAC)
     */
    public static String checkBinding(JsonNode binding, PublicJsonWebKey accountKey, String url, java.util.function.Function<String, String> hmacKey) {
        if (binding == null || !binding.isObject() || !binding.path("protected").isTextual() || !binding.path("payload").isTextual()
                || !binding.path("signature").isTextual()) {
            throw new AcmeProblem(400, "malformed", "externalAccountBinding must be a JWS {protected, payload, signature}");
        }
        JsonWebSignature eab = new JsonWebSignature();
        try {
            eab.setCompactSerialization(binding.get("protected").asText() + "." + binding.get("payload").asText() + "."
                + binding.get("signature").asText());
            for (String member : new String[] {"alg", "url", "kid"}) {
                Object v = eab.getObjectHeader(member);
                if (v != null && !(v instanceof String)) {
                    throw new AcmeProblem(400, "malformed", "externalAccountBinding's " + member + " must be a string");
                }
            }
            if (!"HS256".equals(eab.getAlgorithmHeaderValue())) {
                throw new AcmeProblem(400, "malformed", "externalAccountBinding must be signed with HS256 (the EAB key's HMAC key)");
            }
            if (!url.equals(eab.getHeader("url"))) {
                throw new AcmeProblem(400, "malformed", "externalAccountBinding's url must be the newAccount URL " + url);
            }
            String kid = eab.getKeyIdHeaderValue();
            String key = kid == null ? null : hmacKey.apply(kid);
            if (key == null) {
                throw new AcmeProblem(401, "unauthorized", "externalAccountBinding names no EAB key of this hub: " + kid);
            }
            eab.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "HS256"));
            eab.setKey(new HmacKey(java.util.Base64.getUrlDecoder().decode(key)));
            if (!eab.verifySignature()) {
                throw new AcmeProblem(401, "unauthorized", "externalAccountBinding's MAC does not verify with EAB key " + kid);
            }
            // the same key: the same RFC 7638 thumbprint, whatever members or order the client wrote
            PublicJsonWebKey bound = PublicJsonWebKey.Factory.newPublicJwk(eab.getPayload());
            if (!bound.calculateBase64urlEncodedThumbprint("SHA-256").equals(accountKey.calculateBase64urlEncodedThumbprint("SHA-256"))) {
                throw new AcmeProblem(400, "malformed", "externalAccountBinding's payload must be the account's jwk");
            }
            return kid;
        } catch (JoseException e) {
            throw new AcmeProblem(400, "malformed", "externalAccountBinding cannot be read: " + e.getMessage());
        }
    }
}
