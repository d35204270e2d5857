package io.certhub.acme;

import io.certhub.certificate.CertificateRevocation;
import io.certhub.issuer.VendorAdapter.RevocationReason;
import io.certhub.pki.Certificates;
import io.certhub.problem.HubProblem;
import io.certhub.term.ValidityCaps;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the hub's ACME server says and does about certificates it issued to its clients (issue 15
 * §2): revocation by the client's account key (RFC 8555 §7.6) and ACME Renewal Information (RFC
 * 9773). Only certificates of ACME orders ({@code acme_server_order}) are served here.
 *
 * <ul>
 *   <li><b>revokeCert</b> {@code {certificate, reason?}} signed with {@code kid}: the certificate
 *       (base64url DER) must be one the signing account's orders got (else 403
 *       {@code unauthorized}); {@code reason} an RFC 5280 code the hub revokes with (0, 1, 3, 4, 5;
 *       else 400 {@code badRevocationReason}). It is revoked like any certificate of the inventory
 *       ({@link CertificateRevocation#revoke}: at the vendor, then stored REVOKED with
 *       {@code certificate.revoked}); already revoked is 400 {@code alreadyRevoked}; the vendor's
 *       refusal or absence 403 {@code unauthorized} / 503 {@code serverInternal} with its detail. A
 *       request signed with the certificate's own key ({@code jwk}) is not taken (400
 *       {@code malformed}).</li>
 *   <li><b>renewalInfo</b> {@code GET /acme/renewal-info/<certID>} (no signature; certID =
 *       base64url(AKI keyIdentifier) "." base64url(serial DER value), RFC 9773 §4.1): the suggested
 *       window is the hub's renewal rule for the certificate ({@link ValidityCaps#renewalPoint}, as
 *       capped validity shrinks) to half-way from there to notAfter; a revoked certificate's window
 *       is in the past (renew at once). {@code Retry-After}: {@value #RETRY_AFTER_HOURS} hours. An
 *       unknown certificate is 404 {@code malformed}.</li>
 * </ul>
 */
@Component("acmeCertificates")
public class AcmeCertificates {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeCertificates.class);
    /** Hours a client waits before asking for a certificate's renewal information again. */
    public static final int RETRY_AFTER_HOURS = 6;

    private final AcmeServer server;
    private final JdbcTemplate jdbc;
    private final CertificateRevocation revocation;
    private final ValidityCaps caps;
    private final Clock clock;

    /**
     * @param server     request checks and answers of the ACME server
     * @param jdbc       the hub database
     * @param revocation revocation of inventory certificates
     * @param caps       the validity caps and renewal rule
     * @param clock      the hub's clock
     */
    public AcmeCertificates(AcmeServer server, JdbcTemplate jdbc, CertificateRevocation revocation, ValidityCaps caps, Clock clock) {
        this.server = server;
        this.jdbc = jdbc;
        this.revocation = revocation;
        this.caps = caps;
        this.clock = clock;
    }

    /** {@code POST /acme/revoke-cert}: see the class documentation. @param ex exchange */
    public void revokeCertificate(Exchange ex) {
        AcmeServer.Signed req = server.signed(ex, server.base(ex) + "/acme/revoke-cert");
        if (req.payload() == null || !req.payload().path("certificate").isTextual()) {
            throw new AcmeProblem(400, "malformed", "revokeCert needs a payload {certificate} (base64url DER)");
        }
        byte[] der;
        try {
            der = Base64.getUrlDecoder().decode(req.payload().get("certificate").asText());
        } catch (IllegalArgumentException e) {
            throw new AcmeProblem(400, "malformed", "certificate is not base64url");
        }
        RevocationReason reason = reason(req.payload().path("reason").isMissingNode() ? 0 : req.payload().path("reason").asInt(-1));
        List<Map<String, Object>> rows = jdbc.queryForList("select c.id, o.account_id from certificate c join acme_server_order o"
            + " on o.order_id = c.order_id where c.leaf_sha256 = ? and o.client_account_id = ?", sha256(der), req.accountId());
        if (rows.isEmpty()) {
            throw new AcmeProblem(403, "unauthorized", "this certificate was not issued to an order of this account");
        }
        String id = (String) rows.get(0).get("id");
        try {
            revocation.revoke((String) rows.get(0).get("account_id"), id, reason, "acme:" + req.accountId());
        } catch (HubProblem e) {
            if ("CERTIFICATE_ALREADY_REVOKED".equals(e.code())) {
                throw new AcmeProblem(400, "alreadyRevoked", e.getMessage());
            }
            throw new AcmeProblem(e.status() >= 500 ? 503 : 403, e.status() >= 500 ? "serverInternal" : "unauthorized", e.code() + ": " + e.getMessage());
        }
        LOG.info("ACME account {} revoked certificate {} ({})", req.accountId(), id, reason.rfcName());
        server.json(ex, 200, null, null);
        ex.getMessage().setBody(null);
        ex.getMessage().removeHeader(Exchange.CONTENT_TYPE);
    }

    /** {@code GET /acme/renewal-info/{id}}: see the class documentation. @param ex exchange (header {@code id}) */
    public void renewalInfo(Exchange ex) {
        String certId = ex.getMessage().getHeader("id", String.class);
        String[] parts = certId == null ? new String[0] : certId.split("\\.", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || certId.length() > 200) {
            throw new AcmeProblem(400, "malformed", "a certID is base64url(AKI keyIdentifier).base64url(serial) (RFC 9773 §4.1)");
        }
        byte[] aki;
        byte[] serial;
        try {
            aki = Base64.getUrlDecoder().decode(parts[0]);
            serial = Base64.getUrlDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new AcmeProblem(400, "malformed", "the certID is not base64url");
        }
        String serialHex = serialHex(serial);
        Map<String, Object> cert = jdbc.queryForList("select c.leaf_pem, c.not_before, c.not_after, c.state from certificate c join acme_server_order o"
            + " on o.order_id = c.order_id where c.serial_hex = ?", serialHex).stream()
            .filter(r -> Arrays.equals(aki, keyIdentifier((String) r.get("leaf_pem")))).findFirst()
            .orElseThrow(() -> new AcmeProblem(404, "malformed", "no certificate " + certId + " of this server"));
        Instant notBefore = instant(cert.get("not_before"));
        Instant notAfter = instant(cert.get("not_after"));
        Instant start;
        Instant end;
        if ("REVOKED".equals(cert.get("state"))) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            start = now.minus(Duration.ofDays(1));
            end = now.minus(Duration.ofHours(1));
        } else {
            start = caps.renewalPoint(notBefore, notAfter).truncatedTo(ChronoUnit.SECONDS);
            end = start.plus(Duration.between(start, notAfter).dividedBy(2)).truncatedTo(ChronoUnit.SECONDS);
        }
        Map<String, Object> window = new LinkedHashMap<>();
        window.put("start", start.toString());
        window.put("end", end.toString());
        server.json(ex, 200, Map.of("suggestedWindow", window), null);
        ex.getMessage().setHeader("Retry-After", String.valueOf(Duration.ofHours(RETRY_AFTER_HOURS).toSeconds()));
        ex.getMessage().removeHeader("Cache-Control");
    }

    /**
     * @param code an RFC 5280 CRLReason code
     * @return the reason the hub revokes with
     * @throws AcmeProblem 400 {@code badRevocationReason} for any other code
     */
    static RevocationReason reason(int code) {
        for (RevocationReason r : RevocationReason.values()) {
            if (r.code() == code) {
                return r;
            }
        }
        throw new AcmeProblem(400, "badRevocationReason", "reason " + code + " is not taken; taken: "
            + Arrays.stream(RevocationReason.values()).map(r -> r.code() + " (" + r.rfcName() + ")").toList());
    }

    /**
     * @param der the DER value bytes of a serial number (two's complement, as in a certID)
     * @return the serial as {@code certificate.serial_hex} holds it: lower-case hex of the unsigned
     *         value in whole bytes, without a DER sign byte
     */
    static String serialHex(byte[] der) {
        byte[] unsigned = new BigInteger(1, der).toByteArray();
        if (unsigned.length > 1 && unsigned[0] == 0) {
            unsigned = Arrays.copyOfRange(unsigned, 1, unsigned.length);
        }
        return HexFormat.of().formatHex(unsigned);
    }

    /** @return the keyIdentifier of a PEM leaf's Authority Key Identifier, or null */
    private static byte[] keyIdentifier(String leafPem) {
        X509Certificate leaf = Certificates.parsePem(leafPem).get(0);
        byte[] ext = leaf.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets());
        return aki.getKeyIdentifier();
    }

    private static String sha256(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(Object t) {
        return t instanceof java.sql.Timestamp ts ? ts.toInstant() : ((OffsetDateTime) t).toInstant();
    }
}
