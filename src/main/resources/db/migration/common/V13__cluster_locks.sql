-- Several hub instances on one database (issue 12 §3). Portable SQL (H2, PostgreSQL).
--
-- int_lock: Spring Integration's JdbcLockRegistry (DefaultLockRepository, table prefix INT_, the
-- layout of its schema-postgresql.sql). One row per held lock; the holder renews created_date
-- every heartbeat, and a row older than hub.cluster.lock-ttl is free to take. It backs the leader
-- election of the consumers that run on one instance only (io.certhub.cluster): the certificate
-- mailbox and the sandbox vendor's clock.
create table int_lock (
    lock_key     char(36)     not null,
    region       varchar(100) not null,
    client_id    char(36),
    created_date timestamp    not null,
    constraint int_lock_pk primary key (lock_key, region)
);

-- camel_messageprocessed: Camel's JDBC idempotent repository (JdbcOrphanLockAwareIdempotentRepository),
-- used as the order-file intake's read lock (readLock=idempotent), so that instances sharing one
-- inbox folder never read the same file at once. A row is a file being read; its holder refreshes
-- createdat while it reads, and a row older than hub.intake.read-lock-max-age (its holder died) is
-- taken over. The primary key makes two instances' inserts of one file's key race safely (one
-- fails), which Camel's own table (no key) would not.
create table camel_messageprocessed (
    processorname varchar(255) not null,
    messageid     varchar(1000) not null,
    createdat     timestamp    not null,
    constraint camel_messageprocessed_pk primary key (processorname, messageid)
);
