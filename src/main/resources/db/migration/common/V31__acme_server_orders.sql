-- The ACME front door (issue 15 §2), third step: orders of the customers' ACME clients (RFC 8555
-- §7.4) and their authorizations (§7.5). acme_eab_key.contacts: the order contacts (JSON, the
-- shape of an order's contacts; admin required) the reseller gives a key, so the Certhub order made
-- at finalize has an admin contact the certificate is mailed to. acme_server_order: one ACME order
-- of an ACME account; identifiers the DNS names as ordered (normalised, comma-separated, the first
-- the order's domain); status pending → ready → processing → valid | invalid; order_id the Certhub
-- order made at finalize (unique: one Certhub order, one hold, whatever the client retries).
-- acme_server_authz: one per identifier, with the token its http-01 and dns-01 challenges share;
-- challenge_type the challenge that validated it (or failed). Portable SQL (H2, PostgreSQL).
alter table acme_eab_key add column contacts varchar(8000);

create table acme_server_order (
    id                varchar(36)  primary key,
    client_account_id varchar(36)  not null references acme_client_account(id),
    account_id        varchar(64)  not null references account(id),
    product_type      varchar(64)  not null,
    identifiers       varchar(4000) not null,
    status            varchar(16)  not null,
    order_id          varchar(36)  references orders(id),
    error_type        varchar(64),
    error_detail      varchar(1000),
    expires_at        timestamp with time zone not null,
    created_at        timestamp with time zone not null,
    updated_at        timestamp with time zone not null
);
create unique index acme_server_order_certhub on acme_server_order(order_id);
create index acme_server_order_account on acme_server_order(client_account_id, created_at);

create table acme_server_authz (
    id             varchar(36)  primary key,
    acme_order_id  varchar(36)  not null references acme_server_order(id),
    identifier     varchar(253) not null,
    wildcard       boolean      not null,
    status         varchar(16)  not null,
    token          varchar(64)  not null,
    challenge_type varchar(16),
    validated_at   timestamp with time zone,
    error_type     varchar(64),
    error_detail   varchar(1000),
    expires_at     timestamp with time zone not null
);
create index acme_server_authz_order on acme_server_authz(acme_order_id);
