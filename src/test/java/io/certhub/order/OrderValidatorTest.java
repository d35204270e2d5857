package io.certhub.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.certhub.config.HubProperties;
import io.certhub.csr.CsrParser;
import io.certhub.problem.HubProblem;
import io.certhub.problem.HubProblem.FieldError;
import io.certhub.support.TestCsrs;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderValidator} on its own (issue 14 §5: it had no test class; its rules were reached only
 * through the REST and file intake tests): normalisation and defaults, every violation reported at
 * once with its field, the product rules (periods, names, wildcards, OV organization), the DCV
 * rules, and the approver rule (BR 3.2.2.4.4) through a stubbed {@link ApproverRule}.
 */
class OrderValidatorTest {

    private ApproverRule approvers;
    private OrderValidator validator;

    static HubProperties.ProductProperties product(String validation, boolean wildcard, int maxDomains, List<Integer> periods, String price) {
        HubProperties.ProductProperties p = new HubProperties.ProductProperties();
        p.setName(validation + " test product");
        p.setValidation(validation);
        p.setWildcard(wildcard);
        p.setMaxDomains(maxDomains);
        p.setPeriods(periods);
        p.setPricePerYear(price);
        return p;
    }

    @BeforeEach
    void setUp() {
        HubProperties props = new HubProperties();
        props.getCatalog().getProducts().put("dv_single", product("DV", false, 1, List.of(1, 2), "10.00"));
        props.getCatalog().getProducts().put("dv_multi", product("DV", false, 3, List.of(1), "20.00"));
        props.getCatalog().getProducts().put("dv_wild", product("DV", true, 1, List.of(1), "50.00"));
        props.getCatalog().getProducts().put("ov_single", product("OV", false, 1, List.of(1), "80.00"));
        approvers = mock(ApproverRule.class);
        when(approvers.allowed(any(), anyList(), any())).thenReturn(true);
        validator = new OrderValidator(new ProductCatalog(props), new CsrParser(), approvers);
    }

    static OrderDocument.Contact admin(String email) {
        return new OrderDocument.Contact("Alex", "Admin", null, null, null, null, null, null, null, null, null, "+1.5555550100", null, email);
    }

    static OrderDocument doc(String ref, String product, String handle, Integer period, String domain, List<String> extra, String csr,
                             String dcvMethod, String approver, OrderDocument.Contacts contacts) {
        return new OrderDocument(ref, product, handle, period, domain, extra, csr, null, approver, dcvMethod, contacts);
    }

    static OrderDocument.Contacts contacts(String adminEmail) {
        return new OrderDocument.Contacts(admin(adminEmail), null, null, null, null);
    }

    /** The violations of a 422 problem: its errors, or the problem itself when it has one (HubProblem.unprocessable). */
    static List<FieldError> errors(Runnable r) {
        HubProblem p = catchThrowableOfType(HubProblem.class, r::run);
        assertThat(p).as("a HubProblem").isNotNull();
        assertThat(p.status()).isEqualTo(422);
        return p.errors().isEmpty() ? List.of(new FieldError(p.code(), p.field(), p.getMessage())) : p.errors();
    }

    static List<String> codesAndFields(List<FieldError> errors) {
        return errors.stream().map(e -> e.code() + "@" + e.field()).toList();
    }

    @Test
    void aValidOrderIsNormalisedWithItsDefaultsAndPriced() {
        String csr = TestCsrs.ec("www.example.com");            // ECDSA signatures differ per call: one CSR for the three documents
        ValidatedOrder v = validator.validate(doc("  REF-1 ", "dv_single", null, null, "WWW.Example.COM.", null, csr,
            null, null, contacts("hostmaster@example.com")));

        assertThat(v.clientReference()).isEqualTo("REF-1");
        assertThat(v.domain()).isEqualTo("www.example.com");
        assertThat(v.submit()).isTrue();                       // handle defaults to process
        assertThat(v.period()).isEqualTo(1);
        assertThat(v.serverType()).isEqualTo("other");
        assertThat(v.dcvMethod()).isEqualTo("email");
        assertThat(v.approverEmail()).isEqualTo("hostmaster@example.com");   // the admin contact, as allowed by the approver rule
        assertThat(v.price()).isEqualTo(new ProductCatalog(propsWithOne("dv_single", "10.00")).find("dv_single").orElseThrow().price(1));
        assertThat(v.contentHash()).hasSize(64);
        // the same order again: the same content hash (the duplicate check of the file intake); another period: another
        assertThat(validator.validate(doc("REF-1", "dv_single", "process", 1, "www.example.com", null, csr,
            "email", null, contacts("hostmaster@example.com"))).contentHash()).isEqualTo(v.contentHash());
        assertThat(validator.validate(doc("REF-1", "dv_single", "save", 2, "www.example.com", null, csr,
            "email", null, contacts("hostmaster@example.com"))).contentHash()).isNotEqualTo(v.contentHash());
    }

    static HubProperties propsWithOne(String code, String price) {
        HubProperties props = new HubProperties();
        props.getCatalog().getProducts().put(code, product("DV", false, 1, List.of(1, 2), price));
        return props;
    }

