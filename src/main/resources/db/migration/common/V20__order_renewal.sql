-- Renewal orders (issue 13 §3): POST /api/v1/orders/{id}/renew places a new order for the same
-- names, product and contacts that the vendor receives as a renewal (OpenSRS sw_register
-- reg_type=renew). renewal_of is the order it renews (null for a new order). Portable SQL (H2 in
-- PostgreSQL mode, PostgreSQL).
alter table orders add column renewal_of varchar(36);
alter table orders add constraint orders_renewal_of_fk foreign key (renewal_of) references orders(id);
create index orders_renewal_of on orders(renewal_of);
