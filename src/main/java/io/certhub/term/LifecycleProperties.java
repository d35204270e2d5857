package io.certhub.term;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.validation.annotation.Validated;

/**
 * {@code hub.lifecycle.*}: the validity caps of issued certificates and when a certificate of a
 * multi-year term is renewed (issue 13 §2). Checked at start-up (Jakarta Bean Validation): a cap
 * without a date or with {@code maxDays} outside 1..3650, two caps of one list on the same date, or
 * {@code renewal-days-before} outside 1..365 stops the hub with a message naming the property.
 *
 * <p>The default caps are the CA/Browser Forum Baseline Requirements' table of ballot
 * <b>SC-081v3</b> (BR §6.3.2, "Certificate operational periods"; {@code ../shared/reference/lifecycle-and-acme.md}):
 * a subscriber certificate issued on or after 2026-03-15 is valid at most 200 days, on or after
 * 2027-03-15 at most 100 days, on or after 2029-03-15 at most 47 days. Vendors cut earlier or
 * shorter (OpenSRS and DigiCert issue 199-day certificates since 2026-02-24), so the list can be
 * replaced as a whole ({@code hub.lifecycle.validity-caps}) and per product
 * ({@code hub.lifecycle.product-caps.<productType>}, an OpenSRS {@code product_type}; a product
 * with a list of its own uses only that list).
 *
 * <p>A cap applies from its {@code from} date (00:00 UTC of that day) until the next cap's date;
 * before the first date no cap applies (the certificate may span the whole remaining term).
 */
@Validated
@ConfigurationProperties("hub.lifecycle")
public class LifecycleProperties {

    /** The BR caps of ballot SC-081v3, the default of {@code hub.lifecycle.validity-caps}. */
    public static List<Cap> baselineRequirementsCaps() {
        return new ArrayList<>(List.of(new Cap(LocalDate.of(2026, 3, 15), 200), new Cap(LocalDate.of(2027, 3, 15), 100),
            new Cap(LocalDate.of(2029, 3, 15), 47)));
    }

    /**
     * The BR DCV data reuse periods of ballot SC-081v3 ({@code ../shared/reference/dcv-rules.md}), the
     * default of {@code hub.lifecycle.dcv-reuse}: validation data may be reused for a certificate
     * issued on or after 2026-03-15 for 200 days, from 2027-03-15 for 100 days, from 2029-03-15 for
     * 10 days (BR §4.2.1, §3.2.2.4). Reuses the {@link Cap} shape: {@code maxDays} is the reuse period.
     */
    public static List<Cap> baselineRequirementsDcvReuse() {
        return new ArrayList<>(List.of(new Cap(LocalDate.of(2026, 3, 15), 200), new Cap(LocalDate.of(2027, 3, 15), 100),
            new Cap(LocalDate.of(2029, 3, 15), 10)));
    }

    /**
     * How long domain validation data may be reused, by the issue date of the certificate that reuses
     * it; default {@link #baselineRequirementsDcvReuse()}. No limit before the first date.
     */
    @NotEmpty
    @Valid
    private List<Cap> dcvReuse = baselineRequirementsDcvReuse();

    /**
     * Days before a reissue that needs fresh domain validation at which the order gets the warning
     * {@code DCV_REVALIDATION_DUE} (issue 13 §2); default 14, 1..90.
     */
    @Min(1)
    @Max(90)
    private int dcvWarningDays = 14;

    /** Caps for every product without a list of its own; default {@link #baselineRequirementsCaps()}. */
    @NotEmpty
    @Valid
    private List<Cap> validityCaps = baselineRequirementsCaps();

    /** Per OpenSRS {@code product_type}: caps replacing {@link #validityCaps} for that product. */
    @Valid
    private Map<String, @NotEmpty List<@Valid Cap>> productCaps = new LinkedHashMap<>();

    /** Days before a certificate's notAfter at which its successor is due (its renewal point); default 30. */
    @Min(1)
    @Max(365)
    private int renewalDaysBefore = 30;

    /**
     * How long past a certificate's renewal point the hub waits for the vendor's reissue before it
     * records {@code REISSUE_OVERDUE} on the order; default 2 days.
     */
    @NotNull
    private Duration reissueGrace = Duration.ofDays(2);

