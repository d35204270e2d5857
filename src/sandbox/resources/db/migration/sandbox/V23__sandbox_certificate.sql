-- The sandbox vendor's certificates (issue 13 §5): every certificate it issues, so that a
-- revocation (sandbox extension of the protocol: revoke_cert) can name any of an order's
-- certificates by serial, not only the current one, and is recorded like a CA's CRL entry.
-- Certificates issued before this migration are not listed; revoke_cert still finds an order's
-- current one through sandbox_order.cert_pem. Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
create table sandbox_certificate (
    serial_hex        varchar(64)  primary key,               -- lower-case hex, as openssl prints it
    order_id          varchar(20)  not null references sandbox_order(order_id),
    issued_at         timestamp with time zone not null,
    not_after         timestamp with time zone not null,
    revoked_at        timestamp with time zone,
    revocation_reason varchar(32)
);
create index sandbox_certificate_order on sandbox_certificate(order_id);
