-- Renewal reminders (issue 13 §3). A delivery row is now of a kind: CERTIFICATE (the certificate
-- email, as before) or RENEWAL_REMINDER (the "your certificate's term ends in N days" email, no
-- attachments; reminder_days is N). The order's `delivery` view, the resend rules and their limits
-- look at CERTIFICATE rows only.
-- renewal_reminder: one row per (certificate, interval) ever reached, so a reminder is never sent
-- twice: SENT when its email and webhook event were queued, SKIPPED when a shorter interval was
-- already due at the same sweep (the hub was down; only the most urgent one is sent).
-- Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
alter table delivery add column kind varchar(24) default 'CERTIFICATE' not null;
alter table delivery add column reminder_days int;

create table renewal_reminder (
    certificate_id varchar(36) not null references certificate(id),
    days_before    int         not null,
    order_id       varchar(36) not null references orders(id),
    outcome        varchar(16) not null,   -- SENT | SKIPPED
    term_ends_at   timestamp with time zone not null,
    created_at     timestamp with time zone not null,
    primary key (certificate_id, days_before)
);
create index renewal_reminder_order on renewal_reminder(order_id);
