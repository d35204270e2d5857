-- The ACME server validates its customers' challenges off the request (issue 15 §2): a client's
-- POST to a challenge records the request (challenge_type, validation_requested_at) and is answered
-- "processing"; the route acme-challenge-validation claims requested authorizations in batches
-- (validation_claimed_until / validation_claimed_by: one validator at a time on any instance, taken
-- over when a claim runs out) and tries each up to hub.acme.validation-attempts times
-- (validation_attempts). Portable SQL (H2, PostgreSQL).
alter table acme_server_authz add column validation_requested_at timestamp with time zone;
alter table acme_server_authz add column validation_claimed_until timestamp with time zone;
alter table acme_server_authz add column validation_claimed_by varchar(64);
alter table acme_server_authz add column validation_attempts integer default 0 not null;
create index acme_server_authz_validation on acme_server_authz(status, validation_requested_at);
