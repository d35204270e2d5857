package io.certhub.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Email addresses with their domain part as an A-label (issue 11 §5). */
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
        assertThat(EmailAddresses.normalise(in)).isEqualTo(out);
        assertThat(EmailAddresses.normalise(out)).isEqualTo(out);
    }

    @Test
    void refusesWhatIsNotAPlainAddress() {
        assertThatThrownBy(() -> EmailAddresses.normalise("nobody")).hasMessageContaining("local@domain");
        assertThatThrownBy(() -> EmailAddresses.normalise("jörg@example.com")).hasMessageContaining("ASCII");
        assertThatThrownBy(() -> EmailAddresses.normalise("a@localhost")).hasMessageContaining("domain");
        assertThatThrownBy(() -> EmailAddresses.normalise("a@*.example.com")).hasMessageContaining("wildcard");
        assertThatThrownBy(() -> EmailAddresses.normalise("a b@example.com")).hasMessageContaining("ASCII");
        assertThat(EmailAddresses.normaliseOrNull("a@pаypal.com")).isNull();   // Cyrillic а: mixed script
        assertThat(EmailAddresses.normaliseOrNull(null)).isNull();
    }
}
