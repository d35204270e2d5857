package io.certhub.dcv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Email addresses with their domain part as an A-label, the form an approver email is stored in
 * and sent to the vendor (issue 11 §5), with UTS #46 non-transitional processing (issue 16).
 */
class EmailAddressesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "admin@bücher.example.org|admin@xn--bcher-kva.example.org",
        " Admin@Bücher.Example.ORG |admin@xn--bcher-kva.example.org",
        "hostmaster@faß.de|hostmaster@xn--fa-hia.de",
        "alex@example.com|alex@example.com",
        "admin@xn--bcher-kva.example.org|admin@xn--bcher-kva.example.org",
    })
    void domainBecomesItsALabel(String in, String out) {
        assertThat(EmailAddresses.normalise(in)).hasValue(out);
        assertThat(EmailAddresses.normalise(out)).hasValue(out);
    }

    @Test
    void refusesWhatIsNotAPlainAddress() {
        assertThat(EmailAddresses.normalise("nobody")).isEmpty();
        assertThat(EmailAddresses.normalise("jörg@example.com")).isEmpty();
        assertThat(EmailAddresses.normalise("a@localhost")).isEmpty();
        assertThat(EmailAddresses.normalise("a@*.example.com")).isEmpty();
        assertThat(EmailAddresses.normalise("a b@example.com")).isEmpty();
        assertThat(EmailAddresses.normalise("a@pаypal.com")).isEmpty();   // Cyrillic а: a mixed-script look-alike
        assertThat(EmailAddresses.normalise("a@exa\u0000mple.com")).isEmpty();
        assertThat(EmailAddresses.normalise(null)).isEmpty();
    }
}
