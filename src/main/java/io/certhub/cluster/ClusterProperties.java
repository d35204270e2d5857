package io.certhub.cluster;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code hub.cluster.*}: several hub instances on one database (issue 12 §3).
 *
 * <ul>
 *   <li>{@code instance-id}: this instance's name in logs and {@code /actuator/health} (default: the
 *       host name and process id); it need not be stable across restarts, it must be unique among
 *       running instances;</li>
 *   <li>{@code lock-ttl} (10 s): a leader lock not renewed for this long is taken by another
 *       instance, so a killed leader's consumers move within about {@code lock-ttl + heartbeat};</li>
 *   <li>{@code heartbeat} (1 s): how often a leader renews its locks and a follower tries them, and
 *       how often every instance beats in {@code hub_instance};</li>
 *   <li>{@code claim-takeover} (15 s): a claim on an order's vendor step or on a delivery held by an
 *       instance that has not beaten for this long is taken over at once ({@link HubInstance});</li>
 *   <li>{@code inbox-lock-max-age} (30 s) and {@code inbox-lock-keep-alive} (5 s): the read lock
 *       of an inbox file being read (camel-file {@code readLock=idempotent}) is refreshed every
 *       keep-alive by its holder; one older than max-age belongs to a dead instance and is taken
 *       over.</li>
 * </ul>
 */
@ConfigurationProperties("hub.cluster")
public class ClusterProperties {

    private String instanceId;
    private Duration lockTtl = Duration.ofSeconds(10);
    private Duration heartbeat = Duration.ofSeconds(1);
    private Duration claimTakeover = Duration.ofSeconds(15);
    private Duration inboxLockMaxAge = Duration.ofSeconds(30);
    private Duration inboxLockKeepAlive = Duration.ofSeconds(5);

    public String getInstanceId() { return instanceId; }
    public void setInstanceId(String instanceId) { this.instanceId = instanceId; }
    public Duration getLockTtl() { return lockTtl; }
    public void setLockTtl(Duration lockTtl) { this.lockTtl = lockTtl; }
    public Duration getHeartbeat() { return heartbeat; }
    public void setHeartbeat(Duration heartbeat) { this.heartbeat = heartbeat; }
    public Duration getClaimTakeover() { return claimTakeover; }
    public void setClaimTakeover(Duration claimTakeover) { this.claimTakeover = claimTakeover; }
    public Duration getInboxLockMaxAge() { return inboxLockMaxAge; }
    public void setInboxLockMaxAge(Duration inboxLockMaxAge) { this.inboxLockMaxAge = inboxLockMaxAge; }
    public Duration getInboxLockKeepAlive() { return inboxLockKeepAlive; }
    public void setInboxLockKeepAlive(Duration inboxLockKeepAlive) { this.inboxLockKeepAlive = inboxLockKeepAlive; }
}
