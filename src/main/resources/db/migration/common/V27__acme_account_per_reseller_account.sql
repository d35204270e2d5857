-- One ACME account per reseller account at each ACME CA (issue 15 §1), each with its own External
-- Account Binding when configured (hub.vendor.acme.accounts.<account>.eab-*).
-- acme_account gains account_id (the reseller account; '' = the hub's one account made before V27);
-- acme_order records which ACME account made the order (an ACME order is read only with the key of
-- the account that made it, RFC 8555 §7.1.3); orders placed before V27 keep the hub's ('').
-- The table is rebuilt (a primary key cannot be changed portably between H2 and PostgreSQL).
create table acme_reseller_account (
    directory_url varchar(500) not null,
    account_id    varchar(64) not null,
    key_pem       varchar(4000) not null,
    location      varchar(500) not null,
    created_at    timestamp with time zone not null,
    primary key (directory_url, account_id)
);
insert into acme_reseller_account(directory_url, account_id, key_pem, location, created_at)
    select directory_url, '', key_pem, location, created_at from acme_account;
drop table acme_account;
alter table acme_reseller_account rename to acme_account;
alter table acme_order add column account_id varchar(64) default '' not null;
