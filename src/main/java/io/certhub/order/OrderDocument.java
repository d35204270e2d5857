package io.certhub.order;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The order document, the same for REST bodies, JSON files and CSV rows (CSV columns are the
 * dotted paths, e.g. {@code contacts.admin.email}; {@code additionalDomains} space-separated).
 * Field names follow the foundation issue; every field may be null here: {@link OrderValidator}
 * names what is missing.
 *
 * @param clientReference   the reseller's own reference, unique per account
 * @param productType       OpenSRS {@code product_type}
 * @param handle            {@code save} (PENDING) or {@code process} (default: submit at once)
 * @param period            years (default 1)
 * @param domain            the main name (CN), may be a wildcard for wildcard products
 * @param additionalDomains SANs besides the main domain
 * @param csr               PEM PKCS#10 request
 * @param serverType        apache, nginx, iis, tomcat or other (default other)
 * @param approverEmail     DCV approver for {@code dcvMethod=email}
 * @param dcvMethod         email (default), dns or http
 * @param contacts          admin (always), tech, billing, organization (OV/EV), signer
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrderDocument(String clientReference, String productType, String handle, Integer period, String domain,
                            List<String> additionalDomains, String csr, String serverType, String approverEmail,
                            String dcvMethod, Contacts contacts) {

    /**
     * The order's contacts (OpenSRS {@code contact_set}).
     *
     * @param admin        receives the issued certificate; always required
     * @param tech         technical contact
     * @param billing      billing contact
     * @param organization the certificate's organization; required for OV/EV
     * @param signer       EV signer (comodo_ev)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Contacts(Contact admin, Contact tech, Contact billing, Contact organization, Contact signer) { }

    /** One contact; field names are the camelCase of OpenSRS {@code contact_set} attributes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Contact(String firstName, String lastName, String orgName, String title, String address1,
                          String address2, String address3, String city, String state, String postalCode,
                          String country, String phone, String fax, String email) { }
}
