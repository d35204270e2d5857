-- The ACME front door (issue 15 §2), second step: the hub as an ACME server (RFC 8555) takes
-- accounts. acme_nonce: the anti-replay nonces it gave out (§6.5), each used once and only until it
-- expires (shared by every hub instance). acme_client_account: an ACME account of a customer's
-- client, named by the SHA-256 thumbprint of its public key (RFC 7638), bound by External Account
-- Binding to one EAB key and so to the reseller account and customer (§7.3.4). Portable SQL.
create table acme_nonce (
    nonce      varchar(64) primary key,
    expires_at timestamp with time zone not null
);
create index acme_nonce_expires on acme_nonce(expires_at);
create table acme_client_account (
    id          varchar(36) primary key,
    thumbprint  varchar(64) not null unique,
    jwk         varchar(4000) not null,
    account_id  varchar(64) not null references account(id),
    eab_kid     varchar(64) not null references acme_eab_key(kid),
    customer    varchar(128) not null,
    contact     varchar(2000),
    status      varchar(16) not null,
    created_at  timestamp with time zone not null
);
