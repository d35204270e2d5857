package io.certhub.csr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PEM/DER reading: what is tolerated (RFC 7468 lax) and what is refused, with which detail. */
class CsrParserPemTest {

    private static String referencePem;
    private static byte[] referenceDer;
    private static String referenceSha;

    private final CsrParser parser = new CsrParser();

    @BeforeAll
    static void reference() {
        referencePem = TestCsrs.read("csr-formats/reference.csr");
        referenceDer = TestCsrs.derOf(referencePem);
        referenceSha = new CsrParser().parse(referencePem).derSha256();
    }

    private static String base64() {
        return Base64.getEncoder().encodeToString(referenceDer);
    }

    // ---- tolerated ----------------------------------------------------------------------------

    @Test
    void crOnlyLineEnds() {
        assertThat(parser.parse(referencePem.replace("\n", "\r")).derSha256()).isEqualTo(referenceSha);
    }

    @Test
    void textAroundTheBlockIsIgnored() {
        String text = "Here is my CSR:\n\n" + referencePem + "\nThanks, Alex\n";
        assertThat(parser.parse(text).derSha256()).isEqualTo(referenceSha);
    }

    @Test
    void longLinesAndMissingPadding() {
        String b64 = base64();
        String unpadded = b64.replace("=", "");
        String text = "-----BEGIN CERTIFICATE REQUEST-----\n" + unpadded.substring(0, 200) + "\n"
                + unpadded.substring(200) + "\n-----END CERTIFICATE REQUEST-----";
        assertThat(parser.parse(text).derSha256()).isEqualTo(referenceSha);
    }

    @Test
    void literalBackslashNFromDoubleJsonEscaping() {
        String text = referencePem.replace("\n", "\\n");
        assertThat(text).doesNotContain("\n");
        assertThat(parser.parse(text).derSha256()).isEqualTo(referenceSha);
    }

    @Test
    void newHeaderWithStandardFooter() {
        String text = referencePem.replace("BEGIN CERTIFICATE REQUEST", "BEGIN NEW CERTIFICATE REQUEST");
        assertThat(parser.parse(text).derSha256()).isEqualTo(referenceSha);
    }

