package io.certhub.csr;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.certhub.csr.CsrReport.Problem;
import io.certhub.names.DomainNames;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * Reads and checks certificate signing requests.
 *
 * <p>A CSR is accepted when all of these hold:
 * <ol>
 *   <li>the text holds exactly one PEM block labelled {@code CERTIFICATE REQUEST} (or the legacy
 *       {@code NEW CERTIFICATE REQUEST}) whose base64 decodes to complete DER with nothing after it
 *       (RFC 7468 §7; read laxly: byte-order mark, any line ends, indentation, base64 on one line);</li>
 *   <li>the DER is a PKCS#10 CertificationRequest version 1 (RFC 2986 §4) and every SAN dNSName
 *       in its extensionRequest is a valid host name (RFC 5280 §4.2.1.6, see
 *       {@link DomainNames#normalise(String)});</li>
 *   <li>the key is RSA of at least 2048 bits (and at most 16384, odd public exponent ≥ 3 of at
 *       most 256 bits), or EC on the named curve P-256 or P-384 with a valid point (CA/B Forum
 *       BR 6.1.5, 6.1.6);</li>
 *   <li>the self-signature verifies with the CSR's own key (RFC 2986 §3). RSA PKCS#1 v1.5 and
 *       ECDSA with SHA-1/SHA-2 are verified with the JDK providers (SunRsaSign, SunEC), which
 *       are about twice as fast as BouncyCastle for ECDSA; other algorithms (RSASSA-PSS, keys
 *       the JDK cannot decode such as compressed EC points) with a private BouncyCastle provider
 *       instance (not registered globally). MD2/MD5 signatures are refused.</li>
 * </ol>
 *
 * <p>The outcome of the checks is cached by the SHA-256 of the DER in a bounded cache (default
 * {@value #DEFAULT_CACHE_SIZE} entries, least recently used evicted), so the same CSR sent again
 * (a retry, a re-dropped file, another PEM layout of the same DER) is verified once. Refusals are
 * cached as well, since they depend on the DER only.
 *
 * <p>Instances are thread-safe; one instance is meant to be shared by the whole application.
 */
public class CsrParser {

    /** Default number of CSR outcomes kept in the cache. */
    public static final int DEFAULT_CACHE_SIZE = 10_000;

    /** Minimum RSA modulus length in bits (CA/B Forum BR 6.1.5). */
    public static final int MIN_RSA_BITS = 2048;

    /** Maximum RSA modulus length in bits; also the JDK's limit (SunRsaSign). */
    public static final int MAX_RSA_BITS = 16384;

    private static final String BR_615 = "(CA/B Forum BR 6.1.5)";
    private static final String BR_616 = "(CA/B Forum BR 6.1.6)";
    private static final String ALLOWED_CURVES = "P-256 and P-384";

    /** Microsoft's name for the extension request attribute (szOID_CERT_EXTENSIONS). */
    private static final ASN1ObjectIdentifier MS_EXTENSION_REQUEST = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.14");

    private static final Map<ASN1ObjectIdentifier, String> JDK_SIGNATURES = Map.ofEntries(
            Map.entry(PKCSObjectIdentifiers.sha1WithRSAEncryption, "SHA1withRSA"),
            Map.entry(PKCSObjectIdentifiers.sha224WithRSAEncryption, "SHA224withRSA"),
            Map.entry(PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA"),
            Map.entry(PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA"),
            Map.entry(PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA1, "SHA1withECDSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA224, "SHA224withECDSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA"),
            Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA"));

    private static final Map<ASN1ObjectIdentifier, String> REFUSED_SIGNATURES = Map.of(
            PKCSObjectIdentifiers.md2WithRSAEncryption, "MD2withRSA",
            PKCSObjectIdentifiers.md4WithRSAEncryption, "MD4withRSA",
            PKCSObjectIdentifiers.md5WithRSAEncryption, "MD5withRSA");

    private static final Map<ASN1ObjectIdentifier, String> CURVE_NAMES = Map.of(
            SECObjectIdentifiers.secp256r1, "P-256",
            SECObjectIdentifiers.secp384r1, "P-384",
            SECObjectIdentifiers.secp521r1, "P-521",
            SECObjectIdentifiers.secp224r1, "P-224",
            X9ObjectIdentifiers.prime192v1, "P-192",
            SECObjectIdentifiers.secp256k1, "secp256k1");

    private static final Map<String, String> OTHER_KEY_ALGORITHMS = Map.of(
            "1.2.840.10040.4.1", "DSA",
            "1.2.840.113549.1.3.1", "DH",
            "1.2.840.10046.2.1", "DH",
            "1.3.101.110", "X25519",
            "1.3.101.111", "X448",
            "1.3.101.112", "Ed25519",
            "1.3.101.113", "Ed448",
            "1.2.840.113549.1.1.10", "RSASSA-PSS");

    private static final Provider SUN_RSA = Security.getProvider("SunRsaSign");
    private static final Provider SUN_EC = Security.getProvider("SunEC");

    /** A private BouncyCastle provider instance, created on first use, never registered globally. */
    private static final class Bc {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }

    private final Cache<String, Analysis> cache;
    private final AtomicLong verifications = new AtomicLong();

    /** Creates a parser with a cache of {@value #DEFAULT_CACHE_SIZE} CSRs. */
    public CsrParser() {
        this(DEFAULT_CACHE_SIZE);
    }

    /**
     * Creates a parser with a cache of the given size.
     *
     * @param maximumCacheSize how many distinct CSRs' outcomes to remember; 0 disables caching
     * @throws IllegalArgumentException when negative
     */
    public CsrParser(long maximumCacheSize) {
        this.cache = CacheBuilder.newBuilder().maximumSize(maximumCacheSize).build();
    }

    /**
     * Reads a PEM CSR and checks it (see the class description).
     *
     * @param text the PEM text as received, for example a JSON string value or a file's content
     *             decoded as UTF-8
     * @return the accepted CSR with its canonical PEM, names and key facts
     * @throws CsrException with code {@link CsrException#CSR_UNPARSEABLE} (no, garbled or truncated
     *                      PEM/DER; invalid SAN dNSName), {@link CsrException#CSR_WEAK_KEY} (key
     *                      refused under BR 6.1.5/6.1.6; the detail names the algorithm, the size or
     *                      curve found and the minimum or allowed curves) or
     *                      {@link CsrException#CSR_SIGNATURE_INVALID}; when several apply, the first
     *                      in that order is thrown
     */
    public ParsedCsr parse(String text) {
        Analysis analysis = analyse(Pem.decode(text));
        if (!analysis.problems().isEmpty()) {
            Problem first = analysis.problems().get(0);
            throw new CsrException(first.code(), first.detail());
        }
        return analysis.parsed();
    }

    /**
     * Reads a PEM CSR and reports everything found, for display; never throws for bad input.
     *
     * @param text the PEM text as received; {@code null} allowed
     * @return what could be read, with every problem (same codes and details as
     *         {@link #parse(String)} would throw, {@link CsrException#CSR_UNPARSEABLE} first);
     *         {@code signatureValid} is {@code false} when the signature is wrong or could not be
     *         verified
     */
    public CsrReport inspect(String text) {
        try {
            return analyse(Pem.decode(text)).report();
        } catch (CsrException e) {
            return new CsrReport(null, List.of(), null, null, null, false,
                    List.of(new Problem(e.code(), e.detail())));
        } catch (RuntimeException e) {
            return new CsrReport(null, List.of(), null, null, null, false,
                    List.of(new Problem(CsrException.CSR_UNPARSEABLE, "the CSR cannot be read: " + e)));
        }
    }

    /**
     * How many signature verifications this parser has done; a CSR found in the cache is not
     * verified again. For monitoring and tests.
     *
     * @return the count since construction
     */
    public long verificationCount() {
        return verifications.get();
    }

    // ------------------------------------------------------------------------------------------

    /** Everything learnt from one DER CSR; immutable, cached. */
    record Analysis(String commonName, List<String> dnsNames, String keyAlgorithm, Integer keySize,
                    String curve, boolean signatureValid, String verifiedWith, List<Problem> problems,
                    ParsedCsr parsed) {

        static Analysis unparseable(String detail) {
            return new Analysis(null, List.of(), null, null, null, false, null,
                    List.of(new Problem(CsrException.CSR_UNPARSEABLE, detail)), null);
        }

        List<String> names() {
            LinkedHashSet<String> names = new LinkedHashSet<>();
            if (commonName != null && DomainNames.isValid(commonName)) {
                names.add(DomainNames.normalise(commonName));
            }
            names.addAll(dnsNames);
            return List.copyOf(names);
        }

        CsrReport report() {
            return new CsrReport(commonName, names(), keyAlgorithm, keySize, curve, signatureValid, problems);
        }
    }

    /** Analyses DER bytes, through the cache. Package-private for tests. */
    Analysis analyse(byte[] der) {
        String derSha256 = sha256Hex(der);
        try {
            return cache.get(derSha256, () -> analyseUncached(der, derSha256));
        } catch (ExecutionException | RuntimeException | Error e) {
            // analyseUncached does not throw; this is a last resort that must not be cached
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof VirtualMachineError vme) {
                throw vme;
            }
            return Analysis.unparseable("the CSR cannot be read: " + cause);
        }
    }

    private Analysis analyseUncached(byte[] der, String derSha256) {
        Der.Parts parts;
        CertificationRequestInfo info;
        CertificationRequest request;
        try {
            parts = Der.split(der);
        } catch (CsrException e) {
            return Analysis.unparseable(e.detail());
        }
        try {
            request = CertificationRequest.getInstance(ASN1Primitive.fromByteArray(der));
            info = request.getCertificationRequestInfo();
        } catch (Exception e) {
            return Analysis.unparseable("the data is not a PKCS#10 CertificationRequest (RFC 2986 §4): "
                    + e.getMessage());
        }
        BigInteger version = info.getVersion().getValue();
        if (version.signum() != 0) {
            return Analysis.unparseable("the CSR has version " + version
                    + "; PKCS#10 defines only version 1, encoded as 0 (RFC 2986 §4.1)");
        }

        List<Problem> problems = new ArrayList<>();
        String commonName = null;
        try {
            commonName = commonName(info.getSubject());
        } catch (RuntimeException e) {
            problems.add(unparseableProblem("the CSR's subject cannot be read: " + e.getMessage()));
        }
        List<String> dnsNames = new ArrayList<>();
        try {
            readSanDnsNames(info.getAttributes(), dnsNames, problems);
        } catch (RuntimeException e) {
            problems.add(unparseableProblem("the CSR's extension request cannot be read (RFC 2985 §5.4.2): "
                    + e.getMessage()));
        }

        KeyFacts key = keyFacts(info.getSubjectPublicKeyInfo(), parts.spki(), problems);

        boolean signatureValid = false;
        String verifiedWith = null;
        if (key.verifiable()) {
            verifications.incrementAndGet();
            SignatureCheck check = verifySignature(request, parts.tbs(), key);
            signatureValid = check.valid();
            verifiedWith = check.provider();
            if (!check.valid()) {
                problems.add(new Problem(CsrException.CSR_SIGNATURE_INVALID, check.detail()));
            }
        }

        problems.sort((a, b) -> Integer.compare(rank(a.code()), rank(b.code())));
        ParsedCsr parsed = null;
        if (problems.isEmpty()) {
            parsed = new ParsedCsr(Pem.encode(der), commonName, dnsNames, key.algorithm(), key.size(),
                    key.curve(), key.publicKey(), sha256Hex(parts.spki()), derSha256);
        }
        return new Analysis(commonName, List.copyOf(dnsNames), key.algorithm(), key.size(), key.curve(),
                signatureValid, verifiedWith, List.copyOf(problems), parsed);
    }

    private static int rank(String code) {
        switch (code) {
            case CsrException.CSR_UNPARSEABLE:
                return 0;
            case CsrException.CSR_WEAK_KEY:
                return 1;
            default:
                return 2;
        }
    }

    // ---- names -------------------------------------------------------------------------------

    /** The first CN of the subject, normalised when it is a DNS name, else as found. */
    private static String commonName(X500Name subject) {
        for (RDN rdn : subject.getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (BCStyle.CN.equals(atv.getType())) {
                    ASN1Encodable value = atv.getValue();
                    String cn = value instanceof ASN1String s ? s.getString() : IETFUtils.valueToString(value);
                    return DomainNames.isValid(cn) ? DomainNames.normalise(cn) : cn;
                }
            }
        }
        return null;
    }

    /** Collects the SAN dNSName entries of the extensionRequest attribute(s), in order. */
    private static void readSanDnsNames(ASN1Set attributes, List<String> out, List<Problem> problems) {
        if (attributes == null) {
            return;
        }
        for (ASN1Encodable element : attributes) {
            Attribute attribute = Attribute.getInstance(element);
            ASN1ObjectIdentifier type = attribute.getAttrType();
            if (!PKCSObjectIdentifiers.pkcs_9_at_extensionRequest.equals(type) && !MS_EXTENSION_REQUEST.equals(type)) {
                continue;
            }
            for (ASN1Encodable value : attribute.getAttrValues()) {
                Extension san = Extensions.getInstance(value).getExtension(Extension.subjectAlternativeName);
                if (san == null) {
                    continue;
                }
                for (GeneralName name : GeneralNames.getInstance(san.getParsedValue()).getNames()) {
                    if (name.getTagNo() != GeneralName.dNSName) {
                        continue;
                    }
                    byte[] octets = ASN1IA5String.getInstance(name.getName()).getOctets();
                    String raw = dnsNameText(octets);
                    if (raw == null) {
                        problems.add(unparseableProblem("a SAN dNSName holds bytes that are neither ASCII nor UTF-8;"
                                + " internationalised names must be in their xn-- form (RFC 5280 §7.2)"));
                        continue;
                    }
                    try {
                        out.add(DomainNames.normalise(raw));
                    } catch (IllegalArgumentException e) {
                        problems.add(unparseableProblem("a SAN dNSName is refused (RFC 5280 §4.2.1.6): "
                                + e.getMessage()));
                    }
                }
            }
        }
    }

    /**
     * The text of a dNSName. RFC 5280 wants ASCII (A-labels); UTF-8 put there by careless tools is
     * read as UTF-8 and converted to A-labels by the normalisation. Other bytes give {@code null}.
     */
    private static String dnsNameText(byte[] octets) {
        boolean ascii = true;
        for (byte b : octets) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(octets, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(octets))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static Problem unparseableProblem(String detail) {
        return new Problem(CsrException.CSR_UNPARSEABLE, detail);
    }

    // ---- key ---------------------------------------------------------------------------------

    /**
     * Facts about the CSR's key.
     *
     * @param publicKey  the key object, {@code null} when it could not be decoded
     * @param jdkKey     {@code true} when {@code publicKey} comes from a JDK provider
     * @param verifiable whether the signature should be checked with this key
     */
    private record KeyFacts(String algorithm, Integer size, String curve, PublicKey publicKey, boolean jdkKey,
                            boolean verifiable) {
    }

    private static KeyFacts keyFacts(SubjectPublicKeyInfo spki, byte[] spkiDer, List<Problem> problems) {
        ASN1ObjectIdentifier oid = spki.getAlgorithm().getAlgorithm();
        if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
            return rsaKeyFacts(spki, spkiDer, problems);
        }
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
            return ecKeyFacts(spki, spkiDer, problems);
        }
        String name = OTHER_KEY_ALGORITHMS.getOrDefault(oid.getId(), "OID " + oid.getId());
        problems.add(weak(name + " keys are not accepted: only RSA keys of at least " + MIN_RSA_BITS
                + " bits and EC keys on " + ALLOWED_CURVES + " are accepted " + BR_615));
        return new KeyFacts(name, null, null, null, false, false);
    }

    private static KeyFacts rsaKeyFacts(SubjectPublicKeyInfo spki, byte[] spkiDer, List<Problem> problems) {
        RSAPublicKey rsa;
        try {
            rsa = RSAPublicKey.getInstance(spki.parsePublicKey());
        } catch (Exception e) {
            problems.add(unparseableProblem("the CSR's RSA public key cannot be read: " + e.getMessage()));
            return new KeyFacts("RSA", null, null, null, false, false);
        }
        int bits = rsa.getModulus().bitLength();
        BigInteger exponent = rsa.getPublicExponent();
        boolean verifiable = true;
        if (bits > MAX_RSA_BITS) {
            problems.add(weak("RSA key of " + bits + " bits is not accepted: the maximum is " + MAX_RSA_BITS
                    + " bits"));
            verifiable = false;
        } else if (bits < MIN_RSA_BITS) {
            problems.add(weak("RSA key of " + bits + " bits is too weak: the minimum is " + MIN_RSA_BITS
                    + " bits " + BR_615));
        }
        if (exponent.bitLength() > 256) {
            problems.add(weak("RSA public exponent of " + exponent.bitLength()
                    + " bits is not accepted: it must be at most 2^256-1 " + BR_616));
            verifiable = false;
        } else if (!exponent.testBit(0) || exponent.compareTo(BigInteger.valueOf(3)) < 0) {
            problems.add(weak("RSA public exponent " + exponent
                    + " is not accepted: it must be an odd number of at least 3 " + BR_616));
            verifiable = false;
        }
        if (!verifiable) {
            return new KeyFacts("RSA", bits, null, null, false, false);
        }
        return withPublicKey("RSA", bits, null, spkiDer, SUN_RSA, problems);
    }

    private static KeyFacts ecKeyFacts(SubjectPublicKeyInfo spki, byte[] spkiDer, List<Problem> problems) {
        ASN1Encodable parameters = spki.getAlgorithm().getParameters();
        if (!(parameters instanceof ASN1ObjectIdentifier curveOid)) {
            String what = parameters instanceof ASN1Sequence ? "explicit curve parameters"
                    : "no curve (implicitlyCA)";
            problems.add(weak("EC key with " + what + " is not accepted: only the named curves "
                    + ALLOWED_CURVES + " are " + BR_615));
            return new KeyFacts("EC", null, null, null, false, false);
        }
        X9ECParameters x9 = ECNamedCurveTable.getByOID(curveOid);
        String curve = CURVE_NAMES.get(curveOid);
        if (curve == null) {
            String bcName = ECNamedCurveTable.getName(curveOid);
            curve = bcName != null ? bcName : "OID " + curveOid.getId();
        }
        Integer size = x9 != null ? x9.getCurve().getFieldSize() : null;
        boolean allowed = SECObjectIdentifiers.secp256r1.equals(curveOid) || SECObjectIdentifiers.secp384r1.equals(curveOid);
        if (!allowed) {
            problems.add(weak("EC key on curve " + curve + (size != null ? " (" + size + " bits)" : "")
                    + " is not accepted: only " + ALLOWED_CURVES + " are allowed " + BR_615));
            if (x9 == null) {
                return new KeyFacts("EC", null, curve, null, false, false);
            }
        }
        try {
            x9.getCurve().decodePoint(spki.getPublicKeyData().getOctets());
        } catch (RuntimeException e) {
            problems.add(weak("the EC public key is not a valid point on " + curve + " " + BR_616));
            return new KeyFacts("EC", size, curve, null, false, false);
        }
        return withPublicKey("EC", size, curve, spkiDer, SUN_EC, problems);
    }

    /** Decodes the key with the JDK provider, else with BouncyCastle (e.g. compressed EC points). */
    private static KeyFacts withPublicKey(String algorithm, Integer size, String curve, byte[] spkiDer,
                                          Provider jdkProvider, List<Problem> problems) {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(spkiDer);
        try {
            KeyFactory factory = jdkProvider != null ? KeyFactory.getInstance(algorithm, jdkProvider)
                    : KeyFactory.getInstance(algorithm);
            return new KeyFacts(algorithm, size, curve, factory.generatePublic(spec), true, true);
        } catch (Exception jdkFailure) {
            try {
                PublicKey key = KeyFactory.getInstance(algorithm, Bc.PROVIDER).generatePublic(spec);
                return new KeyFacts(algorithm, size, curve, key, false, true);
            } catch (Exception e) {
                problems.add(unparseableProblem("the CSR's " + algorithm + " public key cannot be decoded: "
                        + e.getMessage()));
                return new KeyFacts(algorithm, size, curve, null, false, false);
            }
        }
    }

    private static Problem weak(String detail) {
        return new Problem(CsrException.CSR_WEAK_KEY, detail);
    }

    // ---- signature ---------------------------------------------------------------------------

    /**
     * Result of a signature check.
     *
     * @param provider the provider that did the check ("SunRsaSign", "SunEC", "BC"), or {@code null}
     */
    record SignatureCheck(boolean valid, String provider, String detail) {
    }

    private static SignatureCheck verifySignature(CertificationRequest request, byte[] tbs, KeyFacts key) {
        AlgorithmIdentifier algorithm = request.getSignatureAlgorithm();
        ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
        String refused = REFUSED_SIGNATURES.get(oid);
        if (refused != null) {
            return new SignatureCheck(false, null, "the CSR is signed with " + refused
                    + ", which is broken and not accepted; sign it with SHA-256 or better");
        }
        byte[] signature;
        try {
            signature = request.getSignature().getOctets();
        } catch (RuntimeException e) {
            return new SignatureCheck(false, null, "the CSR's signature is not a whole number of bytes");
        }
        String jdkName = JDK_SIGNATURES.get(oid);
        ASN1Encodable parameters = algorithm.getParameters();
        boolean noParameters = parameters == null || parameters instanceof ASN1Null;
        if (jdkName != null && key.jdkKey() && noParameters) {
            Provider provider = jdkName.endsWith("withRSA") ? SUN_RSA : SUN_EC;
            try {
                Signature verifier = provider != null ? Signature.getInstance(jdkName, provider)
                        : Signature.getInstance(jdkName);
                verifier.initVerify(key.publicKey());
                verifier.update(tbs);
                String used = verifier.getProvider().getName();
                return verifier.verify(signature) ? new SignatureCheck(true, used, null)
                        : new SignatureCheck(false, used, mismatch());
            } catch (NoSuchAlgorithmException e) {
                // not in this JDK: BouncyCastle below
            } catch (InvalidKeyException e) {
                return new SignatureCheck(false, null, "the signature algorithm " + jdkName + " does not fit the CSR's "
                        + key.algorithm() + " key: " + e.getMessage());
            } catch (SignatureException e) {
                return new SignatureCheck(false, null, "the CSR's signature is malformed: " + e.getMessage());
            }
        }
        return verifyWithBouncyCastle(algorithm, tbs, signature, key);
    }

    private static SignatureCheck verifyWithBouncyCastle(AlgorithmIdentifier algorithm, byte[] tbs, byte[] signature,
                                                         KeyFacts key) {
        ContentVerifier verifier;
        try {
            ContentVerifierProvider verifiers = new JcaContentVerifierProviderBuilder()
                    .setProvider(Bc.PROVIDER)
                    .build(key.publicKey());
            verifier = verifiers.get(algorithm);
        } catch (Exception e) {
            String reason = e.getMessage() != null && e.getMessage().contains("no such algorithm")
                    ? "it is not supported" : "cannot be verified: " + e.getMessage();
            return new SignatureCheck(false, null, "the CSR's signature algorithm (OID "
                    + algorithm.getAlgorithm().getId() + ") " + reason);
        }
        try {
            verifier.getOutputStream().write(tbs);
            verifier.getOutputStream().close();
            return verifier.verify(signature) ? new SignatureCheck(true, "BC", null)
                    : new SignatureCheck(false, "BC", mismatch());
        } catch (Exception e) {
            return new SignatureCheck(false, "BC", "the CSR's signature cannot be verified: " + e.getMessage());
        }
    }

    private static String mismatch() {
        return "the CSR's signature does not verify with its own public key: the CSR was altered after signing"
                + " or is corrupt (RFC 2986 §3)";
    }

    // ---- helpers -----------------------------------------------------------------------------

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
