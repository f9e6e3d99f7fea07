package dev.rsm.app.testing;

import dev.rsm.actors.Address;
import dev.rsm.app.RsmNode;
import dev.rsm.sharding.ShardedRuntime;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Which machines a node currently hosts, from its shard region's own state. */
public final class Placement {
  private Placement() {}

  public static Set<String> hostedIds(RsmNode node, String machineType) {
    ShardRegion.CurrentShardRegionState s = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(node.system()).shardState(),
            replyTo -> new GetShardRegionState(ShardedRuntime.typeKey(machineType), replyTo),
            Duration.ofSeconds(5), node.system().scheduler())
        .toCompletableFuture().join();
    Set<String> ids = new HashSet<>();
    for (ShardRegion.ShardState shard : s.getShards()) ids.addAll(shard.getEntityIds());
    return ids;
  }

  public static boolean hosts(RsmNode node, Address machine) {
    return hostedIds(node, machine.type()).contains(machine.id());
  }
}
