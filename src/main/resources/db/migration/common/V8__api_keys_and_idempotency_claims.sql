-- Issue 16: API keys get a public id, a short prefix and a revocation time; Idempotency-Key
-- records become claims (PENDING before the work, DONE with the answer after it).
-- Portable SQL (H2 in PostgreSQL mode, PostgreSQL).

-- id: 'k_' + the first 16 hex digits of the key's SHA-256 (new keys get the same form);
-- key_prefix: the first characters of the plain key (null for keys stored before this version);
-- revoked_at: set once; a revoked key answers 401.
alter table api_key add column id varchar(40);
alter table api_key add column key_prefix varchar(8);
alter table api_key add column revoked_at timestamp with time zone;
update api_key set id = 'k_' || substring(key_hash, 1, 16);
alter table api_key alter column id set not null;
create unique index api_key_id on api_key(id);
create index api_key_account on api_key(account_id);

-- state: PENDING (claimed, the work running; status 0, empty body) or DONE (the answer stored);
-- claim_token: the claiming request's random token, so a taken-over claim cannot be finished twice.
alter table idempotency_record add column state varchar(16) default 'DONE' not null;
alter table idempotency_record add column claim_token varchar(36);
