package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExcerptTest {

    @Test
    void controlAndFormatCharactersAreRemovedAndTheTextIsCutWithACount() {
        assertThat(Excerpt.of("A\u0000B\r\nC\u001b[31mD\u202eE\u200bF\u2028G\u0085H", 100)).isEqualTo("AB" + "C[31mDEFGH");
        assertThat(Excerpt.of("x".repeat(50), 40)).isEqualTo("x".repeat(40) + "\u2026 (+10 chars)");
        assertThat(Excerpt.of("\uD83D\uDE00".repeat(3), 2)).isEqualTo("\uD83D\uDE00\uD83D\uDE00\u2026 (+1 chars)");
        assertThat(Excerpt.of("ab\uD800c", 10)).isEqualTo("abc");
        assertThat(Excerpt.of("abc\u0000\u0000", 3)).isEqualTo("abc");
        assertThat(Excerpt.of(null, 3)).isNull();
    }
}
