package dev.rsm.persistence;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.EffectRunner;
import dev.rsm.persistence.internal.Tenure;
import dev.rsm.persistence.internal.AllowedClasses;
import dev.rsm.persistence.internal.LocalRegistry;
import dev.rsm.persistence.internal.MachineEnvironment;
import dev.rsm.persistence.internal.Protocol;
import dev.rsm.persistence.internal.Transport;
import dev.rsm.persistence.internal.Tracing;
import dev.rsm.persistence.internal.TransportMachines;
import dev.rsm.persistence.internal.UnwrittenReads;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Runs machines inside one ActorSystem, with every guarantee except surviving the loss of the
 * node (that is what the sharding module adds). Useful for tests, single-process deployments and as
 * the reference for other transports.
 *
 * <p>A machine is started when it is first addressed. One that stops on a failure is started again
 * after {@code restart.max-backoff}, resending its unacknowledged outputs and re-arming its timers.
 * After a restart of the whole process, however, a machine with pending work (outputs, timers)
 * resumes only when it is next addressed; the sharded runtime remembers such machines instead.
 *
 * <pre>{@code
 * LocalRuntime rsm = LocalRuntime.start(system, MachineRegistry.of(Account.TYPE));
 * rsm.machines().ask(Account.TYPE.address("alice"), "key-1", new Account.Deposit(100));
 * }</pre>
 */
public final class LocalRuntime {
  private final Machines machines;

  private LocalRuntime(ActorSystem<?> system, MachineRegistry registry, RuntimeOptions options) {
    RuntimeSettings settings = options.settings().orElseGet(() -> RuntimeSettings.create(system));
    JdbcSchema.ensure(system.settings().config());
    AllowedClasses.get(system).register(registry.types());
    Tracing tracing = Tracing.start(system, options.openTelemetry().orElse(null)); // before the first machine
    LocalTransport transport = new LocalTransport(system);
    MachineEnvironment env = new MachineEnvironment(
        settings, registry, transport, options.clock(), options.faults(), options.observer(), Tenure.ALWAYS,
        EffectRunner.start(system, options, transport));
    transport.registryActor = system.systemActorOf(LocalRegistry.create(env), "rsm-machines",
        org.apache.pekko.actor.typed.Props.empty());
    this.machines = TransportMachines.over(transport, registry, settings, UnwrittenReads.of(system), tracing);
  }

  /** Starts the machines of {@code registry} with {@link RuntimeOptions#defaults()}. */
  public static LocalRuntime start(ActorSystem<?> system, MachineRegistry registry) {
    return start(system, registry, RuntimeOptions.defaults());
  }

  /** Starts the machines of {@code registry} with {@code options}. */
  public static LocalRuntime start(ActorSystem<?> system, MachineRegistry registry, RuntimeOptions options) {
    return new LocalRuntime(system, registry, options);
  }

  /** The client to send inputs and read state. */
  public Machines machines() {
    return machines;
  }

  /** Delivers to the machines' parent actor, which starts a machine when it is first addressed. */
  private static final class LocalTransport implements Transport {
    private final ActorSystem<?> system;
    // Set once, right after the environment that holds this transport is built.
    private volatile ActorRef<LocalRegistry.Envelope> registryActor;

    LocalTransport(ActorSystem<?> system) {
      this.system = system;
    }

    @Override
    public void tell(Address to, Protocol.Command message) {
      registryActor.tell(new LocalRegistry.Envelope(to, message));
    }

    @Override
    public <R> CompletionStage<R> ask(
        Address to, Function<ActorRef<R>, Protocol.Command> message, Duration timeout) {
      return AskPattern.ask(
          registryActor,
          replyTo -> new LocalRegistry.Envelope(to, message.apply(replyTo)),
          timeout,
          system.scheduler());
    }
  }
}
