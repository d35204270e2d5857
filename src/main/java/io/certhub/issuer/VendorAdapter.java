package io.certhub.issuer;

import io.certhub.order.Order;
import java.util.List;

/**
 * The one interface every SSL vendor/CA implements (the shape of Netflix Lemur's issuer
 * plugin). The core never names a vendor: {@code hub.vendor.name} picks the adapter whose
 * {@link #name()} matches. Every method either returns the vendor's answer or throws a
 * {@link VendorException} saying what the failure means (refused, transient, ambiguous,
 * authentication).
 *
 * <p>Placing never creates two vendor orders for one hub order: {@link #place} only saves the
 * order at the vendor and returns its id, which the hub records before {@link #submit} sends
 * it for processing; an ambiguous submit is resolved with {@link #info} before it is repeated.
 */
public interface VendorAdapter {

    /**
     * The vendor's view of an order.
     *
     * @param vendorOrderId the vendor's order id
     * @param state         the vendor's state string, unchanged (e.g. {@code awaiting-approval})
     * @param productId     the issued product's id once completed, else null
     * @param dcv           DCV details the vendor gave (method, token, what to publish), or null
     */
    record VendorOrder(String vendorOrderId, String state, String productId, Dcv dcv) { }

    /**
     * What the domain owner must do for DCV.
     *
     * @param method        email, dns or http
     * @param approverEmail approver address (email), or null
     * @param dnsName       record name to publish (dns), or null
     * @param dnsType       record type, e.g. TXT or CNAME (dns), or null
     * @param dnsValue      record value (dns), or null
     * @param httpUrl       URL the file must be served at (http), or null
     * @param httpContent   file content (http), or null
     */
    record Dcv(String method, String approverEmail, String dnsName, String dnsType, String dnsValue, String httpUrl, String httpContent) { }

    /**
     * An issued certificate as the vendor returns it.
     *
     * @param leafPem    the leaf certificate, PEM
     * @param caPems     CA certificates (intermediates, maybe the root), PEM each, any order
     */
    record IssuedCertificate(String leafPem, List<String> caPems) { }

    /**
     * A DCV approver address the vendor accepts.
     *
     * @param domain domain it approves for
     * @param email  address
     * @param type   vendor's type label
     */
    record Approver(String domain, String email, String type) { }

    /**
     * Actions on an issued certificate that not every vendor offers through its API (issue 13 §5).
     * The hub asks {@link #supports} before it writes anything, so a request the configured vendor
     * cannot carry out changes nothing and is answered {@code VENDOR_UNSUPPORTED}.
     */
    enum LifecycleAction {
        /** {@link #reissue}: a new certificate for the same order and names, e.g. with a new key. */
        REISSUE,
        /** {@link #revoke}: one of the order's certificates revoked with an RFC 5280 reason. */
        REVOKE
    }

    /**
     * A revocation reason the subscriber may request: the RFC 5280 §5.3.1 CRLReason names that the
     * CA/Browser Forum Baseline Requirements §4.9.1.1 and §7.2.2 leave to the subscriber. The other
     * CRLReasons ({@code cACompromise}, {@code certificateHold}, {@code removeFromCRL},
     * {@code privilegeWithdrawn}, {@code aACompromise}) are the CA's own and never requested.
     */
    enum RevocationReason {
        /** CRLReason 0: no reason given (BR 7.2.2: the CRL entry then carries no reasonCode). */
        UNSPECIFIED("unspecified", 0),
        /** CRLReason 1: the private key is (or may be) compromised. */
        KEY_COMPROMISE("keyCompromise", 1),
        /** CRLReason 3: the subject's name or other information changed. */
        AFFILIATION_CHANGED("affiliationChanged", 3),
        /** CRLReason 4: the certificate was replaced by another one. */
        SUPERSEDED("superseded", 4),
        /** CRLReason 5: the names are no longer used (the site is gone). */
        CESSATION_OF_OPERATION("cessationOfOperation", 5);

        private final String rfcName;
        private final int code;

        RevocationReason(String rfcName, int code) {
            this.rfcName = rfcName;
            this.code = code;
        }

        /** @return the RFC 5280 name, e.g. {@code keyCompromise} (what the API takes and the vendor is sent) */
        public String rfcName() {
            return rfcName;
        }

        /** @return the CRLReason code of RFC 5280 §5.3.1 */
        public int code() {
            return code;
        }

        /**
         * @param name an RFC 5280 name, exact (case-sensitive, as the RFC spells it)
         * @return the reason, or empty when it is not one a subscriber may request
         */
        public static java.util.Optional<RevocationReason> of(String name) {
            return java.util.Arrays.stream(values()).filter(r -> r.rfcName.equals(name)).findFirst();
        }

        /** @return every name a subscriber may request, in code order */
        public static List<String> names() {
            return java.util.Arrays.stream(values()).map(RevocationReason::rfcName).toList();
        }
    }

    /**
     * @param action a lifecycle action
     * @return whether this adapter, as configured, can carry it out at its vendor (default: no)
     */
    default boolean supports(LifecycleAction action) {
        return false;
    }

