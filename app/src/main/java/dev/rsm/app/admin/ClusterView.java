package dev.rsm.app.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * The cluster as {@code GET /admin/cluster} shows it: every member with its status and
 * reachability, and, per machine type, the shards its region hosts and the machines running in
 * them. Each reachable member's shard region is asked for its own state ({@code
 * GetShardRegionState}, which only reads what the region holds: no shard or machine is started); a
 * region that does not answer in time, and an unreachable member, is shown with an error instead.
 */
final class ClusterView {
  private ClusterView() {}

  static CompletionStage<ObjectNode> read(ActorSystem<?> system, MachineRegistry registry, int idsPerNode,
      Duration timeout) {
    Cluster cluster = Cluster.get(system);
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    ObjectNode root = AdminJson.MAPPER.createObjectNode();
    root.put("self", cluster.selfMember().address().toString());
    root.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
    ArrayNode members = root.putArray("members");
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (Member m : state.getMembers()) {
      ObjectNode n = members.addObject();
      n.put("address", m.address().toString());
      n.put("status", m.status().toString());
      n.put("reachable", !unreachable.contains(m));
      n.put("self", m.equals(cluster.selfMember()));
      ArrayNode roles = n.putArray("roles");
      new TreeSet<>(m.getRoles()).forEach(roles::add);
      n.put("shards", 0);
      n.put("machines", 0);
      ObjectNode types = n.putObject("types");
      if (m.status() == MemberStatus.removed() || m.status() == MemberStatus.down()) continue;
      if (unreachable.contains(m)) { // its region cannot answer: do not wait for it
        n.put("error", "unreachable: what it hosts is unknown until it is reachable again or downed");
        continue;
      }
      for (MachineType<?, ?> t : registry.types()) {
        String path = m.address() + "/system/sharding/rsm-" + t.name();
        pending.add(Patterns.ask(system.classicSystem().actorSelection(path),
                ShardRegion.getShardRegionStateInstance(), timeout)
            .toCompletableFuture()
            .handle((reply, failure) -> {
              synchronized (root) {
                ObjectNode type = types.putObject(t.name());
                if (failure != null || !(reply instanceof ShardRegion.CurrentShardRegionState s)) {
                  type.put("error", "the shard region did not answer within " + timeout.toMillis() + " ms");
                  return null;
                }
                add(n, type, s, idsPerNode);
              }
              return null;
            }));
      }
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(d -> {
      members.forEach(n -> ((ObjectNode) n).remove("listed")); // bookkeeping of add()
      return root;
    });
  }

  /** One region's shards into its member's entry; machine ids up to {@code idsPerNode} per member. */
  private static void add(ObjectNode member, ObjectNode type, ShardRegion.CurrentShardRegionState s, int idsPerNode) {
    ArrayNode shards = type.putArray("shards");
    int machines = 0;
    List<ShardRegion.ShardState> sorted = new ArrayList<>(s.getShards());
    sorted.sort((a, b) -> a.shardId().compareTo(b.shardId()));
    int listed = member.path("listed").asInt(0);
    for (ShardRegion.ShardState shard : sorted) {
      ObjectNode sh = shards.addObject();
      sh.put("id", shard.shardId());
      sh.put("machines", shard.getEntityIds().size());
      ArrayNode ids = sh.putArray("ids");
      for (String id : new TreeSet<>(shard.getEntityIds())) {
        if (listed >= idsPerNode) {
          type.put("truncated", true);
          break;
        }
        ids.add(id);
        listed++;
      }
      machines += shard.getEntityIds().size();
    }
    type.put("machines", machines);
    member.put("listed", listed);
    member.put("shards", member.get("shards").asInt() + sorted.size());
    member.put("machines", member.get("machines").asInt() + machines);
  }
}
