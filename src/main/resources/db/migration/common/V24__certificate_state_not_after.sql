-- The lifecycle scans (issue 13 §2, §3) read ACTIVE certificates by notAfter: the renewal-reminder
-- sweep a window (not_after > ? and not_after <= ?), the overdue-reissue check those that end by a
-- date. Without this index both read every certificate row; with it, the ACTIVE ones in range.
-- Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
create index certificate_state_not_after on certificate(state, not_after);
