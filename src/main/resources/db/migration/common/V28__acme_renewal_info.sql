-- ACME Renewal Information (RFC 9773) of a certificate issued through the acme vendor adapter
-- (issue 15 §1; io.certhub.issuer.acme.RenewalInfoScan): the CA's suggested renewal window, the
-- moment the hub picked in it (uniformly at random, RFC 9773 §4.2; the term's next reissue), the
-- CA's explanation URL, when the CA was last asked and when it may be asked again (its
-- Retry-After). All null until the first answer; null window with ari_checked_at set: the CA
-- offers no renewal information. Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
alter table certificate add column ari_window_start timestamp with time zone;
alter table certificate add column ari_window_end timestamp with time zone;
alter table certificate add column ari_renew_at timestamp with time zone;
alter table certificate add column ari_explanation varchar(500);
alter table certificate add column ari_checked_at timestamp with time zone;
alter table certificate add column ari_next_check_at timestamp with time zone;
-- the overdue check also reads certificates whose ACME renewal point is near (TermService)
create index certificate_state_ari_renew_at on certificate(state, ari_renew_at);
