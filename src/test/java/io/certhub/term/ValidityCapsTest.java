package io.certhub.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The cap rule and the renewal point of issue 13 §2 ({@link ValidityCaps}) with the default caps of
 * CA/Browser Forum ballot SC-081v3 and with a product's own list.
 */
class ValidityCapsTest {

    static final ValidityCaps BR = new ValidityCaps(new LifecycleProperties());

    static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void theCapInForceOnTheIssueDateOnBothSidesOf2027And2029() {
        assertThat(BR.maxDays("quickssl_premium", at("2026-03-14T23:59:59Z"))).isEqualTo(OptionalInt.empty());
        assertThat(BR.maxDays("quickssl_premium", at("2026-03-15T00:00:00Z"))).hasValue(200);
        assertThat(BR.maxDays("quickssl_premium", at("2027-03-14T23:59:59Z"))).hasValue(200);
        assertThat(BR.maxDays("quickssl_premium", at("2027-03-15T00:00:00Z"))).hasValue(100);
        assertThat(BR.maxDays(null, at("2029-03-14T23:59:59Z"))).hasValue(100);
        assertThat(BR.maxDays(null, at("2029-03-15T00:00:00Z"))).hasValue(47);
        assertThat(BR.maxDays(null, at("2035-01-01T00:00:00Z"))).hasValue(47);
    }

    @Test
    void validityIsTheCapOrTheRemainingTermWhicheverIsShorter() {
        Instant termEnd = at("2028-12-06T08:00:00Z");
        assertThat(BR.validity("rapidssl", at("2027-03-14T12:00:00Z"), termEnd)).isEqualTo(Duration.ofDays(200));
        assertThat(BR.validity("rapidssl", at("2027-03-15T12:00:00Z"), termEnd)).isEqualTo(Duration.ofDays(100));
        assertThat(BR.validity("rapidssl", at("2028-09-27T08:00:00Z"), termEnd)).isEqualTo(Duration.ofDays(70));
        assertThat(BR.validity("rapidssl", termEnd, termEnd)).isEqualTo(Duration.ZERO);
        // 2029: 47 days; a day before the change still 100
        Instant longTerm = at("2031-01-01T00:00:00Z");
        assertThat(BR.validity("rapidssl", at("2029-03-14T10:00:00Z"), longTerm)).isEqualTo(Duration.ofDays(100));
        assertThat(BR.validity("rapidssl", at("2029-03-15T10:00:00Z"), longTerm)).isEqualTo(Duration.ofDays(47));
    }

    @Test
    void aProductsOwnListReplacesTheGeneralOne() {
        LifecycleProperties p = new LifecycleProperties();
        p.setProductCaps(Map.of("quickssl_premium", List.of(new LifecycleProperties.Cap(LocalDate.of(2026, 2, 24), 199))));
        ValidityCaps caps = new ValidityCaps(p);
        assertThat(caps.maxDays("quickssl_premium", at("2026-02-23T12:00:00Z"))).isEmpty();
        assertThat(caps.maxDays("quickssl_premium", at("2026-02-24T00:00:00Z"))).hasValue(199);
        assertThat(caps.maxDays("quickssl_premium", at("2029-06-01T00:00:00Z"))).hasValue(199);
        assertThat(caps.maxDays("rapidssl", at("2029-06-01T00:00:00Z"))).hasValue(47);
    }

    @Test
    void theRenewalPointIsThirtyDaysBeforeTheEndButNeverBeforeHalfTheLife() {
        Instant nb = at("2026-12-07T08:00:00Z");
        assertThat(BR.renewalPoint(nb, nb.plus(Duration.ofDays(200)))).isEqualTo(at("2027-05-26T08:00:00Z"));     // 170 days
        assertThat(BR.renewalPoint(nb, nb.plus(Duration.ofDays(100)))).isEqualTo(nb.plus(Duration.ofDays(70)));
        assertThat(BR.renewalPoint(nb, nb.plus(Duration.ofDays(60)))).isEqualTo(nb.plus(Duration.ofDays(30)));    // both rules agree
        // a 47-day certificate: 17 days would be before half its life (23.5 days)
        assertThat(BR.renewalPoint(nb, nb.plus(Duration.ofDays(47)))).isEqualTo(nb.plus(Duration.ofHours(47 * 12)));
        LifecycleProperties p = new LifecycleProperties();
        p.setRenewalDaysBefore(7);
        assertThat(new ValidityCaps(p).renewalPoint(nb, nb.plus(Duration.ofDays(47)))).isEqualTo(nb.plus(Duration.ofDays(40)));
    }

    @Test
    void aTermIs365DaysAYearLeapYearsIncluded() {
        assertThat(ValidityCaps.termEnd(at("2026-12-07T08:00:00Z"), 2)).isEqualTo(at("2028-12-06T08:00:00Z"));
        assertThat(ValidityCaps.termEnd(at("2027-01-10T00:00:00Z"), 1)).isEqualTo(at("2028-01-10T00:00:00Z"));
        assertThat(ValidityCaps.termEnd(at("2028-01-10T00:00:00Z"), 1)).isEqualTo(at("2029-01-09T00:00:00Z"));
    }

