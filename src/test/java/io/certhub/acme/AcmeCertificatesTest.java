package io.certhub.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.issuer.VendorAdapter.RevocationReason;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** The pure rules of {@link AcmeCertificates}: certID serials (RFC 9773 §4.1) and revocation reasons (RFC 8555 §7.6). */
class AcmeCertificatesTest {

    @Test
    void aCertIdSerialReadsAsTheInventorysSerialHex() {
        // DER INTEGER values: a sign byte 00 before a high first byte is not part of the serial
        assertThat(AcmeCertificates.serialHex(new byte[] {0x00, (byte) 0x8a, 0x01, 0x02})).isEqualTo("8a0102");
        assertThat(AcmeCertificates.serialHex(new byte[] {0x0a, 0x01, 0x02})).isEqualTo("0a0102");
        assertThat(AcmeCertificates.serialHex(new BigInteger("1234567890abcdef", 16).toByteArray())).isEqualTo("1234567890abcdef");
        assertThat(AcmeCertificates.serialHex(new byte[] {0x01})).isEqualTo("01");
    }

    @Test
    void onlyTheRevocationReasonsTheHubRevokesWithAreTaken() {
        assertThat(AcmeCertificates.reason(0)).isEqualTo(RevocationReason.UNSPECIFIED);
        assertThat(AcmeCertificates.reason(1)).isEqualTo(RevocationReason.KEY_COMPROMISE);
        assertThat(AcmeCertificates.reason(5)).isEqualTo(RevocationReason.CESSATION_OF_OPERATION);
        assertThatThrownBy(() -> AcmeCertificates.reason(2)).isInstanceOf(AcmeProblem.class)
            .satisfies(e -> assertThat(((AcmeProblem) e).type()).isEqualTo("urn:ietf:params:acme:error:badRevocationReason"));
        assertThatThrownBy(() -> AcmeCertificates.reason(-1)).isInstanceOf(AcmeProblem.class);
    }
}