    @Test
    void everyViolationIsReportedAtOnceWithItsField() {
        List<FieldError> errors = errors(() -> validator.validate(doc(null, "no_such_product", "later", null, null, null, null, "fax",
            null, null)));

        assertThat(codesAndFields(errors)).contains("FIELD_REQUIRED@clientReference", "PRODUCT_UNKNOWN@productType", "FIELD_INVALID@handle",
            "FIELD_REQUIRED@domain", "FIELD_REQUIRED@csr", "FIELD_INVALID@dcvMethod", "FIELD_REQUIRED@contacts.admin");
        assertThat(errors).allSatisfy(e -> assertThat(e.detail()).isNotBlank());
    }

    @Test
    void theProductDecidesPeriodsNamesAndWildcards() {
        assertThat(codesAndFields(errors(() -> validator.validate(doc("P-1", "dv_single", null, 3, "a.example.com", null,
            TestCsrs.ec("a.example.com"), null, null, contacts("admin@example.com")))))).containsExactly("PERIOD_NOT_ALLOWED@period");

        assertThat(codesAndFields(errors(() -> validator.validate(doc("P-2", "dv_multi", null, null, "a.example.com",
            List.of("b.example.com", "c.example.com", "d.example.com"),
            TestCsrs.ec("a.example.com", "b.example.com", "c.example.com", "d.example.com"), "dns", null, contacts("admin@example.com"))))))
            .containsExactly("TOO_MANY_DOMAINS@additionalDomains");
        // the domain repeated among the additional names, in another case, is one name
        ValidatedOrder three = validator.validate(doc("P-3", "dv_multi", null, null, "a.example.com",
            List.of("A.example.com", "b.example.com", "c.example.com"), TestCsrs.ec("a.example.com", "b.example.com", "c.example.com"), "dns",
            null, contacts("admin@example.com")));
        assertThat(three.additionalDomains()).containsExactly("b.example.com", "c.example.com");

        assertThat(codesAndFields(errors(() -> validator.validate(doc("P-4", "dv_single", null, null, "*.example.com", null,
            TestCsrs.ec("*.example.com"), "dns", null, contacts("admin@example.com")))))).containsExactly("WILDCARD_NOT_ALLOWED@domain");
        assertThat(codesAndFields(errors(() -> validator.validate(doc("P-5", "dv_wild", null, null, "*.example.com", null,
            TestCsrs.ec("*.example.com"), "http", null, contacts("admin@example.com")))))).containsExactly("DCV_METHOD_NOT_ALLOWED@dcvMethod");
        assertThat(validator.validate(doc("P-6", "dv_wild", null, null, "*.example.com", null, TestCsrs.ec("*.example.com"), "dns", null,
            contacts("admin@example.com"))).domain()).isEqualTo("*.example.com");
    }

    @Test
    void theCsrMustNameEveryOrderedName() {
        assertThat(codesAndFields(errors(() -> validator.validate(doc("C-1", "dv_multi", null, null, "a.example.com", List.of("b.example.com"),
            TestCsrs.ec("a.example.com"), "dns", null, contacts("admin@example.com")))))).containsExactly("CSR_NAME_MISSING@csr");
        assertThat(codesAndFields(errors(() -> validator.validate(doc("C-2", "dv_single", null, null, "a.example.com", null,
            "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgQ1NS\n-----END CERTIFICATE REQUEST-----\n", "dns", null,
            contacts("admin@example.com")))))).containsExactly("CSR_UNPARSEABLE@csr");
    }

    @Test
    void anApproverTheRuleRefusesIsNamedWithTheAllowedOnes() {
        when(approvers.allowed(eq("owner@elsewhere.org"), anyList(), eq("dv_single"))).thenReturn(false);
        when(approvers.allowedList(List.of("a.example.com"), "dv_single")).thenReturn(List.of("admin@a.example.com", "hostmaster@a.example.com"));

        List<FieldError> errors = errors(() -> validator.validate(doc("A-1", "dv_single", null, null, "a.example.com", null,
            TestCsrs.ec("a.example.com"), "email", "Owner@Elsewhere.org", contacts("admin@example.com"))));

        assertThat(codesAndFields(errors)).containsExactly("APPROVER_NOT_ALLOWED@approverEmail");
        assertThat(errors.get(0).detail()).contains("owner@elsewhere.org", "admin@a.example.com", "hostmaster@a.example.com", "BR 3.2.2.4.4");
        // DNS validation needs no approver: the same address is not checked
        assertThat(validator.validate(doc("A-2", "dv_single", null, null, "a.example.com", null, TestCsrs.ec("a.example.com"), "dns",
            "owner@elsewhere.org", contacts("admin@example.com"))).dcvMethod()).isEqualTo("dns");
    }

    @Test
    void anOrganizationValidatedProductNeedsTheOrganization() {
        List<FieldError> missing = errors(() -> validator.validate(doc("O-1", "ov_single", null, null, "a.example.com", null,
            TestCsrs.ec("a.example.com"), "dns", null, contacts("admin@example.com"))));
        assertThat(codesAndFields(missing)).containsExactly("FIELD_REQUIRED@contacts.organization");

        OrderDocument.Contact org = new OrderDocument.Contact(null, null, "Example Ltd", null, "1 Main St", null, null, "Springfield", null, null,
            "USA", null, null, null);
        List<FieldError> partial = errors(() -> validator.validate(doc("O-2", "ov_single", null, null, "a.example.com", null,
            TestCsrs.ec("a.example.com"), "dns", null, new OrderDocument.Contacts(admin("admin@example.com"), null, null, org, null))));
        assertThat(codesAndFields(partial)).containsExactlyInAnyOrder("FIELD_REQUIRED@contacts.organization.phone",
            "FIELD_INVALID@contacts.organization.country");
    }
}
