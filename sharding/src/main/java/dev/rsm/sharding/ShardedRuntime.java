package dev.rsm.sharding;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.JdbcSchema;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.StepObserver;
import dev.rsm.persistence.Transport;
import dev.rsm.persistence.internal.MachineBehavior;
import dev.rsm.persistence.internal.AllowedClasses;
import dev.rsm.persistence.internal.MachineEnvironment;
import dev.rsm.persistence.internal.Protocol;
import dev.rsm.persistence.internal.UnwrittenReads;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Machines on Cluster Sharding: every machine type is an entity type ({@code rsm-<type>}), the
 * machine id is the entity id, and machine-to-machine delivery crosses nodes through sharding.
 *
 * <h2>Failover</h2>
 *
 * Entities are <em>remembered</em> ({@code pekko.cluster.sharding.remember-entities = on}, stored
 * in the journal): when a node dies, its shards move and every machine that was running there is
 * started again on its new node, without waiting for a message, so its unacknowledged outputs are
 * resent and its timers re-armed. A machine passivates itself (and is forgotten) only when it is
 * idle with no pending work.
 *
 * <h2>Single writer</h2>
 *
 * Sharding runs one incarnation of a machine at a time. If a partition ever ran two, the journal's
 * unique key {@code (persistence_id, sequence_number)} makes the stale one's write fail; since
 * outputs, acknowledgements and replies leave only after a successful write, nothing it did
 * escapes.
 */
public final class ShardedRuntime implements Transport {
  private final ClusterSharding sharding;
  private final Map<String, EntityTypeKey<Protocol.Command>> keys = new HashMap<>();
  // The local shard region of each type: tells go straight to it, without an EntityRef per message.
  private final Map<String, ActorRef<ShardingEnvelope<Protocol.Command>>> regions = new HashMap<>();
  private final Machines machines;

  private ShardedRuntime(ActorSystem<?> system, MachineRegistry registry, RuntimeSettings settings,
      FaultInjector faults, StepObserver observer) {
    JdbcSchema.ensure(system.settings().config());
    AllowedClasses.get(system).register(registry.types());
    this.sharding = ClusterSharding.get(system);
    MachineEnvironment env = new MachineEnvironment(settings, registry, this, Clock.systemUTC(), faults, observer);
    for (MachineType<?, ?> type : registry.types()) {
      EntityTypeKey<Protocol.Command> key = typeKey(type.name());
      keys.put(type.name(), key);
      regions.put(type.name(), sharding.init(Entity.of(key, ctx -> MachineBehavior.create(env,
          new Address(type.name(), ctx.getEntityId()),
          self -> ctx.getShard().tell(new ClusterSharding.Passivate<>(self))))));
    }
    this.machines = UnwrittenReads.of(Machines.over(this, registry, settings), system, settings.askTimeout());
  }

  /** Starts the machine types of {@code registry} on this node's cluster sharding. */
  public static ShardedRuntime start(ActorSystem<?> system, MachineRegistry registry) {
    return start(system, registry, RuntimeSettings.create(system), FaultInjector.NONE);
  }

  public static ShardedRuntime start(ActorSystem<?> system, MachineRegistry registry,
      RuntimeSettings settings, FaultInjector faults) {
    return start(system, registry, settings, faults, StepObserver.NONE);
  }

  /** Starts with a {@link StepObserver} that sees every journaled step (benchmarks, metrics). */
  public static ShardedRuntime start(ActorSystem<?> system, MachineRegistry registry,
      RuntimeSettings settings, FaultInjector faults, StepObserver observer) {
    return new ShardedRuntime(system, registry, settings, faults, observer);
  }

  /** The sharding entity type key of a machine type. */
  public static EntityTypeKey<Protocol.Command> typeKey(String machineType) {
    return EntityTypeKey.create(Protocol.Command.class, "rsm-" + machineType);
  }

  public Machines machines() {
    return machines;
  }

  private EntityTypeKey<Protocol.Command> key(Address a) {
    EntityTypeKey<Protocol.Command> k = keys.get(a.type());
    if (k == null) throw new MachineRegistry.UnknownMachineTypeException(a.type(), keys.keySet());
    return k;
  }

  @Override
  public void tell(Address to, Protocol.Command message) {
    ActorRef<ShardingEnvelope<Protocol.Command>> region = regions.get(to.type());
    if (region == null) throw new MachineRegistry.UnknownMachineTypeException(to.type(), keys.keySet());
    region.tell(new ShardingEnvelope<>(to.id(), message));
  }

  @Override
  public <R> CompletionStage<R> ask(Address to, Function<ActorRef<R>, Protocol.Command> message, Duration timeout) {
    return sharding.entityRefFor(key(to), to.id()).ask(message::apply, timeout);
  }
}
