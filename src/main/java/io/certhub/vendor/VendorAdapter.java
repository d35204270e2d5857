package io.certhub.vendor;

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
