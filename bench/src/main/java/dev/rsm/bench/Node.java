package dev.rsm.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.JdbcSchema;
import dev.rsm.persistence.RsmConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A fresh single-node cluster on the run's store, one per workload, terminated after it. */
final class Node implements AutoCloseable {
  final ActorSystem<Void> system;
  private final Store store;
  // Sharding's durable data of this node only, deleted when it stops.
  private final Path dataDir;

  Node(String name, Store store, Config extra) throws Exception {
    this.store = store;
    dataDir = Files.createTempDirectory("rsm-bench-ddata-");
    Config config = RsmConfig.load(extra
        .withFallback(ConfigFactory.parseMap(Map.of("rsm.sharding.data-dir", dataDir.toString())))
        .withFallback(ConfigFactory.parseResources("dev/rsm/bench/bench.conf"))
        .withFallback(store.config()));
    JdbcSchema.ensure(config);
    system = ActorSystem.create(Behaviors.empty(), name, config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("the node did not come up");
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws java.io.IOException {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
    Store.deleteTree(dataDir);
    store.awaitReopenable();
  }
}
