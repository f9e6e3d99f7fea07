package dev.rsm.sharding;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.JdbcSchema;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.EffectRunner;
import dev.rsm.persistence.internal.AllowedClasses;
import dev.rsm.persistence.internal.MachineBehavior;
import dev.rsm.persistence.internal.MachineEnvironment;
import dev.rsm.persistence.internal.Protocol;
import dev.rsm.persistence.internal.Transport;
import dev.rsm.persistence.internal.Tracing;
import dev.rsm.persistence.internal.TransportMachines;
import dev.rsm.persistence.internal.UnwrittenReads;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
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
 *
 * <h2>Leases</h2>
 *
 * With {@code pekko.cluster.sharding.use-lease} set (the default: {@code rsm.lease}, a lease in
 * the journal's database), a shard starts its machines only on the node holding the shard's lease,
 * and a machine answers nothing — no read, no reply, no write — while its node does not hold that
 * lease with time to spare ({@link ShardLeases}). So a node that is frozen or cut off falls silent
 * before another can take its shards over, and a read never returns a state another node may have
 * moved past.
 */
public final class ShardedRuntime {
  private final Machines machines;

  private ShardedRuntime(ActorSystem<?> system, MachineRegistry registry, RuntimeOptions options) {
    RuntimeSettings settings = options.settings().orElseGet(() -> RuntimeSettings.create(system));
    JdbcSchema.ensure(system.settings().config());
    AllowedClasses.get(system).register(registry.types());
    Tracing tracing = Tracing.start(system, options.openTelemetry().orElse(null)); // before the first machine
    int shards = system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    HashCodeMessageExtractor<Protocol.Command> extractor = new HashCodeMessageExtractor<>(shards);
    ShardingTransport transport = new ShardingTransport(ClusterSharding.get(system), extractor);
    MachineEnvironment env = new MachineEnvironment(
        settings, registry, transport, options.clock(), options.faults(), options.observer(),
        ShardLeases.tenure(system, extractor), EffectRunner.start(system, options, transport));
    for (MachineType<?, ?> type : registry.types()) transport.init(type, env);
    this.machines = TransportMachines.over(transport, registry, settings, UnwrittenReads.of(system), tracing);
  }

  /**
   * Starts the machine types of {@code registry} on this node's cluster sharding, with {@link
   * RuntimeOptions#defaults()}.
   */
  public static ShardedRuntime start(ActorSystem<?> system, MachineRegistry registry) {
    return start(system, registry, RuntimeOptions.defaults());
  }

  /** Starts the machine types of {@code registry} on this node's cluster sharding. */
  public static ShardedRuntime start(ActorSystem<?> system, MachineRegistry registry, RuntimeOptions options) {
    return new ShardedRuntime(system, registry, options);
  }

  /**
   * The sharding entity type key of a machine type ({@code rsm-<type>}), for Cluster Sharding's
   * own queries such as {@code GetShardRegionState}.
   */
  public static EntityTypeKey<?> typeKey(String machineType) {
    return commandKey(machineType);
  }

  private static EntityTypeKey<Protocol.Command> commandKey(String machineType) {
    return EntityTypeKey.create(Protocol.Command.class, "rsm-" + machineType);
  }

  /** The client to send inputs and read state. */
  public Machines machines() {
    return machines;
  }

  /** Delivers through the shard regions of the machine types. */
  private static final class ShardingTransport implements Transport {
    private final ClusterSharding sharding;
    private final HashCodeMessageExtractor<Protocol.Command> extractor;
    private final Map<String, EntityTypeKey<Protocol.Command>> keys = new HashMap<>();
    // The local shard region of each type: tells go straight to it, without an EntityRef per message.
    private final Map<String, ActorRef<ShardingEnvelope<Protocol.Command>>> regions = new HashMap<>();

    ShardingTransport(ClusterSharding sharding, HashCodeMessageExtractor<Protocol.Command> extractor) {
      this.sharding = sharding;
      this.extractor = extractor;
    }

    /** Called for every type before the runtime is handed out. */
    void init(MachineType<?, ?> type, MachineEnvironment env) {
      EntityTypeKey<Protocol.Command> key = commandKey(type.name());
      keys.put(type.name(), key);
      // The extractor is given explicitly: the same one places a machine's shard and names its lease.
      regions.put(type.name(), sharding.init(Entity.of(key, ctx -> MachineBehavior.create(env,
          new Address(type.name(), ctx.getEntityId()),
          self -> ctx.getShard().tell(new ClusterSharding.Passivate<>(self)))).withMessageExtractor(extractor)));
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
}
