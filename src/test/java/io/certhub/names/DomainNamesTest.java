package io.certhub.names;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainNamesTest {

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "example.com|example.com",
            "WWW.Example.COM|www.example.com",
            "www.example.com.|www.example.com",
            "  shop.example.org \t|shop.example.org",
            "\u00A0shop.example.org\uFEFF|shop.example.org",
            "Bücher.example|xn--bcher-kva.example",
            "BÜCHER.example.com|xn--bcher-kva.example.com",
            "münchen.example.net|xn--mnchen-3ya.example.net",
            "*.Bücher.example.|*.xn--bcher-kva.example",
            "*.EXAMPLE.com|*.example.com",
            "xn--bcher-kva.example|xn--bcher-kva.example",
            "XN--BCHER-KVA.Example|xn--bcher-kva.example",
            "a-b.c-d.example|a-b.c-d.example",
            "1st.example.com|1st.example.com",
            "example.com.uk|example.com.uk",
            "例え.テスト|xn--r8jz45g.xn--zckzah",
            "shop\u3002example\u3002com|shop.example.com",
    })
    void normalises(String input, String expected) {
        assertThat(DomainNames.normalise(input)).isEqualTo(expected);
        // idempotent
        assertThat(DomainNames.normalise(expected)).isEqualTo(expected);
        assertThat(DomainNames.isValid(input)).isTrue();
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "''|empty",
            "'   '|empty",
            "'.'|empty",
            "localhost|at least two labels",
            "com.|at least two labels",
            "*.com|at least two labels",
            "*|at least two labels",
            "a..example.com|empty label",
            ".example.com|empty label",
            "example.com..|empty label",
            "w*.example.com|left-most label",
            "www.*.example.com|left-most label",
            "**.example.com|left-most label",
            "*example.com|left-most label",
            "under_score.example.com|'_'",
            "space here.example.com|U+0020",
            "-lead.example.com|hyphen",
            "trail-.example.com|hyphen",
            "192.168.1.10|IP address",
            "10.0.0.1.|IP address",
            "2001:db8::1|IP address",
            "[2001:db8::1]|IP address",
            "host.123|all digits",
            "ex@mple.com|'@'",
    })
    void refuses(String input, String messagePart) {
        assertThatThrownBy(() -> DomainNames.normalise(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(messagePart);
        assertThat(DomainNames.isValid(input)).isFalse();
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> DomainNames.normalise(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing");
        assertThat(DomainNames.isValid(null)).isFalse();
    }

    @Test
    void controlCharactersAreEscapedInTheMessage() {
        assertThatThrownBy(() -> DomainNames.normalise("bad\u0000name.example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad\\u0000name.example.com'")
                .hasMessageNotContaining("\u0000");
    }

    @Test
    void labelOf63IsAcceptedAnd64Refused() {
        String l63 = "a".repeat(63);
        assertThat(DomainNames.normalise(l63 + ".example.com")).isEqualTo(l63 + ".example.com");
        assertThatThrownBy(() -> DomainNames.normalise("a" + l63 + ".example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 characters long")
                .hasMessageContaining("63");
    }

    @Test
    void totalOf253IsAcceptedAnd254Refused() {
        // 3 x (61 chars + '.') = 186, + 63 + '.' = 250, + "abc" = 253
        String base = "b".repeat(61) + "." + "c".repeat(61) + "." + "d".repeat(61) + ".";
        String name253 = base + "e".repeat(63) + ".abc";
        assertThat(name253).hasSize(253);
        assertThat(DomainNames.normalise(name253)).isEqualTo(name253);
        String name254 = base + "e".repeat(63) + ".abcd";
        assertThat(name254).hasSize(254);
        assertThatThrownBy(() -> DomainNames.normalise(name254))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("254 characters")
                .hasMessageContaining("253");
    }

    @Test
    void lengthLimitsApplyToTheAceForm() {
        // 60 x 'ü' is 60 characters, but its ACE form is longer than 63
        String longUnicode = "ü".repeat(60) + ".example";
        assertThatThrownBy(() -> DomainNames.normalise(longUnicode))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ACE");
    }

    @Test
    void wildcardDetection() {
        assertThat(DomainNames.isWildcard("*.example.com")).isTrue();
        assertThat(DomainNames.isWildcard("www.example.com")).isFalse();
        assertThat(DomainNames.isWildcard("example.com")).isFalse();
        assertThat(DomainNames.isWildcard(null)).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0} covers {1}: {2}")
    @CsvSource({
            "example.com, example.com, true",
            "www.example.com, www.example.com, true",
            "*.example.com, www.example.com, true",
            "*.example.com, xn--bcher-kva.example.com, true",
            "*.example.com, example.com, false",
            "*.example.com, a.b.example.com, false",
            "*.example.com, *.example.com, true",
            "*.example.com, *.shop.example.com, false",
            "*.shop.example.com, *.example.com, false",
            "www.example.com, *.example.com, false",
            "example.com, www.example.com, false",
            "www.example.com, example.com, false",
            "*.example.com, wwwexample.com, false",
            "*.example.com, www.example.org, false",
            "*.example.com, www.notexample.com, false",
            "*.shop.example.com, www.shop.example.com, true",
            "*.shop.example.com, shop.example.com, false",
    })
    void covers(String certName, String orderedName, boolean expected) {
        assertThat(DomainNames.covers(certName, orderedName)).isEqualTo(expected);
    }

    @Test
    void coversRefusesNull() {
        assertThatThrownBy(() -> DomainNames.covers(null, "example.com"))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DomainNames.covers("example.com", null))
                .isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*.example.com", "www.example.com", "xn--bcher-kva.example"})
    void normalisedNamesAreFixedPoints(String name) {
        assertThat(DomainNames.normalise(name)).isEqualTo(name);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1} (UTS #46 non-transitional)")
    @CsvSource(delimiter = '|', value = {
            // IDNA2003 (java.net.IDN) mapped these to fass.de and xn--xa-... of the final sigma
            "faß.de|xn--fa-hia.de",
            "FASS.de|fass.de",
            "βόλος.example|xn--nxasmm1c.example",
            "xn--fa-hia.de|xn--fa-hia.de",
    })
    void internationalNamesUseIdna2008(String input, String expected) {
        assertThat(DomainNames.normalise(input)).isEqualTo(expected);
        assertThat(DomainNames.normalise(expected)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" is a mixed-script look-alike")
    @CsvSource(delimiter = '|', value = {
            "pаypal.example.com|Cyrillic",        // Cyrillic а (U+0430) among Latin letters
            "xn--pypal-4ve.example.com|Cyrillic",  // the same label given as an A-label
            "gοogle.example|Greek",                // Greek ο (U+03BF)
    })
    void refusesMixedScriptLookAlikes(String input, String script) {
        assertThatThrownBy(() -> DomainNames.normalise(input))
                .isInstanceOf(DomainNames.MixedScriptException.class)
                .hasMessageContaining("mixes scripts")
                .hasMessageContaining(script)
                .hasMessageContaining("Latin");
        assertThat(DomainNames.isValid(input)).isFalse();
    }

    @Test
    void acceptsSingleScriptAndAllowedCombinations() {
        assertThat(DomainNames.normalise("пример.example")).isEqualTo("xn--e1afmkfd.example");   // all Cyrillic
        assertThat(DomainNames.normalise("例え.テスト")).isEqualTo("xn--r8jz45g.xn--zckzah");       // Han + Hiragana
        assertThat(DomainNames.normalise("shop2026.example")).isEqualTo("shop2026.example");
    }

    @Test
    void refusesAnALabelThatDoesNotDecode() {
        assertThatThrownBy(() -> DomainNames.normalise("xn--zz-.example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid A-label");
    }
}
