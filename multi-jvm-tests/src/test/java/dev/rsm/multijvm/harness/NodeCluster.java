package dev.rsm.multijvm.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Node processes that form one cluster: every node lists the cluster's first nodes as its seed
 * nodes, so a node restarted later (or one added by {@link #add}) joins the running ones. Membership
 * and placement are read from the outside, through each node's Pekko Management endpoint.
 */
public final class NodeCluster {
  /** The node's {@code pekko.cluster.sharding.number-of-shards} (sharding's reference.conf). */
  public static final int NUMBER_OF_SHARDS = 100;
  /** Generous: three JVMs starting at once on two shared cores take a while. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Scenario scenario;
  private final String name;
  private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  private final List<String> seeds = new ArrayList<>();
  private final Map<String, String> extra = new java.util.LinkedHashMap<>();
  private java.nio.file.Path configFile;

  NodeCluster(Scenario scenario, String name, int size) {
    this.scenario = scenario;
    this.name = name;
    for (int i = 1; i <= size; i++) nodes.add(scenario.newNode(name + "-" + i));
    for (NodeProcess n : nodes) seeds.add(n.address());
    for (NodeProcess n : nodes) n.seedNodes(seeds);
  }

  /** Starts every node and waits until they all see each other Up. */
  public NodeCluster start() {
    return startTogether(this)[0];
  }

  /**
   * Starts every node of every one of {@code clusters} at once (the JVMs start up side by side),
   * then waits until each cluster's nodes all see each other Up; returns {@code clusters}. The
   * clusters know nothing of each other: each forms from its own seed nodes.
   */
  public static NodeCluster[] startTogether(NodeCluster... clusters) {
    for (NodeCluster c : clusters)
      for (NodeProcess n : c.nodes) n.start();
    for (NodeCluster c : clusters) {
      for (NodeProcess n : c.nodes) n.awaitReady(START_TIMEOUT);
      c.awaitMembersUp(c.nodes.size(), START_TIMEOUT);
    }
    return clusters;
  }

  /**
   * A new node that will join this cluster through its seed nodes (not started yet), with the
   * settings given to the cluster ({@link #set}).
   */
  public NodeProcess add() {
    NodeProcess n = scenario.newNode(name + "-" + (nodes.size() + 1));
    extra.forEach(n::set);
    if (configFile != null) n.configFile(configFile);
    n.seedNodes(seeds);
    nodes.add(n);
    return n;
  }

  public NodeProcess node(int i) {
    return nodes.get(i);
  }

  public List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  /** The nodes that are alive and not frozen. */
  public List<NodeProcess> running() {
    return nodes.stream().filter(NodeProcess::isRunning).toList();
  }

  /** Sets {@code -Dkey=value} on every node of the cluster (for their next starts). */
  public NodeCluster set(String key, String value) {
    extra.put(key, value);
    for (NodeProcess n : nodes) n.set(key, value);
    return this;
  }

  /** The {@code -Dconfig.file} of every node of the cluster (for their next starts): see {@link NodeProcess#configFile}. */
  public NodeCluster configFile(java.nio.file.Path file) {
    configFile = file;
    for (NodeProcess n : nodes) n.configFile(file);
    return this;
  }

  /**
   * Forms the cluster with Cluster Bootstrap instead of seed nodes ({@code rsm.node.bootstrap},
   * for the next starts): no node is given a seed node; each finds the others' management
   * endpoints through configuration-based discovery ({@code pekko.discovery.method = config}),
   * and once all of them answer, the one with the lowest address forms the cluster.
   */
  public NodeCluster bootstrap() {
    seeds.clear();
    for (NodeProcess n : nodes) n.seedNodes(List.of());
    String service = "pekko.discovery.config.services." + name + ".endpoints.";
    for (int i = 0; i < nodes.size(); i++) {
      set(service + i + ".host", "127.0.0.1");
      set(service + i + ".port", Integer.toString(nodes.get(i).managementPort()));
    }
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    return set("rsm.node.bootstrap", "on")
        .set("pekko.discovery.method", "config")
        .set(discovery + "service-name", name)
        .set(discovery + "required-contact-point-nr", Integer.toString(nodes.size()))
        // How long the discovered contact points must stay the same before a node forms the
        // cluster: 5s by default, for a listing that changes as pods come up; here it is fixed.
        .set(discovery + "stable-margin", "2s")
        // Each node's management port differs here: keep contact points on other ports.
        .set("pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port", "false");
  }

  /** The nodes' addresses as seed nodes list them: the cluster's first nodes. */
  public List<String> seedNodes() {
    return List.copyOf(seeds);
  }

  /** Every node's HTTP port, running or not: the address list a client is configured with. */
  public List<Integer> httpPorts() {
    return nodes.stream().map(NodeProcess::httpPort).toList();
  }

  /**
   * Waits until every running node sees exactly {@code n} members, all Up, and none unreachable
   * ({@code GET /cluster/members}).
   */
  public void awaitMembersUp(int n, Duration timeout) {
    for (NodeProcess node : running())
      Waits.await(node.name() + " sees " + n + " members Up, none unreachable", timeout)
          .until(() -> HttpJson.getJson(node.managementPort(), "/cluster/members", Duration.ofSeconds(5)),
          m -> {
            if (!m.path("unreachable").isEmpty() || m.path("members").size() != n) return false;
            for (JsonNode member : m.path("members"))
              if (!"Up".equals(member.path("status").asText())) return false;
            return true;
          });
  }

  /** Shard ids of {@code entityType} hosted by {@code node} with at least one entity running. */
  public static List<String> hostedShards(NodeProcess node, String entityType) {
    JsonNode r = HttpJson.getJson(node.managementPort(), "/cluster/shards/" + entityType, Duration.ofSeconds(5));
    List<String> shards = new ArrayList<>();
    for (JsonNode region : r.path("regions"))
      if (region.path("numEntities").asInt() > 0) shards.add(region.path("shardId").asText());
    return shards;
  }

  /** Which running node hosts each of {@code machineIds} of {@code machineType} right now. */
  public Map<String, NodeProcess> placement(String machineType, List<String> machineIds) {
    Map<String, NodeProcess> byShard = new HashMap<>();
    for (NodeProcess n : running())
      for (String shard : hostedShards(n, "rsm-" + machineType)) byShard.put(shard, n);
    Map<String, NodeProcess> placement = new HashMap<>();
    for (String id : machineIds) {
      NodeProcess host = byShard.get(shardOf(id));
      if (host != null) placement.put(id, host);
    }
    return placement;
  }

  /** The running node that hosts the most of {@code machineIds} right now. */
  public NodeProcess busiest(String machineType, List<String> machineIds) {
    Map<NodeProcess, Integer> hosted = new HashMap<>();
    placement(machineType, machineIds).values().forEach(n -> hosted.merge(n, 1, Integer::sum));
    return hosted.entrySet().stream().max(Map.Entry.comparingByValue())
        .orElseThrow(() -> new AssertionError("no node hosts any of " + machineIds)).getKey();
  }

  /** Cluster Sharding's default shard of an entity id (its hash code modulo the shard count). */
  public static String shardOf(String entityId) {
    return Integer.toString(Math.abs(entityId.hashCode() % NUMBER_OF_SHARDS));
  }

  @Override
  public String toString() {
    return name + nodes;
  }
}
