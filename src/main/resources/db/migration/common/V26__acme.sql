-- The ACME vendor adapter (issue 15 §1, io.certhub.issuer.acme.AcmeAdapter).
-- acme_account: the hub's account at an ACME CA (one per directory URL), its key pair (PEM, the
-- account's only credential) and the account URL the CA gave it; made once, with External Account
-- Binding when the CA requires it.
-- acme_order: the hub's vendor order id (orders.vendor_order_id) of an order placed at an ACME CA,
-- and the CA's order URL (RFC 8555 §7.1.3) it is followed through. Portable SQL (H2 in PostgreSQL
-- mode, PostgreSQL).
create table acme_account (
    directory_url varchar(500) primary key,
    key_pem       varchar(4000) not null,
    location      varchar(500) not null,
    created_at    timestamp with time zone not null
);
create table acme_order (
    id         varchar(32) primary key,
    order_id   varchar(64) not null,
    location   varchar(500) not null,
    created_at timestamp with time zone not null
);
create index acme_order_order on acme_order(order_id);
