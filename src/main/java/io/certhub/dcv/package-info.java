/**
 * Domain control validation (DCV): who may approve an email-validated (DV) certificate order.
 *
 * <p>{@link io.certhub.dcv.ApproverDiscovery} answers {@code GET /api/v1/approvers} and the
 * order-time rule "the approver email must be a usable candidate for every ordered domain". It
 * merges three sources, in this order:
 * <ol>
 *   <li>{@link io.certhub.dcv.ConstructedApprovers}: the constructed addresses of CA/B Forum
 *       Baseline Requirements (BR) 3.2.2.4.4 ({@code admin@}, {@code administrator@},
 *       {@code webmaster@}, {@code hostmaster@}, {@code postmaster@}) on the name and its parents
 *       down to the registrable domain, usable until 2028-03-15 (ballot SC-090);</li>
 *   <li>the domain owner's contacts from public registration data: {@link io.certhub.dcv.RdapClient}
 *       (RDAP, RFC 9082/9083, servers found through the RFC 9224 bootstrap file) first,
 *       {@link io.certhub.dcv.WhoisClient} (WHOIS, RFC 3912, starting at whois.iana.org and
 *       following referrals) as fallback; never usable as approvers since 2025-07-15
 *       (BR 3.2.2.4.2, ballot SC-080), shown so the reseller sees who owns the domain;</li>
 *   <li>the vendor's own list, through an optional {@link io.certhub.dcv.VendorApproverSource}.</li>
 * </ol>
 *
 * <p>Rules summarised in {@code shared/reference/dcv-rules.md}; configuration in
 * {@link io.certhub.dcv.DcvProperties} ({@code hub.dcv.*}).
 */
package io.certhub.dcv;
