package io.certhub.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class OrderSizeGuardTest {

    static String readAll(Reader r) throws IOException {
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[7];       // odd block size: counts must not depend on how the parser reads
        int n;
        while ((n = r.read(buf, 0, buf.length)) >= 0) {
            sb.append(buf, 0, n);
        }
        return sb.toString();
    }

    @Test
    void csvCountsPerRecordAndAQuotedLineFeedDoesNotEndARecord() throws IOException {
        String ok = "h1,h2\n" + "aaaaaaaa,bbbbbbbb\n" + "\"c\nc\"\"c\",d\n";
        assertThat(readAll(new OrderSizeGuard(new StringReader(ok), true, 18))).isEqualTo(ok);
        String quotedLong = "h\n\"" + "x\n".repeat(10) + "\"\n";
        assertThatThrownBy(() -> readAll(new OrderSizeGuard(new StringReader(quotedLong), true, 15)))
            .isInstanceOfSatisfying(OrderSizeGuard.OrderTooLargeException.class, e -> {
                assertThat(e.line()).isEqualTo(9);
                assertThat(e.limit()).isEqualTo(15);
            });
    }

    @Test
    void jsonCountsPerElementOfTheTopLevelArrayOrTheWholeObject() throws IOException {
        String array = "[{\"a\":\"]}]}\"},\n {\"b\":\"xxxxxx\"},\n \"str\"]";
        assertThat(readAll(new OrderSizeGuard(new StringReader(array), false, 14))).isEqualTo(array);
        assertThatThrownBy(() -> readAll(new OrderSizeGuard(new StringReader(array), false, 12)))
            .isInstanceOf(OrderSizeGuard.OrderTooLargeException.class);
        String object = "{\"a\":\"" + "x".repeat(30) + "\"}";
        assertThatThrownBy(() -> readAll(new OrderSizeGuard(new StringReader(object), false, 30)))
            .isInstanceOf(OrderSizeGuard.OrderTooLargeException.class);
        String escaped = "[{\"a\":\"\\\"]]]]\"},{}]";
        assertThat(readAll(new OrderSizeGuard(new StringReader(escaped), false, 14))).isEqualTo(escaped);
        String bareString = "[\"" + "z".repeat(40) + "\"]";
        assertThatThrownBy(() -> readAll(new OrderSizeGuard(new StringReader(bareString), false, 20)))
            .isInstanceOf(OrderSizeGuard.OrderTooLargeException.class);
    }
}
