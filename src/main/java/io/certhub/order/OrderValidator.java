package io.certhub.order;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.certhub.csr.CsrException;
import io.certhub.csr.CsrParser;
import io.certhub.csr.ParsedCsr;
import io.certhub.names.DomainNames;
import io.certhub.problem.HubProblem;
import io.certhub.problem.HubProblem.FieldError;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * Checks an {@link OrderDocument} against the catalog and the certificate rules and returns it
 * in normalised form. Every violation is collected; a document with any is refused whole with a
 * 422 {@link HubProblem} listing them ({@code errors[]}), each naming the dotted field and the rule.
 *
 * <p>Rules (foundation issue; shared/reference/dcv-rules.md): required fields
 * ({@code FIELD_REQUIRED}); a known {@code productType} ({@code PRODUCT_UNKNOWN}); {@code period}
 * among the product's ({@code PERIOD_NOT_ALLOWED}, a whole number: {@link OrderDocumentReader}); valid
 * DNS names ({@code DOMAIN_INVALID}; IDNs by UTS #46 non-transitional processing, and
 * {@code DOMAIN_MIXED_SCRIPT} for a mixed-script look-alike label, UTS #39); text fields the
 * vendor and database can take ({@link FieldRules}: {@code FIELD_INVALID_CHARACTERS},
 * {@code FIELD_TOO_LONG}; phone form {@code FIELD_INVALID}); email addresses with an A-label
 * domain ({@link io.certhub.dcv.EmailAddresses}, issue 11 §5);
 * wildcards only on wildcard products ({@code WILDCARD_NOT_ALLOWED}); at most the product's
 * {@code maxDomains} names ({@code TOO_MANY_DOMAINS}); a CSR that parses, verifies and has a
 * strong key ({@code CSR_UNPARSEABLE}, {@code CSR_SIGNATURE_INVALID}, {@code CSR_WEAK_KEY},
 * BR 6.1.5); every ordered name in the CSR's CN or SANs ({@code CSR_NAME_MISSING}); a CN among
 * the SANs when SANs exist ({@code CSR_CN_NOT_IN_SAN}); HTTP DCV never for a wildcard
 * ({@code DCV_METHOD_NOT_ALLOWED}, BR 3.2.2.4.18); for email DCV an approver (the given one, or
 * else the admin contact's address) that is a usable candidate for every ordered name
 * ({@code APPROVER_NOT_ALLOWED} listing the allowed ones); an admin contact always and an organization
 * contact for OV/EV. Names compare case-insensitively, without a trailing dot, IDNs as {@code xn--}.
 */
@Component
public class OrderValidator {

    /** Allowed {@code serverType} values (installation instructions exist for each). */
    public static final Set<String> SERVER_TYPES = Set.of("apache", "nginx", "iis", "tomcat", "other");
    /** Allowed {@code dcvMethod} values. */
    public static final Set<String> DCV_METHODS = Set.of("email", "dns", "http");

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
        .build();

    private final ProductCatalog catalog;
    private final CsrParser csrParser;
    private final ApproverRule approvers;

    /**
     * @param catalog   product catalog
     * @param csrParser CSR parser (caches verified CSRs)
     * @param approvers who may approve an email-DCV order
     */
    public OrderValidator(ProductCatalog catalog, CsrParser csrParser, ApproverRule approvers) {
        this.catalog = catalog;
        this.csrParser = csrParser;
        this.approvers = approvers;
    }

    /**
     * @param doc the document as received
     * @return the normalised order
     * @throws HubProblem 422 listing every violation
     */
    public ValidatedOrder validate(OrderDocument doc) {
        List<FieldError> errors = new ArrayList<>();

        String clientReference = trim(doc.clientReference());
        if (clientReference == null) {
            errors.add(required("clientReference"));
        } else if (!FieldRules.singleLine(doc.clientReference(), "clientReference", 128, errors)) {
            clientReference = null;
        }
        FieldRules.singleLine(doc.productType(), "productType", 64, errors);
        FieldRules.singleLine(doc.handle(), "handle", 16, errors);
        FieldRules.singleLine(doc.serverType(), "serverType", 16, errors);
        FieldRules.singleLine(doc.dcvMethod(), "dcvMethod", 16, errors);

        Product product = null;
        if (trim(doc.productType()) == null) {
            errors.add(required("productType"));
        } else {
            product = catalog.find(doc.productType().trim()).orElse(null);
            if (product == null) {
                errors.add(new FieldError("PRODUCT_UNKNOWN", "productType", "productType '" + doc.productType() + "' is not in the catalog (GET /api/v1/products)"));
            }
        }

        String handle = trim(doc.handle()) == null ? "process" : doc.handle().trim().toLowerCase(Locale.ROOT);
        if (!handle.equals("process") && !handle.equals("save")) {
            errors.add(new FieldError("FIELD_INVALID", "handle", "handle must be 'save' or 'process', not '" + doc.handle() + "'"));
        }

        int period = doc.period() == null ? 1 : doc.period();
        if (product != null && !product.periods().contains(period)) {
            errors.add(new FieldError("PERIOD_NOT_ALLOWED", "period", "period " + period + " is not offered for " + product.productType() + "; allowed years: " + product.periods()));
        }

        String domain = null;
        if (trim(doc.domain()) == null) {
            errors.add(required("domain"));
        } else {
            domain = name(doc.domain(), "domain", product, errors);
        }
        LinkedHashSet<String> extra = new LinkedHashSet<>();
        List<String> given = doc.additionalDomains() == null ? List.of() : doc.additionalDomains();
        for (int i = 0; i < given.size(); i++) {
            String n = name(given.get(i), "additionalDomains[" + i + "]", product, errors);
            if (n != null && !n.equals(domain)) {
                extra.add(n);
            }
        }
        if (product != null && domain != null && 1 + extra.size() > product.maxDomains()) {
            errors.add(new FieldError("TOO_MANY_DOMAINS", "additionalDomains", product.productType() + " covers at most " + product.maxDomains()
                + " names; the order has " + (1 + extra.size())));
        }

        List<String> ordered = new ArrayList<>();
        if (domain != null) {
            ordered.add(domain);
        }
        ordered.addAll(extra);
        ParsedCsr csr = checkCsr(doc.csr(), ordered, errors);

        String serverType = trim(doc.serverType()) == null ? "other" : doc.serverType().trim().toLowerCase(Locale.ROOT);
        if (!SERVER_TYPES.contains(serverType)) {
            errors.add(new FieldError("FIELD_INVALID", "serverType", "serverType must be one of apache, nginx, iis, tomcat, other"));
        }
        String dcvMethod = trim(doc.dcvMethod()) == null ? "email" : doc.dcvMethod().trim().toLowerCase(Locale.ROOT);
        if (!DCV_METHODS.contains(dcvMethod)) {
            errors.add(new FieldError("FIELD_INVALID", "dcvMethod", "dcvMethod must be one of email, dns, http"));
        } else if (dcvMethod.equals("http") && ((domain != null && DomainNames.isWildcard(domain)) || extra.stream().anyMatch(DomainNames::isWildcard))) {
            errors.add(new FieldError("DCV_METHOD_NOT_ALLOWED", "dcvMethod", "http validation cannot validate a wildcard name (BR 3.2.2.4.18); use dns or email"));
        } else if (product != null && !product.dcvMethods().contains(dcvMethod)) {
            errors.add(new FieldError("DCV_METHOD_NOT_ALLOWED", "dcvMethod", product.productType() + " validates by "
                + String.join(" or ", product.dcvMethods()) + " only; " + dcvMethod + " is not offered by its vendor"));
        }
        String approver = null;
        if (trim(doc.approverEmail()) != null && FieldRules.singleLine(doc.approverEmail(), "approverEmail", FieldRules.MAX_EMAIL, errors)) {
            try {
                approver = email(doc.approverEmail());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("FIELD_INVALID", "approverEmail", "approverEmail: " + e.getMessage()));
            }
        }

        OrderDocument.Contacts contacts = doc.contacts();
        boolean namesValid = domain != null && errors.stream().noneMatch(e -> e.code().equals("DOMAIN_INVALID") || e.code().equals("DOMAIN_MIXED_SCRIPT")
            || e.code().equals("WILDCARD_NOT_ALLOWED"));
        if ("email".equals(dcvMethod) && namesValid) {
            String adminEmail = contacts == null || contacts.admin() == null ? null : emailOrNull(contacts.admin().email());
            String candidate = approver != null ? approver : adminEmail;
            List<String> names = new ArrayList<>();
            names.add(domain);
            names.addAll(extra);
            if (candidate != null && validEmail(candidate) && !approvers.allowed(candidate, names, product == null ? null : product.productType())) {
                List<String> allowed = approvers.allowedList(names, product == null ? null : product.productType());
                errors.add(new FieldError("APPROVER_NOT_ALLOWED", "approverEmail", (approver != null ? "approverEmail " : "the admin contact's address ")
                    + candidate + " may not approve " + names + " (BR 3.2.2.4.4); allowed: " + allowed));
            } else if (candidate != null) {
                approver = candidate;
            }
        }
        if (contacts != null) {
            FieldRules.contact(contacts.admin(), "contacts.admin", errors);
            FieldRules.contact(contacts.tech(), "contacts.tech", errors);
            FieldRules.contact(contacts.billing(), "contacts.billing", errors);
            FieldRules.contact(contacts.organization(), "contacts.organization", errors);
            FieldRules.contact(contacts.signer(), "contacts.signer", errors);
        }
        if (contacts == null || contacts.admin() == null) {
            errors.add(required("contacts.admin"));
        } else {
            person(contacts.admin(), "contacts.admin", errors);
        }
        for (var other : new Object[][] {{"contacts.tech", contacts == null ? null : contacts.tech()},
                {"contacts.billing", contacts == null ? null : contacts.billing()},
                {"contacts.organization", contacts == null ? null : contacts.organization()},
                {"contacts.signer", contacts == null ? null : contacts.signer()}}) {
            OrderDocument.Contact c = (OrderDocument.Contact) other[1];
            String field = other[0] + ".email";
            if (c != null && trim(c.email()) != null && !hasError(errors, field) && emailOrNull(c.email()) == null) {
                errors.add(new FieldError("FIELD_INVALID", field, field + " '" + c.email().strip() + "' is not an email address"));
            }
        }
        if (product != null && product.organizationValidated()) {
            if (contacts == null || contacts.organization() == null) {
                errors.add(new FieldError("FIELD_REQUIRED", "contacts.organization", "contacts.organization is required for " + product.validation() + " product " + product.productType()));
            } else {
                OrderDocument.Contact org = contacts.organization();
                Map<String, String> needed = new java.util.LinkedHashMap<>();
                needed.put("orgName", org.orgName());
                needed.put("address1", org.address1());
                needed.put("city", org.city());
                needed.put("country", org.country());
                needed.put("phone", org.phone());
                needed.forEach((field, value) -> {
                    if (trim(value) == null) {
                        errors.add(required("contacts.organization." + field));
                    }
                });
                if (org.country() != null && !org.country().trim().matches("[A-Za-z]{2}")) {
                    errors.add(new FieldError("FIELD_INVALID", "contacts.organization.country", "country must be an ISO 3166-1 alpha-2 code such as US"));
                }
            }
        }

        if (!errors.isEmpty()) {
            throw HubProblem.unprocessable(errors);
        }
        String contactsJson = json(contacts);
        if (contactsJson.length() > FieldRules.MAX_CONTACTS_JSON) {
            throw HubProblem.unprocessable(List.of(new FieldError(FieldRules.TOO_LONG, "contacts", "contacts take "
                + contactsJson.length() + " characters as JSON; the maximum is " + FieldRules.MAX_CONTACTS_JSON)));
        }
        if (csr.canonicalPem().length() > FieldRules.MAX_CSR_PEM) {
            throw HubProblem.unprocessable(List.of(new FieldError(FieldRules.TOO_LONG, "csr", "the CSR is "
                + csr.canonicalPem().length() + " characters long as PEM; the maximum is " + FieldRules.MAX_CSR_PEM)));
        }
        if (String.join(" ", extra).length() > FieldRules.MAX_ADDITIONAL_DOMAINS) {
            throw HubProblem.unprocessable(List.of(new FieldError(FieldRules.TOO_LONG, "additionalDomains", "additionalDomains take more than "
                + FieldRules.MAX_ADDITIONAL_DOMAINS + " characters")));
        }
        List<String> additional = List.copyOf(extra);
        return new ValidatedOrder(clientReference, product, handle.equals("process"), period, domain, additional, csr, serverType,
            approver, dcvMethod, contactsJson, product.price(period),
            contentHash(clientReference, product.productType(), period, domain, additional, csr.canonicalPem(), serverType, approver, dcvMethod, contactsJson));
    }

    private String name(String raw, String field, Product product, List<FieldError> errors) {
        String n;
        try {
            n = DomainNames.normalise(raw);
        } catch (DomainNames.MixedScriptException e) {
            errors.add(new FieldError("DOMAIN_MIXED_SCRIPT", field, field + ": " + e.getMessage()));
            return null;
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("DOMAIN_INVALID", field, field + ": " + e.getMessage()));
            return null;
        }
        if (DomainNames.isWildcard(n) && product != null && !product.wildcard()) {
            errors.add(new FieldError("WILDCARD_NOT_ALLOWED", field, product.productType() + " is not a wildcard product; " + n + " needs one such as comodo_wildcard"));
        }
        return n;
    }

    /**
     * The rules of a person contact (the admin contact): {@code firstName}, {@code lastName},
     * {@code phone} and {@code email} present ({@code FIELD_REQUIRED}), the email an address
     * ({@code FIELD_INVALID}). Also used for the contacts an ACME EAB key carries.
     *
     * @param c      the contact (not null)
     * @param path   its dotted path, e.g. {@code contacts.admin}
     * @param errors where violations are added
     */
    public static void person(OrderDocument.Contact c, String path, List<FieldError> errors) {
        if (trim(c.firstName()) == null) errors.add(required(path + ".firstName"));
        if (trim(c.lastName()) == null) errors.add(required(path + ".lastName"));
        if (trim(c.phone()) == null) errors.add(required(path + ".phone"));
        if (trim(c.email()) == null) {
            errors.add(required(path + ".email"));
        } else if (!hasError(errors, path + ".email") && emailOrNull(c.email()) == null) {
            errors.add(new FieldError("FIELD_INVALID", path + ".email", path + ".email '" + c.email().strip() + "' is not an email address"));
        }
    }

    /**
     * The CSR rules of an order (also those of a reissue's new CSR, issue 13 §5): present
     * ({@code FIELD_REQUIRED}), parseable, correctly signed, with a strong key
     * ({@code CSR_UNPARSEABLE}, {@code CSR_SIGNATURE_INVALID}, {@code CSR_WEAK_KEY}), naming every
     * ordered name ({@code CSR_NAME_MISSING}), its CN among its SANs ({@code CSR_CN_NOT_IN_SAN});
     * every error names the field {@code csr}.
     *
     * @param csrPem  the CSR as given (may be null)
     * @param ordered the order's names (domain first, normalised)
     * @param errors  where violations are added
     * @return the parsed CSR, or null when it is missing or does not parse
     */
    public ParsedCsr checkCsr(String csrPem, List<String> ordered, List<FieldError> errors) {
        ParsedCsr csr = null;
        if (trim(csrPem) == null) {
            errors.add(required("csr"));
        } else {
            try {
                csr = csrParser.parse(csrPem);
            } catch (CsrException e) {
                errors.add(new FieldError(e.code(), "csr", e.detail()));
            }
        }
        if (csr != null) {
            List<String> csrNames = csr.names();
            for (String n : ordered) {
                if (!csrNames.contains(n)) {
                    errors.add(new FieldError("CSR_NAME_MISSING", "csr", "the CSR does not name " + n + " (its CN and SANs: " + csrNames + ")"));
                }
            }
            if (!csr.dnsNames().isEmpty() && csr.commonName() != null && !csr.dnsNames().contains(csr.commonName())) {
                errors.add(new FieldError("CSR_CN_NOT_IN_SAN", "csr", "the CSR's CN " + csr.commonName() + " is not among its SANs " + csr.dnsNames()));
            }
        }
        return csr;
    }

    /**
     * @param raw an address as given
     * @return it lower-cased with its domain as an A-label ({@code admin@bücher.example.org} →
     *         {@code admin@xn--bcher-kva.example.org}), the form stored and sent to the vendor
     * @throws IllegalArgumentException naming what is wrong
     */
    static String email(String raw) {
        String s = raw.strip();
        Optional<String> address = s.startsWith("<") || s.regionMatches(true, 0, "mailto:", 0, 7) ? Optional.empty()
            : io.certhub.dcv.EmailAddresses.normalise(s).filter(OrderValidator::validEmail);
        if (address.isPresent()) {
            return address.get();
        }
        int at = s.lastIndexOf('@');
        if (at > 0 && at < s.length() - 1) {
            try {
                DomainNames.normalise(s.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' has no valid domain: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not a plain email address (an ASCII local part, '@', a host name)");
    }

    private static String emailOrNull(String raw) {
        try {
            return raw == null ? null : email(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean hasError(List<FieldError> errors, String field) {
        return errors.stream().anyMatch(e -> field.equals(e.field()));
    }

    /**
     * @param s candidate address
     * @return whether it is a plain RFC 5322 addr-spec with a domain containing a dot
     */
    public static boolean validEmail(String s) {
        try {
            InternetAddress a = new InternetAddress(s, true);
            return a.getAddress().equals(s) && s.indexOf('@') > 0 && s.substring(s.indexOf('@')).contains(".");
        } catch (AddressException e) {
            return false;
        }
    }

    private static FieldError required(String field) {
        return new FieldError("FIELD_REQUIRED", field, field + " is required");
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String json(Object o) {
        try {
            return CANONICAL.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String contentHash(String clientReference, String productType, int period, String domain, List<String> additional,
                                      String csrPem, String serverType, String approver, String dcvMethod, String contactsJson) {
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("clientReference", clientReference);
        canonical.put("productType", productType);
        canonical.put("period", period);
        canonical.put("domain", domain);
        canonical.put("additionalDomains", additional.stream().sorted().toList());
        canonical.put("csr", csrPem);
        canonical.put("serverType", serverType);
        canonical.put("approverEmail", approver);
        canonical.put("dcvMethod", dcvMethod);
        canonical.put("contacts", contactsJson);
        return com.google.common.hash.Hashing.sha256().hashString(json(canonical), StandardCharsets.UTF_8).toString();
    }
}
