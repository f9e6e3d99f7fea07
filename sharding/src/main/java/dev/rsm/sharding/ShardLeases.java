package dev.rsm.sharding;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol;
import dev.rsm.persistence.internal.Tenure;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.coordination.lease.scaladsl.Lease;
import org.apache.pekko.coordination.lease.scaladsl.LeaseProvider;

/**
 * Which lease a machine answers under: the lease Cluster Sharding takes for the machine's shard
 * when {@code pekko.cluster.sharding.use-lease} names a lease configuration. The machine asks it
 * before every answer ({@link Tenure}); Pekko's {@code LeaseProvider} hands out one instance per
 * lease name and owner, so the machine checks the very lease its shard acquired.
 */
final class ShardLeases {
  private ShardLeases() {}

  static Tenure tenure(ActorSystem<?> system, HashCodeMessageExtractor<Protocol.Command> extractor) {
    String configPath = system.settings().config().getString("pekko.cluster.sharding.use-lease");
    if (configPath.isEmpty()) return Tenure.ALWAYS;
    var leaseConfig = system.settings().config().getConfig(configPath);
    if (leaseConfig.getString("lease-class").equals(dev.rsm.sharding.lease.JdbcLease.class.getName()))
      dev.rsm.sharding.lease.LeaseStore.get(system.classicSystem()); // checks rsm.lease at start-up, not at a shard's first message
    LeaseProvider provider = LeaseProvider.get(system.classicSystem());
    // As the Shard names its lease and its owner (Pekko 1.2: Shard.scala).
    String prefix = system.name() + "-shard-rsm-";
    String owner = Cluster.get(system.classicSystem()).selfAddress().hostPort();
    return (Address machine) -> {
      Lease lease = provider.getLease(prefix + machine.type() + "-" + extractor.shardId(machine.id()), configPath, owner);
      return lease::checkLease;
    };
  }
}
