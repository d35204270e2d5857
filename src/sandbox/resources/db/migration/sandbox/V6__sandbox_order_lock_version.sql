-- The sandbox vendor takes its row lock with an UPDATE of this counter instead of
-- SELECT ... FOR UPDATE: H2 2.3's FOR UPDATE path (TransactionMap.lock) was seen spinning for
-- ever on a sandbox_order row (SandboxVendorTest, operator cancel), an UPDATE goes through H2's
-- ordinary write path and is portable.
alter table sandbox_order add column lock_version bigint default 0 not null;
