package io.certhub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.certhub.sandbox.SandboxFaults.Kind;
import org.junit.jupiter.api.Test;

/** Fault plans of the sandbox vendor: counted, by rate, cleared. */
class SandboxFaultsTest {

    @Test
    void countedFaultsAreUsedUp() {
        SandboxFaults f = new SandboxFaults();
        assertThat(f.next()).isEqualTo(Kind.NONE);
        f.set(Kind.TIMEOUT, 2, null);
        assertThat(f.view()).containsEntry("kind", "timeout").containsEntry("remaining", 2);
        assertThat(f.next()).isEqualTo(Kind.TIMEOUT);
        assertThat(f.next()).isEqualTo(Kind.TIMEOUT);
        assertThat(f.next()).isEqualTo(Kind.NONE);
        assertThat(f.view()).containsEntry("kind", "none");
    }

    @Test
    void withoutCountOrRateOneCallFails() {
        SandboxFaults f = new SandboxFaults();
        f.set(Kind.HTTP_503, null, null);
        assertThat(f.next()).isEqualTo(Kind.HTTP_503);
        assertThat(f.next()).isEqualTo(Kind.NONE);
    }

    @Test
    void rateAppliesUntilNone() {
        SandboxFaults f = new SandboxFaults();
        f.set(Kind.IS_SUCCESS_0, null, 1.0);
        for (int i = 0; i < 50; i++) {
            assertThat(f.next()).isEqualTo(Kind.IS_SUCCESS_0);
        }
        f.set(Kind.IS_SUCCESS_0, null, 0.0);
        for (int i = 0; i < 50; i++) {
            assertThat(f.next()).isEqualTo(Kind.NONE);
        }
        f.set(Kind.HTTP_503, null, 1.0);
        f.set(Kind.NONE, null, null);
        assertThat(f.next()).isEqualTo(Kind.NONE);
    }

    @Test
    void kindsAndBoundsAreChecked() {
        assertThat(Kind.parse(" HTTP-503 ")).isEqualTo(Kind.HTTP_503);
        assertThat(Kind.parse("is-success-0")).isEqualTo(Kind.IS_SUCCESS_0);
        assertThatThrownBy(() -> Kind.parse("boom")).hasMessageContaining("http-503");
        SandboxFaults f = new SandboxFaults();
        assertThatThrownBy(() -> f.set(Kind.TIMEOUT, -1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.set(Kind.TIMEOUT, null, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
