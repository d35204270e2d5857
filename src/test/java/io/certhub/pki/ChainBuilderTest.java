package io.certhub.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChainBuilderTest {

    static TestPki.Pki pki;

    @BeforeAll
    static void setUp() {
        pki = TestPki.create("shop.example.com");
    }

    @Test
    void ordersLeafIntermediateRootGivenInOrder() {
        Chain chain = ChainBuilder.build(List.of(pki.leaf(), pki.intermediate(), pki.root()));

        assertThat(chain.leaf()).isEqualTo(pki.leaf());
        assertThat(chain.intermediates()).containsExactly(pki.intermediate());
        assertThat(chain.root()).isEqualTo(pki.root());
        assertThat(chain.leafAndIntermediates()).containsExactly(pki.leaf(), pki.intermediate());
    }

    @Test
    void ordersAChainGivenInReverseOrderWithDuplicates() {
        Chain chain = ChainBuilder.build(List.of(pki.root(), pki.intermediate(), pki.root(), pki.leaf(), pki.leaf()));

        assertThat(chain.leaf()).isEqualTo(pki.leaf());
        assertThat(chain.intermediates()).containsExactly(pki.intermediate());
        assertThat(chain.root()).isEqualTo(pki.root());
    }

    @Test
    void rootIsNullWhenNotIncluded() {
        Chain chain = ChainBuilder.build(List.of(pki.intermediate(), pki.leaf()));

        assertThat(chain.intermediates()).containsExactly(pki.intermediate());
        assertThat(chain.root()).isNull();
    }

    @Test
    void leafAloneGivesNoIntermediates() {
        Chain chain = ChainBuilder.build(List.of(pki.leaf()));

        assertThat(chain.leaf()).isEqualTo(pki.leaf());
        assertThat(chain.intermediates()).isEmpty();
        assertThat(chain.root()).isNull();
    }

    @Test
    void ordersTwoLevelsOfIntermediatesWhateverTheInputOrder() {
        KeyPair policyKey = TestPki.ecKey();
        X509Certificate policyCa = TestPki.ca("CN=Policy CA", policyKey.getPublic(), pki.root(),
                pki.rootKey().getPrivate(), 1);
        KeyPair issuingKey = TestPki.ecKey();
        X509Certificate issuingCa = TestPki.ca("CN=Issuing CA", issuingKey.getPublic(), policyCa,
                policyKey.getPrivate(), 0);
        X509Certificate leaf = TestPki.leaf(TestPki.ecKey().getPublic(), issuingCa, issuingKey.getPrivate(),
                TestPki.LEAF_FROM, TestPki.LEAF_UNTIL, "deep.example.com");

        for (List<X509Certificate> input : List.of(List.of(policyCa, pki.root(), leaf, issuingCa),
                List.of(issuingCa, policyCa, leaf), List.of(pki.root(), policyCa, issuingCa, leaf))) {
            Chain chain = ChainBuilder.build(input);
            assertThat(chain.leaf()).isEqualTo(leaf);
            assertThat(chain.intermediates()).containsExactly(issuingCa, policyCa);
        }
    }

    @Test
    void usesKeyIdentifiersToTellApartCasWithTheSameName() {
        // an older issuing CA with the same subject DN but another key (a key rollover)
        KeyPair oldKey = TestPki.ecKey();
        X509Certificate oldIssuing = TestPki.ca(TestPki.INTERMEDIATE_DN, oldKey.getPublic(), pki.root(),
                pki.rootKey().getPrivate(), 0);

        Chain chain = ChainBuilder.build(List.of(oldIssuing, pki.leaf(), pki.intermediate()));

        assertThat(chain.intermediates()).containsExactly(pki.intermediate());
        assertThat(ChainBuilder.issued(oldIssuing, pki.leaf())).isFalse();
        assertThat(ChainBuilder.issued(pki.intermediate(), pki.leaf())).isTrue();
    }

    @Test
    void ignoresUnrelatedCaCertificates() {
        TestPki.Pki other = TestPki.createWithCaNames("C=US, CN=Other Root", "C=US, CN=Other CA", "other.example.org");

        Chain chain = ChainBuilder.build(List.of(other.intermediate(), pki.leaf(), other.root(), pki.intermediate()));

        assertThat(chain.leaf()).isEqualTo(pki.leaf());
        assertThat(chain.intermediates()).containsExactly(pki.intermediate());
        assertThat(chain.root()).isNull();
    }

    @Test
    void onlyCaCertificatesIsLeafMissing() {
        assertThatThrownBy(() -> ChainBuilder.build(List.of(pki.intermediate(), pki.root())))
                .isInstanceOf(PkiException.class)
                .satisfies(e -> assertThat(((PkiException) e).code()).isEqualTo("LEAF_MISSING"))
                .hasMessageContaining("CN=Certhub Test Issuing CA");
        assertThatThrownBy(() -> ChainBuilder.build(List.of()))
                .isInstanceOf(PkiException.class)
                .satisfies(e -> assertThat(((PkiException) e).code()).isEqualTo("LEAF_MISSING"));
    }

    @Test
    void twoLeavesIsAmbiguous() {
        X509Certificate second = pki.issueLeaf(TestPki.ecKey(), TestPki.LEAF_FROM, TestPki.LEAF_UNTIL,
                "mail.example.com");

        assertThatThrownBy(() -> ChainBuilder.build(List.of(pki.leaf(), pki.intermediate(), second)))
                .isInstanceOf(PkiException.class)
                .satisfies(e -> assertThat(((PkiException) e).code()).isEqualTo("AMBIGUOUS_LEAF"))
                .hasMessageContaining("CN=shop.example.com")
                .hasMessageContaining("CN=mail.example.com");
    }

    @Test
    void recognisesSelfSignedAndCa() {
        assertThat(ChainBuilder.isSelfSigned(pki.root())).isTrue();
        assertThat(ChainBuilder.isSelfSigned(pki.intermediate())).isFalse();
        assertThat(ChainBuilder.isCa(pki.intermediate())).isTrue();
        assertThat(ChainBuilder.isCa(pki.leaf())).isFalse();
    }
}
