package dev.rsm.multijvm.takeover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.multijvm.harness.FailoverWatch;
import dev.rsm.multijvm.harness.Fleet;
import dev.rsm.multijvm.harness.NodeCluster;
import dev.rsm.multijvm.harness.NodeProcess;
import dev.rsm.multijvm.harness.Scenario;
import dev.rsm.persistence.testing.Await;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One takeover, measured: a cluster of node processes on PostgreSQL makes {@code machinesPerNode}
 * machines per node active, one node that does not host the shard coordinator is killed with
 * {@code kill -9}, and the clock runs from the kill until every machine it hosted answers a read
 * on the survivors with the {@code seqNr} and balance it had before. See docs/performance.md,
 * "Takeover after a node is killed".
 */
final class Takeover {
  /** The entity type of the sample's {@code account} machines in Cluster Sharding. */
  private static final String ENTITY_TYPE = "rsm-account";

  /**
   * What a run is made of. {@code leases}: "on" runs the nodes with {@code leaseOn} as {@code
   * pekko.cluster.sharding.use-lease} (null: the shipped setting), "off" sets it to {@code ""}.
   * {@code timing}: "defaults" undoes the harness's fast failure detection and downing (the
   * shipped settings a deployment runs with), "fast" keeps them. {@code nodeJvm}: JVM options
   * added after the harness's.
   */
  record Settings(String leases, String leaseOn, int nodes, int machinesPerNode, int clients, String timing,
      String nodeJvm, Duration settle) {
    /** The shipped cluster and sharding timings, which the harness shortens for its tests. */
    private static final Map<String, String> DEFAULT_TIMING = Map.of(
        "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "3s",
        "pekko.cluster.split-brain-resolver.stable-after", "20s",
        "pekko.cluster.sharding.rebalance-interval", "10s",
        "pekko.cluster.sharding.retry-interval", "2s",
        "rsm.lease.heartbeat-timeout", "10s",
        "rsm.lease.heartbeat-interval", "2s",
        "rsm.lease.safety-margin", "2s");

    /** From {@code -Dtakeover.*} system properties, with the benchmark's defaults (see docs/performance.md). */
    static Settings fromSystemProperties(String leases) {
      return new Settings(leases, System.getProperty("takeover.use-lease"),
          Integer.getInteger("takeover.nodes", 3),
          Integer.getInteger("takeover.machines-per-node", 10_000),
          Integer.getInteger("takeover.clients", 32),
          System.getProperty("takeover.timing", "defaults"),
          System.getProperty("takeover.node-jvm", "-Xmx1g -XX:-UseSerialGC -XX:+UseG1GC -XX:TieredStopAtLevel=4"),
          Duration.ofSeconds(Long.getLong("takeover.settle-seconds", 5)));
    }

    void applyTo(NodeCluster cluster) {
      if (leases.equals("off")) cluster.set("pekko.cluster.sharding.use-lease", "");
      else if (leases.equals("on") && leaseOn != null) cluster.set("pekko.cluster.sharding.use-lease", leaseOn);
      else if (!leases.equals("on")) throw new IllegalArgumentException("leases must be on or off: " + leases);
      if (timing.equals("defaults")) DEFAULT_TIMING.forEach(cluster::set);
      else if (!timing.equals("fast")) throw new IllegalArgumentException("timing must be defaults or fast: " + timing);
      // Passivated machines are forgotten by remember-entities: none may passivate before the kill.
      cluster.set("rsm.persistence.passivate-after", "1h");
      List<String> options = Arrays.stream(nodeJvm.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
      for (NodeProcess n : cluster.nodes()) options.forEach(n::jvmOption);
    }
  }

  /**
   * One run's figures. Times are seconds from the kill: a survivor reported the node unreachable
   * (NaN when it was downed between two polls), the node was downed, the survivors hosted every
   * machine again (sharding started them; their recovery need not be finished), the first and the
   * last of the dead node's machines answered a read with what they answered before.
   */
  record Result(Settings settings, int machines, int onVictim, double createSeconds, double unreachable,
      double downed, double hosted, double firstServed, double allServed, long reads, long failedReads) {
    /** The dead node's machines over the time from its downing until the last of them answered. */
    double ratePerSecondFromDowning() {
      return onVictim / (allServed - downed);
    }

    /** The dead node's machines over the time from the first of them answering to the last. */
    double ratePerSecondServing() {
      return onVictim / (allServed - firstServed);
    }
  }

  private Takeover() {}

  static Result run(Scenario scenario, Settings s) {
    NodeCluster cluster = scenario.cluster("node", s.nodes());
    s.applyTo(cluster);
    cluster.start();
    int total = s.nodes() * s.machinesPerNode();
    Fleet fleet = new Fleet("m", total, s.clients());
    log(s, "making " + total + " machines on " + s.nodes() + " nodes");
    double created = fleet.open(cluster.httpPorts(), Duration.ofMinutes(2));
    log(s, String.format("made and read back %d machines (deposits %.1f s, %.0f/s)", total, created, total / created));
    Await.until("the nodes host every machine", Duration.ofSeconds(60),
        () -> FailoverWatch.hosted(cluster.running(), ENTITY_TYPE), n -> n == total);
    sleep(s.settle());

    String oldest = FailoverWatch.oldest(cluster.node(0));
    Map<String, NodeProcess> placement = cluster.placement("account", fleet.ids());
    assertEquals(total, placement.size(), "every machine runs on some node");
    NodeProcess victim = placement.values().stream()
        .filter(n -> !n.address().equals(oldest)) // the shard coordinator stays: see the docs
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    List<String> onVictim = fleet.ids().stream().filter(id -> placement.get(id) == victim).toList();
    List<NodeProcess> survivors = cluster.running().stream().filter(n -> n != victim).toList();
    List<Integer> survivorPorts = survivors.stream().map(NodeProcess::httpPort).toList();
    log(s, "kill -9 of " + victim.name() + ", which hosts " + onVictim.size() + " of the " + total + " machines");

    long killedAt = System.nanoTime();
    victim.kill();
    Fleet.Served served;
    try (FailoverWatch watch = new FailoverWatch(victim, survivors, ENTITY_TYPE, total)) {
      Await.until(victim.name() + " downed", Duration.ofMinutes(3), watch::downedAt, t -> t != 0);
      // Reads before the downing could only time out on the dead node's shards: they start now.
      served = fleet.readUntilServed(onVictim, survivorPorts, Duration.ofMinutes(10));
      Await.until("the survivors host every machine", Duration.ofMinutes(2), watch::hostedAt, t -> t != 0);
      assertTrue(served.wrong().isEmpty(), served.wrong().size() + " machines answered with another state than "
          + "before the kill, e.g. " + served.wrong().entrySet().stream().limit(5).toList());
      assertEquals(onVictim.size(), served.at().size(), "every machine of the dead node answered within 10 minutes");
      long first = served.at().values().stream().mapToLong(Long::longValue).min().orElseThrow();
      long last = served.at().values().stream().mapToLong(Long::longValue).max().orElseThrow();
      Result r = new Result(s, total, onVictim.size(), created,
          watch.unreachableAt() == 0 ? Double.NaN : seconds(killedAt, watch.unreachableAt()),
          seconds(killedAt, watch.downedAt()), seconds(killedAt, watch.hostedAt()),
          seconds(killedAt, first), seconds(killedAt, last), served.reads(), served.failedReads());
      log(s, String.format("downed after %.1f s, all %d served after %.1f s (%.0f machines/s from the downing)",
          r.downed(), r.onVictim(), r.allServed(), r.ratePerSecondFromDowning()));
      return r;
    }
  }

  private static double seconds(long from, long to) {
    return (to - from) / 1e9;
  }

  /** The quiet time before the kill is part of the scenario (a settled cluster), not a wait for an event. */
  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void log(Settings s, String what) {
    System.out.printf("[takeover] %tT leases %s: %s%n", System.currentTimeMillis(), s.leases(), what);
  }
}
