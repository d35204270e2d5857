-- Inbox files (issue 16, items 4 and 8), portable SQL (H2 in PostgreSQL mode, PostgreSQL):
-- * de-duplication per account: the key becomes (account_id, content_hash), so a byte-identical
--   file of another account is that account's own file, not a duplicate of the first one;
-- * tries are counted durably (attempts, last_error), so a file that keeps failing ends in
--   failed/ (FILE_PROCESSING_FAILED) after hub.intake.max-attempts tries instead of being retried
--   for ever; status gains ABANDONED (given up; the same content dropped again starts afresh).
-- The table is rebuilt (the portable way to change a primary key); every existing row is kept,
-- counted as tried once.
create table intake_file_v7 (
    account_id   varchar(64)   not null,
    content_hash char(64)      not null,
    file_name    varchar(1024) not null,
    status       varchar(16)   not null,               -- PROCESSING | DONE | FAILED | ABANDONED
    attempts     int           not null default 0,     -- tries begun for this content
    last_error   varchar(2000),                        -- the last unexpected failure (sanitised excerpt)
    processed_at timestamp with time zone not null,
    constraint intake_file_account_content_pk primary key (account_id, content_hash)
);

insert into intake_file_v7 (account_id, content_hash, file_name, status, attempts, last_error, processed_at)
    select account_id, content_hash, file_name, status, 1, null, processed_at from intake_file;

drop table intake_file;

alter table intake_file_v7 rename to intake_file;