    // ---- refused ------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "empty text|''|empty",
            "blank text|'  \n\t '|empty",
            "byte-order mark only|'\uFEFF'|empty",
            "no PEM at all|'hello world'|no PEM CSR found",
            "raw base64 without lines|'MIICkDCCAXgCAQAwHDEa'|no PEM CSR found",
            "a certificate|'-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'|'CERTIFICATE' PEM block",
            "a private key|'-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----'|private key",
            "an RSA private key|'-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----'|never send a private key",
            "no END line|'-----BEGIN CERTIFICATE REQUEST-----\nMIICkDCCAXgCAQAw\n'|no '-----END CERTIFICATE REQUEST-----' line",
            "only an END line|'MIICkDCC\n-----END CERTIFICATE REQUEST-----'|no '-----BEGIN CERTIFICATE REQUEST-----' line",
            "empty block|'-----BEGIN CERTIFICATE REQUEST-----\n\n-----END CERTIFICATE REQUEST-----'|empty",
            "bad character|'-----BEGIN CERTIFICATE REQUEST-----\nMIIC!kDCC\n-----END CERTIFICATE REQUEST-----'|'!'",
            "padding in the middle|'-----BEGIN CERTIFICATE REQUEST-----\nMIIC==kDCC\n-----END CERTIFICATE REQUEST-----'|padding in the middle",
            "base64 of wrong length|'-----BEGIN CERTIFICATE REQUEST-----\nMIICk\n-----END CERTIFICATE REQUEST-----'|wrong length",
            "not a SEQUENCE|'-----BEGIN CERTIFICATE REQUEST-----\nAgEA\n-----END CERTIFICATE REQUEST-----'|does not start with an ASN.1 SEQUENCE",
            "empty SEQUENCE|'-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----'|certificationRequestInfo is missing",
            "indefinite length|'-----BEGIN CERTIFICATE REQUEST-----\nMIAwAAAA\n-----END CERTIFICATE REQUEST-----'|indefinite length",
    })
    void refused(String what, String text, String detailPart) {
        CsrException e = catchThrowableOfType(() -> parser.parse(text), CsrException.class);

        assertThat(e).as(what).isNotNull();
        assertThat(e.code()).isEqualTo(CsrException.CSR_UNPARSEABLE);
        assertThat(e.detail()).contains(detailPart);

        CsrReport report = parser.inspect(text);
        assertThat(report.problems()).containsExactly(new CsrReport.Problem(e.code(), e.detail()));
        assertThat(report.signatureValid()).isFalse();
        assertThat(report.names()).isEmpty();
        assertThat(report.keyAlgorithm()).isNull();
    }

    @Test
    void nullText() {
        CsrException e = catchThrowableOfType(() -> parser.parse(null), CsrException.class);
        assertThat(e.code()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(e.detail()).isEqualTo("no CSR was given");
        assertThat(parser.inspect(null).problems()).extracting(CsrReport.Problem::code).containsExactly("CSR_UNPARSEABLE");
    }

    @Test
    void twoCsrsAreAmbiguous() {
        CsrException e = catchThrowableOfType(() -> parser.parse(referencePem + referencePem), CsrException.class);
        assertThat(e.code()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(e.detail()).contains("more than one CSR");
    }

    @Test
    void trailingBytesAfterTheDer() {
        byte[] longer = Arrays.copyOf(referenceDer, referenceDer.length + 3);
        CsrException e = catchThrowableOfType(() -> parser.parse(TestCsrs.pem(longer)), CsrException.class);
        assertThat(e.code()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(e.detail()).isEqualTo("there are 3 unexpected bytes after the end of the CSR's DER");
    }

    @Test
    void truncatedByOneByte() {
        byte[] shorter = Arrays.copyOf(referenceDer, referenceDer.length - 1);
        CsrException e = catchThrowableOfType(() -> parser.parse(TestCsrs.pem(shorter)), CsrException.class);
        assertThat(e.code()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(e.detail()).isEqualTo(
                "the CSR is truncated: its DER declares 660 bytes but only 659 are present (was the PEM cut short?)");
    }

    @Test
    void aCertificateUnderACsrHeaderIsNotACsr() {
        String cert = TestCsrs.read("trust/test-root.crt");
        String disguised = cert.replace("CERTIFICATE-----", "CERTIFICATE REQUEST-----");
        CsrException e = catchThrowableOfType(() -> parser.parse(disguised), CsrException.class);
        assertThat(e.code()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(e.detail()).startsWith("this is a certificate (X.509), not a certificate signing request");
    }

    @Test
    void oversizedText() {
        String huge = "-----BEGIN CERTIFICATE REQUEST-----\n" + "A".repeat(70_000) + "\n-----END CERTIFICATE REQUEST-----";
        CsrException e = catchThrowableOfType(() -> parser.parse(huge), CsrException.class);
        assertThat(e.code()).isEqualTo("CSR_UNPARSEABLE");
        assertThat(e.detail()).contains("at most 65536");
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() {
        Random random = new Random(20261129L);
        int accepted = 0;
        for (int i = 0; i < 400; i++) {
            byte[] der = referenceDer.clone();
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                der[random.nextInt(der.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                der = Arrays.copyOf(der, random.nextInt(der.length) + 1);
            }
            String pem = TestCsrs.pem(der);
            assertThatCode(() -> parser.inspect(pem)).doesNotThrowAnyException();
            try {
                parser.parse(pem);
                accepted++;
            } catch (CsrException e) {
                assertThat(e.code()).isIn("CSR_UNPARSEABLE", "CSR_SIGNATURE_INVALID", "CSR_WEAK_KEY");
                assertThat(e.detail()).isNotBlank();
            }
        }
        // a byte may be "changed" to its own value; anything else must be caught by some check
        assertThat(accepted).isLessThan(10);
    }
}
