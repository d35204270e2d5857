package io.certhub.csr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real-world inputs in ../shared/cases (see its README, sections csr-formats and weak-key). */
class CsrParserCaseFilesTest {

    private static String referenceText;
    private static ParsedCsr reference;

    private final CsrParser parser = new CsrParser();

    @BeforeAll
    static void readReference() {
        referenceText = TestCsrs.read("csr-formats/reference.csr");
        reference = new CsrParser().parse(referenceText);
    }

    @Test
    void referenceIsReadWithItsRealValues() throws Exception {
        assertThat(reference.commonName()).isEqualTo("files.example.com");
        assertThat(reference.dnsNames()).containsExactly("files.example.com");
        assertThat(reference.names()).containsExactly("files.example.com");
        assertThat(reference.keyAlgorithm()).isEqualTo("RSA");
        assertThat(reference.keySize()).isEqualTo(2048);
        assertThat(reference.curve()).isNull();
        assertThat(reference.publicKey().getAlgorithm()).isEqualTo("RSA");

        byte[] der = TestCsrs.derOf(referenceText);
        assertThat(der).hasSize(660);
        assertThat(reference.derSha256()).isEqualTo(sha256(der)).hasSize(64).matches("[0-9a-f]{64}");
        // the SubjectPublicKeyInfo hash equals the one of the JDK key's encoding (what a certificate gives)
        assertThat(reference.publicKeySha256()).isEqualTo(sha256(reference.publicKey().getEncoded()));
        // reference.csr is already canonical
        assertThat(reference.canonicalPem()).isEqualTo(referenceText);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "csr-formats/csr-a-bom-crlf-new-header.csr",
            "csr-formats/csr-b-indented-whitespace.csr",
            "csr-formats/csr-c-single-line.csr"})
    void sameCsrInOtherLayoutsIsAcceptedAndCanonicalised(String file) throws Exception {
        String text = TestCsrs.read(file);
        assertThat(text).isNotEqualTo(referenceText);

        ParsedCsr csr = parser.parse(text);

        assertThat(csr.publicKey()).isEqualTo(reference.publicKey());
        assertThat(csr.publicKeySha256()).isEqualTo(reference.publicKeySha256());
        assertThat(csr.derSha256()).isEqualTo(reference.derSha256());
        assertThat(csr.canonicalPem()).isEqualTo(reference.canonicalPem()).isEqualTo(referenceText);
        assertThat(csr.canonicalPem())
                .startsWith("-----BEGIN CERTIFICATE REQUEST-----\nMIICkDCC")
                .endsWith("\n-----END CERTIFICATE REQUEST-----\n")
                .doesNotContain("\r", "\uFEFF", "NEW");
        assertThat(csr.names()).containsExactly("files.example.com");
        assertThat(csr.keySize()).isEqualTo(2048);
    }

    @Test
    void fileAReallyHasBomCrlfAndTheOldHeader() throws Exception {
        byte[] raw = Files.readAllBytes(TestCsrs.CASES.resolve("csr-formats/csr-a-bom-crlf-new-header.csr"));
        assertThat(raw).startsWith(0xEF, 0xBB, 0xBF);
        String text = new String(raw, StandardCharsets.UTF_8);
        assertThat(text).contains("\r\n", "BEGIN NEW CERTIFICATE REQUEST");
        assertThat(parser.parse(text).derSha256()).isEqualTo(reference.derSha256());
    }

    @Test
    void truncatedCsrIsUnparseable() {
        String text = TestCsrs.read("csr-formats/csr-d-truncated.csr");

        CsrException e = catchThrowableOfType(() -> parser.parse(text), CsrException.class);

        assertThat(e.code()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(e.detail()).contains("truncated", "660", "624");
        assertThat(parser.verificationCount()).isZero();

        CsrReport report = parser.inspect(text);
        assertThat(report.signatureValid()).isFalse();
        assertThat(report.names()).isEmpty();
        assertThat(report.problems()).extracting(CsrReport.Problem::code).containsExactly("CSR_UNPARSEABLE");
        assertThat(report.acceptable()).isFalse();
    }

    @Test
    void rsa1024FromTheRestRequestIsWeak() throws Exception {
        String csrText = csrOf("weak-key/rest-request.json");

        CsrException e = catchThrowableOfType(() -> parser.parse(csrText), CsrException.class);

        assertThat(e.code()).isEqualTo(CsrException.CSR_WEAK_KEY);
        assertThat(e.detail())
                .isEqualTo("RSA key of 1024 bits is too weak: the minimum is 2048 bits (CA/B Forum BR 6.1.5)")
                .contains("RSA", "1024", "2048");
        assertThat(e.getMessage()).isEqualTo("CSR_WEAK_KEY: " + e.detail());
    }

    @Test
    void rsa1024InspectionShowsWhatIsThere() throws Exception {
        CsrReport report = parser.inspect(csrOf("weak-key/rest-request.json"));

        assertThat(report.commonName()).isEqualTo("legacy.example.com");
        assertThat(report.names()).containsExactly("legacy.example.com");
        assertThat(report.keyAlgorithm()).isEqualTo("RSA");
        assertThat(report.keySize()).isEqualTo(1024);
        assertThat(report.curve()).isNull();
        assertThat(report.signatureValid()).isTrue();
        assertThat(report.problems()).containsExactly(new CsrReport.Problem("CSR_WEAK_KEY",
                "RSA key of 1024 bits is too weak: the minimum is 2048 bits (CA/B Forum BR 6.1.5)"));
    }

    @Test
    void inboxFileCarriesTheSameWeakCsr() throws Exception {
        CsrException e = catchThrowableOfType(() -> parser.parse(csrOf("weak-key/inbox/order-RS-2026-1006.json")),
                CsrException.class);
        assertThat(e.code()).isEqualTo(CsrException.CSR_WEAK_KEY);
    }

    @Test
    void theSameCsrInFourLayoutsIsVerifiedOnce() {
        CsrParser fresh = new CsrParser();
        for (String file : new String[] {"csr-formats/reference.csr", "csr-formats/csr-a-bom-crlf-new-header.csr",
                "csr-formats/csr-b-indented-whitespace.csr", "csr-formats/csr-c-single-line.csr"}) {
            fresh.parse(TestCsrs.read(file));
            fresh.inspect(TestCsrs.read(file));
        }
        assertThat(fresh.verificationCount()).isEqualTo(1);
    }

    private static String csrOf(String jsonFile) throws Exception {
        return new ObjectMapper().readTree(TestCsrs.read(jsonFile)).get("csr").asText();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
