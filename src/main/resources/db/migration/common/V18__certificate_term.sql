-- Multi-year terms as a chain of certificates (issue 13 §2): a delivery carries one certificate.
-- delivery.certificate_id: the certificate the email carries (the order's newest when it was
-- queued); null only for rows of an order without any certificate row (none are written).
-- delivery.issued_certificate_id: set on the one delivery that announces a newly stored certificate
-- (first issuance or a reissue), null on resends; unique, so each certificate is queued for
-- delivery at most once, whatever restarts or repeated vendor mails happen (NULLs do not collide
-- in a unique index on H2 nor PostgreSQL). Rows made before: each gets its order's newest
-- certificate, and the order's first delivery is the issuance delivery of that certificate.
-- Portable SQL (H2 in PostgreSQL mode, PostgreSQL).
alter table delivery add column certificate_id varchar(36);
alter table delivery add column issued_certificate_id varchar(36);

update delivery set certificate_id = (
    select c.id from certificate c where c.order_id = delivery.order_id
    order by c.received_at desc, c.id desc fetch first 1 rows only);

update delivery set issued_certificate_id = certificate_id
 where certificate_id is not null
   and id = (select min(d2.id) from delivery d2 where d2.order_id = delivery.order_id);

alter table delivery add constraint delivery_issued_certificate_once unique (issued_certificate_id);
create index certificate_order_state on certificate(order_id, state);
