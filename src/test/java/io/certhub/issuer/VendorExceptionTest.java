package io.certhub.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.issuer.VendorException.Kind;
import io.certhub.problem.HubProblem;
import org.junit.jupiter.api.Test;

/** How a failed vendor call on a reseller's request is answered ({@link VendorException#toProblem()}). */
class VendorExceptionTest {

    static HubProblem problem(Kind kind, String code) {
        return new VendorException(kind, code, "detail of " + code).toProblem();
    }

    @Test
    void unsupportedRefusedAndUnavailableAreNamed() {
        assertThat(problem(Kind.REFUSED, "UNSUPPORTED").status()).isEqualTo(409);
        assertThat(problem(Kind.REFUSED, "UNSUPPORTED").code()).isEqualTo("VENDOR_UNSUPPORTED");
        assertThat(problem(Kind.REFUSED, "465").code()).isEqualTo("VENDOR_REFUSED");
        assertThat(problem(Kind.REFUSED, "465").getMessage()).contains("detail of 465");
        assertThat(problem(Kind.NOT_FOUND, "404").code()).isEqualTo("VENDOR_REFUSED");
        for (Kind k : new Kind[] {Kind.TRANSIENT, Kind.AMBIGUOUS, Kind.AUTH_FAILED}) {
            assertThat(problem(k, "X").status()).as(k.name()).isEqualTo(503);
            assertThat(problem(k, "X").code()).as(k.name()).isEqualTo("VENDOR_UNAVAILABLE");
        }
    }

    @Test
    void anAdapterWithoutLifecycleActionsRefusesThemAsUnsupported() {
        VendorAdapter none = (VendorAdapter) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {VendorAdapter.class}, (proxy, method, args) -> {
                if (method.isDefault()) {
                    return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                }
                if (method.getName().equals("name")) {
                    return "none";
                }
                throw new UnsupportedOperationException(method.getName());
            });
        assertThat(none.supports(VendorAdapter.LifecycleAction.REISSUE)).isFalse();
        assertThat(none.supports(VendorAdapter.LifecycleAction.REVOKE)).isFalse();
        VendorException e = org.junit.jupiter.api.Assertions.assertThrows(VendorException.class, () -> none.reissue("1", "csr", null));
        assertThat(e.code()).isEqualTo("UNSUPPORTED");
        assertThat(e.getMessage()).contains("none").contains("reissue");
        e = org.junit.jupiter.api.Assertions.assertThrows(VendorException.class,
            () -> none.revoke("1", "0a", VendorAdapter.RevocationReason.UNSPECIFIED));
        assertThat(e.toProblem().code()).isEqualTo("VENDOR_UNSUPPORTED");
    }
}
