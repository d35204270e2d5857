package io.certhub.csr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

/** CSRs generated with BouncyCastle: key types, names, signatures, providers, cache. */
class CsrParserGeneratedTest {

    private final CsrParser parser = new CsrParser();

    // ---- accepted keys -------------------------------------------------------------------------

    @Test
    void rsa2048IsAcceptedAndVerifiedByTheJdk() {
        TestCsrs.Builder b = TestCsrs.csr("RSA-2048").cn("shop.example.com").san("shop.example.com");
        byte[] der = b.der();

        ParsedCsr csr = parser.parse(TestCsrs.pem(der));

        assertThat(csr.keyAlgorithm()).isEqualTo("RSA");
        assertThat(csr.keySize()).isEqualTo(2048);
        assertThat(((RSAPublicKey) csr.publicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(csr.curve()).isNull();
        assertThat(csr.publicKey()).isEqualTo(b.publicKey());
        assertThat(csr.publicKeySha256()).isEqualTo(sha256(b.publicKey().getEncoded()));
        assertThat(csr.derSha256()).isEqualTo(sha256(der));
        assertThat(csr.names()).containsExactly("shop.example.com");
        assertThat(parser.analyse(der).verifiedWith()).isEqualTo("SunRsaSign");
    }

    @Test
    void ecP256IsAcceptedAndVerifiedByTheJdk() {
        TestCsrs.Builder b = TestCsrs.csr("EC-secp256r1").cn("api.example.net");
        byte[] der = b.der();

        ParsedCsr csr = parser.parse(TestCsrs.pem(der));

        assertThat(csr.keyAlgorithm()).isEqualTo("EC");
        assertThat(csr.keySize()).isEqualTo(256);
        assertThat(csr.curve()).isEqualTo("P-256");
        assertThat(csr.publicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(csr.publicKey().getEncoded()).isEqualTo(b.publicKey().getEncoded());
        assertThat(csr.publicKeySha256()).isEqualTo(sha256(b.publicKey().getEncoded()));
        assertThat(csr.commonName()).isEqualTo("api.example.net");
        assertThat(csr.dnsNames()).isEmpty();
        assertThat(csr.names()).containsExactly("api.example.net");
        assertThat(parser.analyse(der).verifiedWith()).isEqualTo("SunEC");
    }

    @Test
    void ecP384IsAccepted() {
        byte[] der = TestCsrs.csr("EC-secp384r1").signedWith("SHA384withECDSA").cn("*.example.org").der();

        ParsedCsr csr = parser.parse(TestCsrs.pem(der));

        assertThat(csr.keyAlgorithm()).isEqualTo("EC");
        assertThat(csr.keySize()).isEqualTo(384);
        assertThat(csr.curve()).isEqualTo("P-384");
        assertThat(csr.commonName()).isEqualTo("*.example.org");
        assertThat(parser.analyse(der).verifiedWith()).isEqualTo("SunEC");
    }

    @Test
    void rsaPssSignatureIsVerifiedWithBouncyCastle() {
        byte[] der = TestCsrs.csr("RSA-2048").signedWith("SHA256withRSAandMGF1").der();

        ParsedCsr csr = parser.parse(TestCsrs.pem(der));

        assertThat(csr.keySize()).isEqualTo(2048);
        assertThat(parser.analyse(der).verifiedWith()).isEqualTo("BC");
    }

    @Test
    void compressedEcPointIsDecodedAndVerifiedWithBouncyCastle() throws Exception {
        TestCsrs.Builder plain = TestCsrs.csr("EC-secp256r1");
        org.bouncycastle.jce.interfaces.ECPublicKey bcKey =
                (org.bouncycastle.jce.interfaces.ECPublicKey) plain.publicKey();
        SubjectPublicKeyInfo uncompressed = SubjectPublicKeyInfo.getInstance(bcKey.getEncoded());
        SubjectPublicKeyInfo compressed = new SubjectPublicKeyInfo(uncompressed.getAlgorithm(),
                bcKey.getQ().getEncoded(true));
        byte[] der = TestCsrs.csr("EC-secp256r1").spki(compressed).der();

        ParsedCsr csr = parser.parse(TestCsrs.pem(der));

        assertThat(csr.curve()).isEqualTo("P-256");
        assertThat(csr.keySize()).isEqualTo(256);
        assertThat(csr.publicKeySha256()).isEqualTo(sha256(compressed.getEncoded()));
        assertThat(parser.analyse(der).verifiedWith()).isEqualTo("BC");
    }

    // ---- refused keys --------------------------------------------------------------------------

    @Test
    void ecP521IsWeak() {
        String pem = TestCsrs.csr("EC-secp521r1").signedWith("SHA512withECDSA").pem();

        CsrException e = catchThrowableOfType(() -> parser.parse(pem), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_WEAK_KEY");
        assertThat(e.detail()).isEqualTo("EC key on curve P-521 (521 bits) is not accepted:"
                + " only P-256 and P-384 are allowed (CA/B Forum BR 6.1.5)");

        CsrReport report = parser.inspect(pem);
        assertThat(report.keyAlgorithm()).isEqualTo("EC");
        assertThat(report.curve()).isEqualTo("P-521");
        assertThat(report.keySize()).isEqualTo(521);
        assertThat(report.signatureValid()).isTrue();
        assertThat(report.problems()).extracting(CsrReport.Problem::code).containsExactly("CSR_WEAK_KEY");
    }

    @Test
    void secp256k1IsWeak() {
        String pem = TestCsrs.csr("EC-secp256k1").pem();

        CsrException e = catchThrowableOfType(() -> parser.parse(pem), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_WEAK_KEY");
        assertThat(e.detail()).contains("secp256k1", "P-256", "P-384");
    }

    @Test
    void generatedRsa1024IsWeakWithTheExactDetail() {
        CsrException e = catchThrowableOfType(() -> parser.parse(TestCsrs.csr("RSA-1024").pem()), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_WEAK_KEY");
        assertThat(e.detail()).isEqualTo("RSA key of 1024 bits is too weak: the minimum is 2048 bits (CA/B Forum BR 6.1.5)");
    }

    @Test
    void ed25519IsNotAnAcceptedAlgorithm() {
        String pem = TestCsrs.csr("Ed25519").pem();

        CsrException e = catchThrowableOfType(() -> parser.parse(pem), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_WEAK_KEY");
        assertThat(e.detail()).startsWith("Ed25519 keys are not accepted").contains("2048", "P-256", "P-384");
        assertThat(parser.inspect(pem).keyAlgorithm()).isEqualTo("Ed25519");
    }

    @Test
    void evenRsaExponentIsRefusedWithoutVerifying() throws Exception {
        java.security.interfaces.RSAPublicKey real = (java.security.interfaces.RSAPublicKey) TestCsrs.keys("RSA-2048").getPublic();
        SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(
                SubjectPublicKeyInfo.getInstance(real.getEncoded()).getAlgorithm(),
                new org.bouncycastle.asn1.pkcs.RSAPublicKey(real.getModulus(), BigInteger.valueOf(65536)));
        String pem = TestCsrs.csr("RSA-2048").spki(spki).pem();

        CsrReport report = parser.inspect(pem);

        assertThat(report.problems()).extracting(CsrReport.Problem::code).containsExactly("CSR_WEAK_KEY");
        assertThat(report.problems().get(0).detail()).contains("exponent 65536", "odd", "6.1.6");
        assertThat(report.signatureValid()).isFalse();
        assertThat(parser.verificationCount()).isZero();
    }

    @Test
    void ecPointNotOnTheCurveIsRefused() {
        TestCsrs.Builder plain = TestCsrs.csr("EC-secp256r1");
        SubjectPublicKeyInfo real = SubjectPublicKeyInfo.getInstance(plain.publicKey().getEncoded());
        byte[] point = real.getPublicKeyData().getOctets();
        point[point.length - 1] ^= 0x01; // y changed: off the curve
        SubjectPublicKeyInfo bad = new SubjectPublicKeyInfo(real.getAlgorithm(), point);
        String pem = TestCsrs.csr("EC-secp256r1").spki(bad).pem();

        CsrException e = catchThrowableOfType(() -> parser.parse(pem), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_WEAK_KEY");
        assertThat(e.detail()).contains("not a valid point on P-256");
    }

    // ---- signatures ----------------------------------------------------------------------------

    @Test
    void tamperedSignatureIsInvalid() {
        byte[] der = TestCsrs.csr("RSA-2048").cn("shop.example.com").der();
        der[der.length - 1] ^= 0x5A;
        String pem = TestCsrs.pem(der);

        CsrException e = catchThrowableOfType(() -> parser.parse(pem), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_SIGNATURE_INVALID");
        assertThat(e.detail()).contains("does not verify");
        CsrReport report = parser.inspect(pem);
        assertThat(report.signatureValid()).isFalse();
        assertThat(report.commonName()).isEqualTo("shop.example.com");
        assertThat(report.keySize()).isEqualTo(2048);
        assertThat(report.problems()).extracting(CsrReport.Problem::code).containsExactly("CSR_SIGNATURE_INVALID");
    }

    @Test
    void alteredContentMakesAnEcdsaSignatureInvalid() {
        byte[] der = TestCsrs.csr("EC-secp256r1").cn("shop.example.com").der();
        int at = indexOf(der, "shop".getBytes());
        der[at] = 'x'; // CN becomes xhop.example.com after signing

        CsrReport report = parser.inspect(TestCsrs.pem(der));

        assertThat(report.commonName()).isEqualTo("xhop.example.com");
        assertThat(report.signatureValid()).isFalse();
        assertThat(report.problems()).extracting(CsrReport.Problem::code).containsExactly("CSR_SIGNATURE_INVALID");
        CsrException e = catchThrowableOfType(() -> parser.parse(TestCsrs.pem(der)), CsrException.class);
        assertThat(e.code()).isEqualTo(CsrException.CSR_SIGNATURE_INVALID);
    }

    @Test
    void md5SignatureIsRefused() {
        CsrException e = catchThrowableOfType(
                () -> parser.parse(TestCsrs.csr("RSA-2048").signedWith("MD5withRSA").pem()), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_SIGNATURE_INVALID");
        assertThat(e.detail()).contains("MD5withRSA");
    }

    @Test
    void weakKeyWithBadSignatureReportsBothWeakFirst() {
        byte[] der = TestCsrs.csr("RSA-1024").der();
        der[der.length - 1] ^= 0x01;

        CsrReport report = parser.inspect(TestCsrs.pem(der));

        assertThat(report.problems()).extracting(CsrReport.Problem::code)
                .containsExactly("CSR_WEAK_KEY", "CSR_SIGNATURE_INVALID");
        CsrException e = catchThrowableOfType(() -> parser.parse(TestCsrs.pem(der)), CsrException.class);
        assertThat(e.code()).isEqualTo("CSR_WEAK_KEY");
    }

    // ---- names ---------------------------------------------------------------------------------

    @Test
    void sanNamesAreNormalisedInCsrOrder() {
        String pem = TestCsrs.csr("EC-secp256r1")
                .cn("Shop.Example.COM")
                .san("WWW.Shop.Example.COM.")
                .san("XN--BCHER-KVA.example.com")
                .sanUtf8("Bücher.example.org")
                .sanIp("192.0.2.10")
                .san("shop.example.com")
                .san("*.Shop.Example.com")
                .pem();

        ParsedCsr csr = parser.parse(pem);

        assertThat(csr.commonName()).isEqualTo("shop.example.com");
        assertThat(csr.dnsNames()).containsExactly("www.shop.example.com", "xn--bcher-kva.example.com",
                "xn--bcher-kva.example.org", "shop.example.com", "*.shop.example.com");
        assertThat(csr.names()).containsExactly("shop.example.com", "www.shop.example.com",
                "xn--bcher-kva.example.com", "xn--bcher-kva.example.org", "*.shop.example.com");
        assertThat(parser.inspect(pem).names()).isEqualTo(csr.names());
    }

    @Test
    void unicodeCommonNameIsConvertedToAce() {
        ParsedCsr csr = parser.parse(TestCsrs.csr("EC-secp256r1").cn("Bücher.Example").pem());

        assertThat(csr.commonName()).isEqualTo("xn--bcher-kva.example");
        assertThat(csr.names()).containsExactly("xn--bcher-kva.example");
    }

    @Test
    void commonNameThatIsNotADnsNameIsKeptAsIsAndNotANameToCertify() {
        ParsedCsr csr = parser.parse(TestCsrs.csr("EC-secp256r1").cn("Example Shop Web Server")
                .san("shop.example.com").pem());

        assertThat(csr.commonName()).isEqualTo("Example Shop Web Server");
        assertThat(csr.names()).containsExactly("shop.example.com");
    }

    @Test
    void csrWithoutCommonNameHasOnlySanNames() {
        ParsedCsr csr = parser.parse(TestCsrs.csr("EC-secp256r1").cn(null).san("a.example.com").san("b.example.com")
                .pem());

        assertThat(csr.commonName()).isNull();
        assertThat(csr.names()).containsExactly("a.example.com", "b.example.com");
    }

    @Test
    void invalidSanDnsNameIsUnparseable() {
        String pem = TestCsrs.csr("EC-secp256r1").cn("shop.example.com").san("under_score.example.com").pem();

        CsrException e = catchThrowableOfType(() -> parser.parse(pem), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(e.detail()).contains("SAN dNSName", "under_score.example.com", "'_'");
        CsrReport report = parser.inspect(pem);
        assertThat(report.names()).containsExactly("shop.example.com");
        assertThat(report.signatureValid()).isTrue();
    }

    // ---- canonical form and cache -----------------------------------------------------------

    @Test
    void canonicalPemIsStrictRfc7468() {
        ParsedCsr csr = parser.parse(TestCsrs.csr("RSA-2048").san("a.example.com").pem());
        String[] lines = csr.canonicalPem().split("\n", -1);

        assertThat(lines[0]).isEqualTo("-----BEGIN CERTIFICATE REQUEST-----");
        assertThat(lines[lines.length - 2]).isEqualTo("-----END CERTIFICATE REQUEST-----");
        assertThat(lines[lines.length - 1]).isEmpty(); // final newline
        for (int i = 1; i < lines.length - 3; i++) {
            assertThat(lines[i]).hasSize(64);
        }
        assertThat(lines[lines.length - 3].length()).isBetween(1, 64);
        assertThat(parser.parse(csr.canonicalPem())).isEqualTo(csr);
    }

    @Test
    void eachDistinctCsrIsVerifiedOnce() {
        String one = TestCsrs.csr("EC-secp256r1").cn("one.example.com").pem();
        String two = TestCsrs.csr("EC-secp256r1").cn("two.example.com").pem();

        ParsedCsr first = parser.parse(one);
        ParsedCsr again = parser.parse(one.replace("\n", "\r\n"));
        parser.parse(two);
        parser.inspect(two);

        assertThat(again).isEqualTo(first);
        assertThat(parser.verificationCount()).isEqualTo(2);
    }

    @Test
    void refusalsAreCachedToo() {
        String weak = TestCsrs.csr("RSA-1024").pem();
        for (int i = 0; i < 3; i++) {
            CsrException e = catchThrowableOfType(() -> parser.parse(weak), CsrException.class);
            assertThat(e.code()).isEqualTo("CSR_WEAK_KEY");
        }
        assertThat(parser.verificationCount()).isEqualTo(1);
    }

    @Test
    void withoutCacheEveryParseVerifies() {
        CsrParser uncached = new CsrParser(0);
        String pem = TestCsrs.csr("EC-secp256r1").pem();
        uncached.parse(pem);
        uncached.parse(pem);
        assertThat(uncached.verificationCount()).isEqualTo(2);
    }

    @Test
    void concurrentParsesOfOneCsrVerifyOnce() throws Exception {
        String pem = TestCsrs.csr("EC-secp384r1").signedWith("SHA384withECDSA").cn("c.example.com").pem();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<ParsedCsr>> tasks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                tasks.add(() -> parser.parse(pem));
            }
            List<Future<ParsedCsr>> results = pool.invokeAll(tasks);
            ParsedCsr first = results.get(0).get();
            for (Future<ParsedCsr> f : results) {
                assertThat(f.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(parser.verificationCount()).isEqualTo(1);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }
}