    @Test
    void aTwoYearTermFrom20261207IsNineCertificates() {
        Instant t0 = at("2026-12-07T08:00:00Z");
        List<ValidityCaps.Window> plan = BR.plan("quickssl_premium", t0, ValidityCaps.termEnd(t0, 2));
        assertThat(plan).extracting(w -> w.notBefore().atZone(ZoneOffset.UTC).toLocalDate().toString()).containsExactly(
            "2026-12-07", "2027-05-26", "2027-08-04", "2027-10-13", "2027-12-22", "2028-03-01", "2028-05-10", "2028-07-19", "2028-09-27");
        assertThat(plan).extracting(w -> Duration.between(w.notBefore(), w.notAfter()).toDays())
            .containsExactly(200L, 100L, 100L, 100L, 100L, 100L, 100L, 100L, 70L);
        assertThat(plan.get(8).notAfter()).isEqualTo(at("2028-12-06T08:00:00Z"));
        assertThat(BR.plannedTotal("quickssl_premium", plan.get(0), 1, ValidityCaps.termEnd(t0, 2))).isEqualTo(9);
        assertThat(BR.plannedTotal("quickssl_premium", plan.get(8), 9, ValidityCaps.termEnd(t0, 2))).isEqualTo(9);
    }

    @Test
    void aConstant200DayCapMakesFiveCertificatesOfTwoYearsAndTwoOfOne() {
        LifecycleProperties p = new LifecycleProperties();
        p.setValidityCaps(List.of(new LifecycleProperties.Cap(LocalDate.of(2026, 3, 15), 200)));
        ValidityCaps caps = new ValidityCaps(p);
        Instant t0 = at("2026-12-07T08:00:00Z");
        assertThat(caps.plan("x", t0, ValidityCaps.termEnd(t0, 2))).extracting(w -> Duration.between(w.notBefore(), w.notAfter()).toDays())
            .containsExactly(200L, 200L, 200L, 200L, 50L);
        // OpenSRS's 1-year purchase: 199 days, then the rest (here with the 30-day overlap: 200 + 195)
        assertThat(caps.plan("x", t0, ValidityCaps.termEnd(t0, 1))).extracting(w -> Duration.between(w.notBefore(), w.notAfter()).toDays())
            .containsExactly(200L, 195L);
    }

    @Test
    void dcvReuseFollowsTheIssueDateAndTheChainShowsTheLastValidation() {
        assertThat(BR.dcvReuseDays(at("2026-03-14T23:59:59Z"))).isEqualTo(OptionalInt.empty());
        assertThat(BR.dcvReuseDays(at("2026-12-07T00:00:00Z"))).hasValue(200);
        assertThat(BR.dcvReuseDays(at("2027-03-15T00:00:00Z"))).hasValue(100);
        assertThat(BR.dcvReuseDays(at("2029-03-15T00:00:00Z"))).hasValue(10);

        // validated 2026-12-07: a certificate issued 2027-05-26 (the first reissue of a 200-day certificate) is past the
        // 100 days then in force, so it needs a fresh validation; one issued 2027-03-14 (200 days then) does not
        Instant dcv = at("2026-12-07T08:00:00Z");
        assertThat(BR.needsFreshDcv(dcv, at("2027-03-14T08:00:00Z"))).isFalse();
        assertThat(BR.needsFreshDcv(dcv, at("2027-03-16T08:00:00Z"))).isFalse();       // 99 days later, within the 100 in force from 03-15
        assertThat(BR.needsFreshDcv(dcv, at("2027-03-18T08:00:00Z"))).isTrue();        // 101 days later
        assertThat(BR.needsFreshDcv(dcv, at("2027-05-26T08:00:00Z"))).isTrue();

        // the BR 2-year chain from 2026-12-07 (see the class comment): 200 days, then 100-day certificates every 70 days
        List<ValidityCaps.Window> plan = BR.plan(null, dcv, ValidityCaps.termEnd(dcv, 2));
        List<Instant> issues = plan.stream().map(ValidityCaps.Window::notBefore).toList();
        assertThat(BR.lastDcv(issues.subList(0, 1))).isEqualTo(dcv);
        assertThat(BR.lastDcv(issues.subList(0, 2))).isEqualTo(issues.get(1));          // 2027-05-26: fresh validation
        assertThat(BR.lastDcv(issues.subList(0, 3))).isEqualTo(issues.get(1));          // 70 days later: reused (100 days)
        assertThat(BR.lastDcv(issues.subList(0, 4))).isEqualTo(issues.get(3));          // 140 days after the last one: fresh
        // from 2029-03-15 every reissue (70 days on) is past the 10-day reuse
        assertThat(BR.needsFreshDcv(at("2029-03-20T00:00:00Z"), at("2029-05-29T00:00:00Z"))).isTrue();
    }
}
