-- The ACME front door (issue 15 §2), first step: External Account Binding keys a reseller makes for
-- a customer (POST /api/v1/acme/eab-keys; io.certhub.acme.EabKeys). The customer's ACME client binds
-- one ACME account to the key (RFC 8555 §7.3.4): kid names the key, hmac_key (base64url, 32 random
-- bytes, HS256) is what the hub checks the binding's MAC with, so it is kept (shown to the reseller
-- once); products the customer may order through it; expires_at after which it binds nothing;
-- revoked_at when the reseller withdrew it; bound_at / bound_account when an ACME account took it.
-- Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
create table acme_eab_key (
    kid           varchar(64) primary key,
    account_id    varchar(64) not null references account(id),
    customer      varchar(128) not null,
    products      varchar(1000) not null,
    hmac_key      varchar(128) not null,
    expires_at    timestamp with time zone not null,
    created_at    timestamp with time zone not null,
    created_by    varchar(128) not null,
    revoked_at    timestamp with time zone,
    bound_at      timestamp with time zone,
    bound_account varchar(500)
);
create index acme_eab_key_account on acme_eab_key(account_id, created_at);
