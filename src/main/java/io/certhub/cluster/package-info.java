/**
 * Several hub instances on one database (issue 12 §3): the leader election of the consumers that
 * must run on one instance only.
 *
 * <p>{@link io.certhub.cluster.JdbcLockClusterService} is a Camel cluster service
 * ({@code org.apache.camel.cluster.CamelClusterService}) whose leadership per namespace is a lock in
 * the hub's own database, held with Spring Integration's {@code JdbcLockRegistry} and
 * {@code LockRegistryLeaderInitiator} (table {@code int_lock}, Flyway V13). Routes take part with
 * Camel's {@code ClusteredRoutePolicy} ({@code routePolicy} in routes/): the route runs on the
 * instance that holds the namespace's lock and is stopped when the lock is lost.
 */
package io.certhub.cluster;
