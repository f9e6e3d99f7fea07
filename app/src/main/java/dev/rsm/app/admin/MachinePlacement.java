package dev.rsm.app.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.actors.Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * Where one machine runs now, without starting it: its shard (from its id, as the runtime's
 * message extractor computes it), the reachable member whose region hosts that shard and whether
 * that region holds the machine, from each region's own state ({@code GetShardRegionState}, which
 * starts nothing). A shard no region hosts means no machine of it runs.
 */
final class MachinePlacement {
  private MachinePlacement() {}

  /**
   * {@code {"shard", "node", "running"}}: {@code node} null when no reachable region hosts the
   * shard; {@code running} null, with {@code "error"}, when a region did not answer.
   */
  static CompletionStage<ObjectNode> of(ActorSystem<?> system, Address machine, Duration timeout) {
    int shards = system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    String shard = new HashCodeMessageExtractor<>(shards).shardId(machine.id());
    Cluster cluster = Cluster.get(system);
    Set<Member> unreachable = cluster.state().getUnreachable();
    List<CompletableFuture<String>> answers = new ArrayList<>(); // per region: "", "hosts", "runs" or null (silent)
    for (Member m : cluster.state().getMembers()) {
      if (m.status() != MemberStatus.up() || unreachable.contains(m)) continue;
      answers.add(Patterns.ask(system.classicSystem().actorSelection(m.address() + "/system/sharding/rsm-" + machine.type()),
              ShardRegion.getShardRegionStateInstance(), timeout)
          .thenApply(reply -> {
            if (!(reply instanceof ShardRegion.CurrentShardRegionState s)) return (String) null;
            for (ShardRegion.ShardState st : s.getShards())
              if (st.shardId().equals(shard)) return st.getEntityIds().contains(machine.id()) ? "runs" : "hosts";
            return "";
          })
          .exceptionally(e -> null)
          .thenApply(a -> a == null ? null : a.isEmpty() ? "" : a + " " + m.address())
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(d -> {
      ObjectNode n = AdminJson.MAPPER.createObjectNode();
      n.put("shard", shard);
      n.putNull("node");
      n.put("running", false);
      boolean silent = false;
      for (CompletableFuture<String> a : answers) {
        String r = a.join();
        if (r == null) silent = true;
        else if (!r.isEmpty()) {
          n.put("node", r.substring(r.indexOf(' ') + 1));
          n.put("running", r.startsWith("runs"));
        }
      }
      if (silent && n.get("node").isNull()) {
        n.putNull("running");
        n.put("error", "a shard region did not answer within " + timeout.toMillis() + " ms");
      }
      return n;
    });
  }
}