    /**
     * Asks the vendor to reissue a completed order's certificate for a new CSR (same product, same
     * names; within the paid term, free of charge). The vendor issues it and emails it like the
     * first certificate; the hub stores it from its mailbox ({@code OrderCompletion}). OpenSRS
     * offers reissue only in its CA portal (shared/reference/opensrs-trust-api.md, "Reissue is not
     * offered through this API at OpenSRS"); the OpenSRS adapter sends the XCP action
     * {@code reissue_cert} (a sandbox extension of the protocol) only when
     * {@code hub.vendor.opensrs.lifecycle-actions} is true.
     *
     * @param vendorOrderId the vendor's order id
     * @param csrPem        the new CSR (canonical PEM), already checked by the hub
     * @param reason        why, as the reseller gave it (may be null; informational)
     * @return the vendor's order state after the call (e.g. {@code completed})
     * @throws VendorException REFUSED (kind and code of the vendor's refusal; code {@code UNSUPPORTED}
     *                         when the adapter does not {@link #supports support} it), NOT_FOUND,
     *                         TRANSIENT, AMBIGUOUS (the vendor may have reissued) or AUTH_FAILED
     */
    default String reissue(String vendorOrderId, String csrPem, String reason) {
        throw unsupported(LifecycleAction.REISSUE);
    }

    /**
     * Asks the vendor to revoke one certificate of a completed order. OpenSRS offers revocation
     * only in its CA portal; the OpenSRS adapter sends the XCP action {@code revoke_cert} (a sandbox
     * extension of the protocol) only when {@code hub.vendor.opensrs.lifecycle-actions} is true.
     * Revoking a certificate the vendor already revoked succeeds (a retried request after a lost
     * reply must not fail).
     *
     * @param vendorOrderId the vendor's order id
     * @param serialHex     the certificate's serial, lower-case hex as {@code openssl x509 -serial} prints it
     * @param reason        the RFC 5280 reason
     * @return the vendor's state of the certificate after the call ({@code revoked})
     * @throws VendorException REFUSED ({@code UNSUPPORTED} as for {@link #reissue}), NOT_FOUND,
     *                         TRANSIENT, AMBIGUOUS or AUTH_FAILED
     */
    default String revoke(String vendorOrderId, String serialHex, RevocationReason reason) {
        throw unsupported(LifecycleAction.REVOKE);
    }

    /**
     * @param action the action this adapter cannot carry out
     * @return the refusal {@link #reissue} and {@link #revoke} throw by default (code {@code UNSUPPORTED})
     */
    default VendorException unsupported(LifecycleAction action) {
        return new VendorException(VendorException.Kind.REFUSED, "UNSUPPORTED", "vendor " + name() + " does not offer "
            + action.name().toLowerCase(java.util.Locale.ROOT) + " through its API as configured");
    }

    /** @return the name {@code hub.vendor.name} selects this adapter by, e.g. {@code opensrs} */
    String name();

    /**
     * Saves the order at the vendor without submitting it (OpenSRS {@code sw_register handle=save}).
     *
     * @param order the hub order (CSR, names, contacts, product, DCV method)
     * @return the vendor's order id
     * @throws VendorException on any failure
     */
    String place(Order order);

    /**
     * Saves the renewal of an earlier order at the vendor (OpenSRS {@code sw_register reg_type=renew
     * handle=save}), otherwise like {@link #place(Order)}. An adapter whose vendor makes no
     * difference places it as a new order (the default).
     *
     * @param order   the hub order (a renewal: {@code orders.renewal_of} is set)
     * @param renewal true for a renewal order
     * @return the vendor's order id
     * @throws VendorException on any failure
     */
    default String place(Order order, boolean renewal) {
        return place(order);
    }

    /**
     * Submits a saved (or declined) vendor order for processing (OpenSRS {@code process_pending}).
     *
     * @param order         the hub order
     * @param vendorOrderId the id returned by {@link #place}
     * @return the vendor state after submission (e.g. {@code awaiting-approval}, {@code completed})
     * @throws VendorException on any failure
     */
    String submit(Order order, String vendorOrderId);

    /**
     * @param vendorOrderId vendor order id
     * @return the vendor's view of the order (OpenSRS {@code get_order_info})
     * @throws VendorException NOT_FOUND when unknown, or another kind
     */
    VendorOrder info(String vendorOrderId);

    /**
     * Cancels an order that is not completed (OpenSRS {@code cancel_order}; a saved order is
     * cancelled with {@code process_pending command=cancel}).
     *
     * @param vendorOrderId vendor order id
     * @param saved         true when the order was only saved, never submitted
     * @return the vendor state after the call ({@code cancelled} when confirmed)
     * @throws VendorException on any failure
     */
    String cancel(String vendorOrderId, boolean saved);

    /**
     * @param domain      a domain
     * @param productType product code
     * @return the approver addresses the vendor allows (OpenSRS {@code query_approver_list})
     * @throws VendorException on any failure
     */
    List<Approver> approvers(String domain, String productType);

    /**
     * Re-sends the DV approval email (OpenSRS {@code resend_approve_email}).
     *
     * @param vendorOrderId vendor order id
     * @throws VendorException on any failure
     */
    void resendApproval(String vendorOrderId);

    /**
     * Changes the DCV method or approver of a submitted order (OpenSRS {@code update_dv_auth}).
     *
     * @param vendorOrderId vendor order id
     * @param method        email, dns or http
     * @param approverEmail new approver for email, or null
     * @throws VendorException on any failure
     */
    void changeDcv(String vendorOrderId, String method, String approverEmail);

    /**
     * Fetches the issued certificate of a completed order (OpenSRS {@code get_cert}).
     *
     * @param vendorOrder the vendor's view of the completed order (its {@code productId})
     * @return leaf and CA certificates
     * @throws VendorException on any failure
     */
    IssuedCertificate certificate(VendorOrder vendorOrder);
}
