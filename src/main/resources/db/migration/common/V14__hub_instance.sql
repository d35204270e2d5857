-- Several hub instances (issue 16 item 10, issue 12 §3): a claim on an order's vendor step or on a
-- delivery names the instance that holds it, and every running instance beats in hub_instance
-- (hub.cluster.heartbeat). A claim whose instance stopped beating for hub.cluster.claim-takeover
-- (it was killed, hung or lost the database) is free at once, without waiting for the claim's
-- lease (hub.vendor.claim, the delivery lease). Portable SQL (H2, PostgreSQL).
create table hub_instance (
    id           varchar(36)  primary key,     -- a fresh UUID per start
    name         varchar(128) not null,        -- hub.cluster.instance-id
    started_at   timestamp with time zone not null,
    heartbeat_at timestamp with time zone not null
);
alter table orders add column vendor_claimed_by varchar(36);
alter table delivery add column claimed_by varchar(36);
