-- The sandbox vendor reissues a multi-year order as OpenSRS does (issue 13 §2): a certificate of
-- at most the cap in force, then the next one for the remaining term, each emailed like the first.
-- term_ends_at: notBefore of the first certificate + period × 365 days (set at first issuance);
-- certificates_issued: how many the order has had; renew_at: when the current certificate's
-- successor is due (null: none is, its notAfter reaches term_ends_at, or the order was issued
-- before this migration, whose single certificate stays as it was).
-- The outbox row of an issued-certificate email carries the certificate it announces, so a
-- reissue before an earlier email went out never changes what that email holds.
-- Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
alter table sandbox_order add column term_ends_at timestamp with time zone;
alter table sandbox_order add column certificates_issued int default 0 not null;
alter table sandbox_order add column renew_at timestamp with time zone;
update sandbox_order set certificates_issued = 1 where cert_pem is not null;
create index sandbox_order_renew on sandbox_order(renew_at);

alter table sandbox_mail_outbox add column cert_pem varchar(8000);
alter table sandbox_mail_outbox add column ca_pem varchar(8000);
