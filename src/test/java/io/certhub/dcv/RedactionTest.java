package io.certhub.dcv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactionTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "REDACTED FOR PRIVACY",
            "Redacted | EU Data Subject",
            "Please query the RDDS service of the Registrar of Record identified in this output for information"
                    + " on how to contact the Registrant, Admin, or Tech contact of the queried domain name.",
            "Data Protected",
            "Not Disclosed",
            "Non-Public Data",
            "https://www.registrar.example/contact-domain-holder?domain=example.com",
            "http://whois.registrar.example/webform",
            "www.registrar.example/whois",
            "Select Contact Domain Holder link at https://www.networksolutions.com/whois",
            "N/A",
            ""})
    void redactionMarkersPointersAndUrlsAreRecognisedAndNeverAnAddress(String value) {
        assertThat(Redaction.isRedacted(value)).isTrue();
        assertThat(Redaction.address(value)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "8f3e2c1a0b@domainsbyproxy.com",
            "abc.def@whoisguard.com",
            "2b7e9d4c@withheldforprivacy.com",
            "41f1c8a2@contact.gandi.net",
            "contact@privacyprotect.org",
            "owner-123@anyproxyservice.example",
            "x@myprivacyshield.example",
            "redacted@example.com"})
    void privacyProxyAddressesAreNeverOffered(String value) {
        assertThat(Redaction.isPrivacyProxy(value)).isTrue();
        assertThat(Redaction.address(value)).isEmpty();
    }

    @Test
    void realAddressesAreNormalised() {
        assertThat(Redaction.address(" Owner@Example.COM ")).contains("owner@example.com");
        assertThat(Redaction.address("mailto:hostmaster@example.com")).contains("hostmaster@example.com");
        assertThat(Redaction.address("erika@Bücher.de")).contains("erika@xn--bcher-kva.de");
        // markers are not applied inside real addresses
        assertThat(Redaction.address("info@hiddenvalley.example")).contains("info@hiddenvalley.example");
    }

    @Test
    void nonAddressesAreRefused() {
        assertThat(Redaction.address(null)).isEmpty();
        assertThat(Redaction.address("owner at example.com")).isEmpty();
        assertThat(Redaction.address("a@b@example.com")).isEmpty();
        assertThat(Redaction.address("owner@localhost")).isEmpty();
        assertThat(Redaction.address("owner@192.168.1.1")).isEmpty();
        assertThat(EmailAddresses.normalise("\"quoted\"@example.com")).isEmpty();
    }
}
