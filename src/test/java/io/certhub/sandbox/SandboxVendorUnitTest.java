package io.certhub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of the sandbox vendor: approver domains, DCV names, file names. */
class SandboxVendorUnitTest {

    @Test
    void approverDomainsRunDownToTheRegistrableDomain() {
        assertThat(SandboxVendor.approverDomains("*.a.b.example.com")).containsExactly("a.b.example.com", "b.example.com", "example.com");
        assertThat(SandboxVendor.approverDomains("example.co.uk")).containsExactly("example.co.uk");
        assertThatThrownBy(() -> SandboxVendor.approverDomains("co.uk")).isInstanceOf(SandboxRefusal.class)
            .hasMessageContaining("domain");
    }

    @Test
    void dcvNamesAndFileStemsOfAnOrder() {
        SandboxOrder o = new SandboxOrder("7730001", null, "awaiting-approval", "new", "comodo_wildcard", "DV", false,
            "*.shop.example.com", List.of("shop.example.com"), "csr", 1, "nginx", null, "file", "abc", "f00d", null,
            null, null, null, null, null, null, null, null);
        assertThat(o.names()).containsExactly("*.shop.example.com", "shop.example.com");
        assertThat(o.dnsRecordName()).isEqualTo("_dnsauth.shop.example.com");
        assertThat(o.fileUrl()).isEqualTo("http://shop.example.com/.well-known/pki-validation/f00d.txt");
        assertThat(o.fileStem()).isEqualTo("STAR_shop_example_com");
    }
}
