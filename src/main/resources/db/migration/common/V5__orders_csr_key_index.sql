-- The certificate mailbox matches a mail without a vendor order id by the certificate's public
-- key: index the CSR key fingerprint so the lookup does not scan every order.
create index orders_csr_key on orders(csr_key_sha256);
