package io.certhub.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A certificate chain, RFC 5280 order from the subscriber up, as built by
 * {@link ChainBuilder#build}.
 *
 * @param leaf          the end-entity certificate, never null
 * @param intermediates the CA certificates linking the leaf to its root: the leaf's
 *                      issuer first, then that certificate's issuer, and so on; never a
 *                      self-signed root; empty when the leaf's issuer was not given
 * @param root          the self-signed root the chain ends at, only when it was among the
 *                      given certificates; otherwise null. Never used as a trust anchor.
 */
public record Chain(X509Certificate leaf, List<X509Certificate> intermediates, X509Certificate root) {

    /**
     * Validates and freezes the record.
     *
     * @param leaf          the leaf, not null
     * @param intermediates the intermediates, not null (copied)
     * @param root          the root or null
     */
    public Chain {
        Objects.requireNonNull(leaf, "leaf");
        intermediates = List.copyOf(intermediates);
    }

    /**
     * The leaf followed by the intermediates (no root): the order of a TLS server's
     * {@code Certificate} message and of {@code fullchain.pem}.
     *
     * @return leaf first, then the intermediates
     */
    public List<X509Certificate> leafAndIntermediates() {
        List<X509Certificate> out = new ArrayList<>(intermediates.size() + 1);
        out.add(leaf);
        out.addAll(intermediates);
        return List.copyOf(out);
    }
}
