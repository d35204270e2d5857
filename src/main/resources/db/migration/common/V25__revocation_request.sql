-- A revocation asked of the vendor but not yet recorded (issue 13 §5, io.certhub.certificate.CertificateRevocation).
-- Written in its own transaction BEFORE the vendor's revoke call and cleared in the transaction that
-- records the certificate REVOKED (or when the vendor refuses). A row left with it set means the
-- hub does not know the outcome: the vendor's answer was lost, or the hub stopped between the call
-- and the record. The clustered route revocation-recovery then asks the vendor again (its revoke is
-- idempotent) and records the outcome. Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
alter table certificate add column revocation_requested_at timestamp with time zone;
alter table certificate add column revocation_requested_reason varchar(32);
alter table certificate add column revocation_requested_by varchar(128);
create index certificate_revocation_requested on certificate(revocation_requested_at);