    /**
     * How old a revocation asked of the vendor but not recorded must be before the route
     * {@code revocation-recovery} asks the vendor again and records the outcome
     * ({@link io.certhub.certificate.CertificateRevocation#confirmPending}); default 5 minutes. Keep it
     * above {@code hub.vendor.opensrs.read-timeout-ms} (30 s), so a request still waiting for the
     * vendor's answer is not followed up at the same time (both would be harmless: the vendor's
     * revoke is idempotent and the record is written once).
     */
    @NotNull
    private Duration revocationRecoveryAfter = Duration.ofMinutes(5);

    /**
     * Days before the end of an order's paid term at which the admin contact is reminded to renew
     * (issue 13 §3; Lemur's practice of several intervals, {@code ../shared/reference/lifecycle-and-acme.md});
     * default 30, 7, 1. Each 1..365.
     */
    @NotEmpty
    private List<@NotNull @Min(1) @Max(365) Integer> reminderDays = new ArrayList<>(List.of(30, 7, 1));

    /**
     * One cap: certificates issued on or after {@code from} (UTC) are valid at most {@code maxDays} days.
     */
    public static class Cap {
        /** First day (UTC) the cap applies, ISO 8601 ({@code 2027-03-15}). */
        @NotNull
        @DateTimeFormat(iso = DateTimeFormat.ISO.DATE)
        private LocalDate from;
        /** Longest validity in days (86,400 s each). */
        @Min(1)
        @Max(3650)
        private int maxDays;

        /** For the binder. */
        public Cap() { }

        /**
         * @param from    first day (UTC) the cap applies
         * @param maxDays longest validity in days
         */
        public Cap(LocalDate from, int maxDays) {
            this.from = from;
            this.maxDays = maxDays;
        }

        public LocalDate getFrom() { return from; }
        public void setFrom(LocalDate from) { this.from = from; }
        public int getMaxDays() { return maxDays; }
        public void setMaxDays(int maxDays) { this.maxDays = maxDays; }

        @Override
        public String toString() {
            return from + " → " + maxDays + " days";
        }
    }

    /** @return whether no list holds two caps on the same date (checked at start-up) */
    @AssertTrue(message = "two caps of one list (hub.lifecycle.validity-caps or hub.lifecycle.product-caps.<productType>) have the same 'from' date")
    public boolean isCapDatesDistinct() {
        List<List<Cap>> lists = new ArrayList<>();
        lists.add(validityCaps == null ? List.of() : validityCaps);
        lists.add(dcvReuse == null ? List.of() : dcvReuse);
        if (productCaps != null) {
            lists.addAll(productCaps.values());
        }
        for (List<Cap> caps : lists) {
            Set<LocalDate> seen = new HashSet<>();
            for (Cap c : caps == null ? List.<Cap>of() : caps) {
                if (c != null && c.getFrom() != null && !seen.add(c.getFrom())) {
                    return false;
                }
            }
        }
        return true;
    }

    public List<Cap> getValidityCaps() { return validityCaps; }
    public void setValidityCaps(List<Cap> validityCaps) { this.validityCaps = validityCaps; }
    public Map<String, List<Cap>> getProductCaps() { return productCaps; }
    public void setProductCaps(Map<String, List<Cap>> productCaps) { this.productCaps = productCaps; }
    public int getRenewalDaysBefore() { return renewalDaysBefore; }
    public void setRenewalDaysBefore(int renewalDaysBefore) { this.renewalDaysBefore = renewalDaysBefore; }
    public List<Integer> getReminderDays() { return reminderDays; }
    public void setReminderDays(List<Integer> reminderDays) { this.reminderDays = reminderDays; }
    public Duration getReissueGrace() { return reissueGrace; }
    public void setReissueGrace(Duration reissueGrace) { this.reissueGrace = reissueGrace; }
    public List<Cap> getDcvReuse() { return dcvReuse; }
    public void setDcvReuse(List<Cap> dcvReuse) { this.dcvReuse = dcvReuse; }
    public int getDcvWarningDays() { return dcvWarningDays; }
    public void setDcvWarningDays(int dcvWarningDays) { this.dcvWarningDays = dcvWarningDays; }
    public Duration getRevocationRecoveryAfter() { return revocationRecoveryAfter; }
    public void setRevocationRecoveryAfter(Duration revocationRecoveryAfter) { this.revocationRecoveryAfter = revocationRecoveryAfter; }
}
