-- Reissue and revoke on request (issue 13 §5). Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
--
-- certificate.revocation_reason: the RFC 5280 §5.3.1 CRLReason name the reseller gave
-- (unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation); set with
-- state REVOKED and revoked_at (V16) in the revoking transaction.
alter table certificate add column revocation_reason varchar(32);

-- order_reissue: one row per POST /api/v1/orders/{id}/reissue that passed its checks
-- (io.certhub.order.OrderReissue). state REQUESTED (written before the vendor call) → SENT (the
-- vendor took it; the order's CSR is now the new one) → COMPLETED (the new certificate was stored,
-- certificate_id) | FAILED (the vendor refused or could not be reached; error_code/error_detail).
-- open_order_id is the order's id while the reissue is REQUESTED or SENT and null afterwards: its
-- unique constraint lets one reissue per order be under way at a time, on every instance (several
-- nulls are allowed by both databases).
create table order_reissue (
    id                      varchar(36)    primary key,
    order_id                varchar(36)    not null references orders(id),
    account_id              varchar(64)    not null,
    open_order_id           varchar(36),
    state                   varchar(16)    not null,
    csr                     varchar(16000) not null,          -- canonical PEM
    csr_key_sha256          char(64)       not null,          -- SubjectPublicKeyInfo fingerprint of the new CSR
    previous_csr            varchar(16000) not null,          -- the order's CSR before the reissue
    reason                  varchar(256),
    previous_certificate_id varchar(36)    references certificate(id),
    certificate_id          varchar(36)    references certificate(id),
    vendor_state            varchar(64),
    error_code              varchar(64),
    error_detail            varchar(2000),
    actor                   varchar(128)   not null,
    requested_at            timestamp with time zone not null,
    sent_at                 timestamp with time zone,
    completed_at            timestamp with time zone,
    constraint order_reissue_one_open unique (open_order_id)
);
create index order_reissue_order on order_reissue(order_id, requested_at);
