package io.certhub.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateCheckerTest {

    static TestPki.Pki pki;
    final CertificateChecker checker = new CertificateChecker();

    @BeforeAll
    static void setUp() {
        pki = TestPki.create("shop.example.com", "www.shop.example.com");
    }

    private CheckResult check(X509Certificate leaf, PublicKey csrKey, List<String> names) {
        return checker.check(ChainBuilder.build(List.of(leaf, pki.intermediate())), csrKey, names,
                List.of(pki.root()), TestPki.AT);
    }

    private X509Certificate leafFor(String... names) {
        return pki.issueLeaf(pki.leafKey(), TestPki.LEAF_FROM, TestPki.LEAF_UNTIL, names);
    }

    @Test
    void acceptsAGoodChain() {
        CheckResult r = checker.check(ChainBuilder.build(List.of(pki.root(), pki.intermediate(), pki.leaf())),
                pki.leafKey().getPublic(), List.of("shop.example.com"), List.of(pki.root()), TestPki.AT);

        assertThat(r).isEqualTo(CheckResult.ok());
        assertThat(r.accepted()).isTrue();
        assertThat(r.code()).isEqualTo("OK");
    }

    @Test
    void keyMismatchGivesBothFingerprints() {
        KeyPair other = TestPki.ecKey();

        CheckResult r = check(pki.leaf(), other.getPublic(), List.of("shop.example.com"));

        assertThat(r.accepted()).isFalse();
        assertThat(r.code()).isEqualTo("KEY_MISMATCH");
        assertThat(r.detail())
                .contains(Certificates.sha256Fingerprint(pki.leaf().getPublicKey()))
                .contains(Certificates.sha256Fingerprint(other.getPublic()));
    }

    @Test
    void namesNotCoveredListsTheMissingNames() {
        CheckResult r = check(pki.leaf(), pki.leafKey().getPublic(),
                List.of("shop.example.com", "api.example.com", "SHOP.example.com", "mail.example.com"));

        assertThat(r.code()).isEqualTo("NAMES_NOT_COVERED");
        assertThat(r.detail()).startsWith("names not covered: api.example.com, mail.example.com;")
                .contains("certificate names: shop.example.com, www.shop.example.com");
    }

    @Test
    void extraCertificateNamesAndCaseAreFine() {
        CheckResult r = check(pki.leaf(), pki.leafKey().getPublic(), List.of("WWW.Shop.Example.COM."));
        assertThat(r.code()).isEqualTo("OK");
    }

    @Test
    void wildcardCoversExactlyOneLabel() {
        X509Certificate wild = leafFor("*.example.com");
        PublicKey key = pki.leafKey().getPublic();

        assertThat(check(wild, key, List.of("a.example.com", "www.example.com")).code()).isEqualTo("OK");
        CheckResult deep = check(wild, key, List.of("a.b.example.com"));
        assertThat(deep.code()).isEqualTo("NAMES_NOT_COVERED");
        assertThat(deep.detail()).contains("a.b.example.com");
        assertThat(check(wild, key, List.of("example.com")).code()).isEqualTo("NAMES_NOT_COVERED");
        assertThat(check(wild, key, List.of("*.example.com")).code()).isEqualTo("OK");
    }

    @Test
    void orderedWildcardNeedsTheSameWildcard() {
        X509Certificate plain = leafFor("www.example.com", "example.com");
        CheckResult r = check(plain, pki.leafKey().getPublic(), List.of("*.example.com"));
        assertThat(r.code()).isEqualTo("NAMES_NOT_COVERED");
        assertThat(r.detail()).contains("*.example.com");

        X509Certificate otherWildcard = leafFor("*.shop.example.com");
        assertThat(check(otherWildcard, pki.leafKey().getPublic(), List.of("*.example.com")).code())
                .isEqualTo("NAMES_NOT_COVERED");
    }

    @Test
    void commonNameCountsOnlyWithoutSan() {
        X509Certificate cnOnly = TestPki.leaf(pki.leafKey().getPublic(), pki.intermediate(),
                pki.intermediateKey().getPrivate(), TestPki.LEAF_FROM, TestPki.LEAF_UNTIL,
                "O=Example, CN=Legacy.Example.com", false);
        assertThat(CertificateChecker.dnsNames(cnOnly)).containsExactly("legacy.example.com");
        assertThat(check(cnOnly, pki.leafKey().getPublic(), List.of("legacy.example.com")).code()).isEqualTo("OK");

        // with a SAN, the CN is not a name
        X509Certificate sanOnlyOther = TestPki.leaf(pki.leafKey().getPublic(), pki.intermediate(),
                pki.intermediateKey().getPrivate(), TestPki.LEAF_FROM, TestPki.LEAF_UNTIL,
                "CN=cn.example.com", true, "san.example.com");
        assertThat(CertificateChecker.dnsNames(sanOnlyOther)).containsExactly("san.example.com");
        assertThat(check(sanOnlyOther, pki.leafKey().getPublic(), List.of("cn.example.com")).code())
                .isEqualTo("NAMES_NOT_COVERED");
    }

    @Test
    void expiredOrNotYetValidAtTime() {
        CheckResult expired = checker.check(ChainBuilder.build(List.of(pki.leaf(), pki.intermediate())),
                pki.leafKey().getPublic(), List.of("shop.example.com"), List.of(pki.root()),
                Instant.parse("2026-12-01T00:00:01Z"));
        assertThat(expired.code()).isEqualTo("NOT_VALID_AT_TIME");
        assertThat(expired.detail()).contains("expired").contains("2026-12-01T00:00:00Z").contains("2026-06-01T00:00:00Z");

        CheckResult early = checker.check(ChainBuilder.build(List.of(pki.leaf(), pki.intermediate())),
                pki.leafKey().getPublic(), List.of("shop.example.com"), List.of(pki.root()),
                Instant.parse("2026-05-31T23:59:59Z"));
        assertThat(early.code()).isEqualTo("NOT_VALID_AT_TIME");
        assertThat(early.detail()).contains("not yet valid");

        CheckResult lastSecond = checker.check(ChainBuilder.build(List.of(pki.leaf(), pki.intermediate())),
                pki.leafKey().getPublic(), List.of("shop.example.com"), List.of(pki.root()),
                Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(lastSecond.code()).isEqualTo("OK");
    }

    @Test
    void forgedChainWithTheSameNamesIsUntrusted() {
        TestPki.Pki forged = TestPki.createWithCaNames(TestPki.ROOT_DN, TestPki.INTERMEDIATE_DN, "shop.example.com");
        assertThat(forged.root().getSubjectX500Principal()).isEqualTo(pki.root().getSubjectX500Principal());

        CheckResult r = checker.check(ChainBuilder.build(List.of(forged.leaf(), forged.intermediate(), forged.root())),
                forged.leafKey().getPublic(), List.of("shop.example.com"), List.of(pki.root()), TestPki.AT);

        assertThat(r.accepted()).isFalse();
        assertThat(r.code()).isEqualTo("CHAIN_UNTRUSTED");
        // the forged intermediate's AKI names the forged root's key: no trust anchor matches it
        assertThat(r.detail()).isEqualTo("path validation failed: Path does not chain with any of the trust anchors"
                + " (reason NO_TRUST_ANCHOR)");
    }

    @Test
    void leafSignedByAnImpostorOfTheRealIntermediateIsUntrusted() {
        // names and key identifiers copied from the real intermediate, signed with another key
        X509Certificate impostorLeaf = TestPki.leaf(pki.leafKey().getPublic(), pki.intermediate(),
                TestPki.ecKey().getPrivate(), TestPki.LEAF_FROM, TestPki.LEAF_UNTIL, "shop.example.com");
        Chain chain = ChainBuilder.build(List.of(impostorLeaf, pki.intermediate(), pki.root()));
        assertThat(chain.intermediates()).containsExactly(pki.intermediate());

        CheckResult r = checker.check(chain, pki.leafKey().getPublic(), List.of("shop.example.com"),
                List.of(pki.root()), TestPki.AT);

        assertThat(r.code()).isEqualTo("CHAIN_UNTRUSTED");
        assertThat(r.detail()).startsWith("path validation failed at CN=shop.example.com")
                .contains("signature check failed");
    }

    @Test
    void missingIntermediateIsUntrusted() {
        CheckResult r = checker.check(ChainBuilder.build(List.of(pki.leaf())), pki.leafKey().getPublic(),
                List.of("shop.example.com"), List.of(pki.root()), TestPki.AT);

        assertThat(r.code()).isEqualTo("CHAIN_UNTRUSTED");
        assertThat(r.detail()).contains("path validation failed");
    }

    @Test
    void noTrustedRootsIsUntrusted() {
        CheckResult r = checker.check(ChainBuilder.build(List.of(pki.leaf(), pki.intermediate())),
                pki.leafKey().getPublic(), List.of("shop.example.com"), List.of(), TestPki.AT);
        assertThat(r.code()).isEqualTo("CHAIN_UNTRUSTED");
        assertThat(r.detail()).isEqualTo("no trusted roots configured");
    }

    @Test
    void aTrustedIntermediateAnchorsThePath() {
        CheckResult r = checker.check(ChainBuilder.build(List.of(pki.leaf(), pki.intermediate())),
                pki.leafKey().getPublic(), List.of("shop.example.com"), List.of(pki.intermediate()), TestPki.AT);
        assertThat(r.code()).isEqualTo("OK");
    }

    @Test
    void keyIsCheckedBeforeNamesAndTime() {
        CheckResult r = checker.check(ChainBuilder.build(List.of(pki.leaf())), TestPki.ecKey().getPublic(),
                List.of("nothing.example.net"), List.of(), Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(r.code()).isEqualTo("KEY_MISMATCH");
    }
}
