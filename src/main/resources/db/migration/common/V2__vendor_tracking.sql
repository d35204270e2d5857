-- Vendor tracking (Lemur-style: pending orders are data): where each IN_PROGRESS order stands
-- with the vendor, when to try or poll next, and who holds it; plus issued certificates.

-- vendor_step: QUEUED (waiting to be placed), SAVED (sw_register handle=save done, order_id
-- recorded), SUBMITTING (process_pending sent, outcome not yet known), SUBMITTED (the vendor
-- has it), CANCEL_REQUESTED (reseller cancel sent, vendor not yet confirmed), DONE.
alter table orders add column vendor_step varchar(20);
alter table orders add column vendor_attempts int not null default 0;
alter table orders add column vendor_next_at timestamp with time zone;
alter table orders add column vendor_claimed_until timestamp with time zone;
alter table orders add column dcv_details varchar(4000);
create index orders_vendor_due on orders(vendor_step, vendor_next_at);

create table certificate (
    order_id     varchar(36) primary key references orders(id),
    leaf_pem     varchar(16000) not null,
    chain_pem    varchar(64000) not null,   -- intermediates, issuer of the leaf first, no root
    leaf_sha256  char(64)    not null,      -- fingerprint of the leaf's DER
    not_after    timestamp with time zone not null,
    source       varchar(32) not null,      -- vendor-api | mailbox
    received_at  timestamp with time zone not null
);
