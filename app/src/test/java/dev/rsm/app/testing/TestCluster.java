package dev.rsm.app.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.app.RsmNode;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.StepObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import java.time.Duration;

/**
 * Nodes of one cluster in this JVM, each a full {@link RsmNode} (sharding, HTTP on a free port),
 * all on the same store. {@link #crash} stops a node without leaving the cluster, as a dead process
 * would; the others detect it and the Split Brain Resolver downs it.
 */
public final class TestCluster implements AutoCloseable {
  /** Timings that make failure detection and rebalancing take seconds, not minutes. */
  static final Config FAST = ConfigFactory.parseString("""
      pekko.loglevel = INFO
      pekko.cluster.split-brain-resolver.stable-after = 2s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
      pekko.cluster.failure-detector.heartbeat-interval = 500ms
      pekko.cluster.sharding.rebalance-interval = 1s
      pekko.cluster.sharding.retry-interval = 500ms
      pekko.cluster.sharding.distributed-data.majority-min-cap = 2
      pekko.coordinated-shutdown.exit-jvm = off
      # terminate() is then an abrupt stop (crash); close() runs CoordinatedShutdown explicitly.
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.remote.artery.advanced.aeron.give-up-system-message-after = 10s
      rsm.node.management = off
      rsm.http.port = 0
      rsm.http.request-timeout = 3s
      rsm.persistence {
        delivery.resend-interval = 200ms
        delivery.resend-max-backoff = 1s
        restart.min-backoff = 50ms
        restart.max-backoff = 500ms
      }
      """);

  private final Config store;
  private final MachineRegistry registry;
  private final Config extra;
  private final int seedPort;
  private final String dataDir;
  private final StepObserver observer;
  public final List<RsmNode> nodes = new ArrayList<>();

  public TestCluster(Config store, MachineRegistry registry, Config extra) {
    this(store, registry, extra, StepObserver.NONE);
  }

  /** Nodes whose machines report their steps, hibernations and wake-ups to {@code observer}. */
  public TestCluster(Config store, MachineRegistry registry, Config extra, StepObserver observer) {
    this.observer = observer;
    this.store = store;
    this.registry = registry;
    this.extra = extra;
    this.seedPort = freePort();
    this.dataDir = TestStores.tempDir("rsm-cluster-").toString();
  }

  /** Starts a node; the first one started is the seed the others join. */
  public RsmNode start() {
    return start(ConfigFactory.empty());
  }

  /** Starts a node with {@code nodeExtra} over this cluster's settings (e.g. its own certificate). */
  public RsmNode start(Config nodeExtra) {
    return start(nodeExtra, RuntimeOptions.defaults().withObserver(observer));
  }

  /** Starts a node with {@code nodeExtra} and its machines' {@code options} (e.g. an OpenTelemetry of its own). */
  public RsmNode start(Config nodeExtra, RuntimeOptions options) {
    int port = nodes.isEmpty() ? seedPort : freePort();
    Config c = ConfigFactory.parseMap(Map.of(
            "pekko.remote.artery.canonical.port", port,
            "pekko.cluster.seed-nodes", List.of("pekko://rsm@127.0.0.1:" + seedPort),
            "rsm.sharding.data-dir", dataDir))
        .withFallback(nodeExtra).withFallback(extra).withFallback(FAST).withFallback(store);
    RsmNode node = RsmNode.start(RsmConfig.load(c), registry, options);
    nodes.add(node);
    return node;
  }

  /** Waits until {@code n} members are Up as seen from every running node. */
  public void awaitUp(int n) {
    for (RsmNode node : nodes)
      if (!node.system().getWhenTerminated().toCompletableFuture().isDone())
        Await.until(n + " members up", Duration.ofSeconds(30),
            () -> Cluster.get(node.system()).state().getMembers(),
            members -> {
              int up = 0;
              for (var m : members) if (m.status() == MemberStatus.up()) up++;
              return up == n;
            });
  }

  /** Stops {@code node} abruptly: no leaving, no hand-off. */
  public void crash(RsmNode node) {
    node.system().terminate();
    node.system().getWhenTerminated().toCompletableFuture().join();
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (RsmNode n : nodes)
      if (!n.system().getWhenTerminated().toCompletableFuture().isDone()) n.close();
  }
}
