package dev.rsm.persistence.spec;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.StepObserver;
import dev.rsm.persistence.internal.Protocol;
import dev.rsm.persistence.spec.ModelState.Row;
import dev.rsm.persistence.testing.Await;
import dev.rsm.persistence.testing.TestStores;
import dev.rsm.sharding.ShardedRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A node as an application runs it on Cluster Sharding: an actor system that forms a cluster of
 * its own (it joins itself) and {@code ShardedRuntime} hosting the machines, with the simulation's
 * fault injector and observer. Two such nodes on one store are two clusters that do not know each
 * other: a split brain. Every node of a world has the same system name, so both name a shard's
 * lease alike ({@code <system>-shard-rsm-duo-<shard>}) and compete for it in the database.
 *
 * <p>The transport is Cluster Sharding's own. A duplicate is a {@link Protocol.Deliver} rebuilt
 * from the sender's journal (the sequence number and content of its journaled send, as {@link
 * Abstraction#row} reads them) and sent to the receiver through sharding, acknowledged to nobody:
 * what a resend of the sender's incarnation carries, arriving late and out of order.
 */
final class ShardedSimNode implements Node {
  static final String SYSTEM = "sim";

  private final ActorSystem<Void> system;
  private final Machines machines;
  private final Abstraction journals;

  ShardedSimNode(String name, Config store, Config config, FaultInjector faults, StepObserver observer) {
    Config c = ConfigFactory.parseMap(Map.of(
            "pekko.remote.artery.canonical.hostname", "127.0.0.1",
            "pekko.remote.artery.canonical.port", 0,
            "pekko.cluster.seed-nodes", List.of(),
            "rsm.sharding.data-dir", TestStores.tempDir("rsm-sim-" + name + "-").toString()))
        .withFallback(config).withFallback(store);
    this.system = ActorSystem.create(Behaviors.empty(), SYSTEM, RsmConfig.load(c));
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Await.until(name + " up", Duration.ofSeconds(30), () -> cluster.selfMember().status(), s -> s == MemberStatus.up());
    this.machines = ShardedRuntime.start(system, MachineRegistry.of(Duo.TYPE),
        RuntimeOptions.defaults().withFaults(faults).withObserver(observer)).machines();
    this.journals = new Abstraction(system);
  }

  @Override
  public ActorSystem<?> system() {
    return system;
  }

  @Override
  public Machines machines() {
    return machines;
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean duplicate(Address from, Address to, int i) {
    List<Row> sends;
    synchronized (journals) {
      sends = journals.journal(from).steps().stream().filter(r -> r.send() != null).toList();
    }
    if (sends.isEmpty()) return false;
    Row r = sends.get(i % sends.size());
    EntityTypeKey<Protocol.Command> key = (EntityTypeKey<Protocol.Command>) ShardedRuntime.typeKey(to.type());
    ClusterSharding.get(system).entityRefFor(key, to.id())
        .tell(new Protocol.Deliver(from, r.sendSeq(), new Duo.Message(r.send()), system.ignoreRef(), null));
    return true;
  }

  @Override
  public void close() {
    journals.close();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
