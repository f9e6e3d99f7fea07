package dev.rsm.persistence;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.AllowedClasses;
import dev.rsm.persistence.internal.LocalRegistry;
import dev.rsm.persistence.internal.UnwrittenReads;
import dev.rsm.persistence.internal.MachineEnvironment;
import dev.rsm.persistence.internal.Protocol;
import java.time.Clock;
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
 * rsm.ask(Account.TYPE.address("alice"), "key-1", new Account.Deposit(100));
 * }</pre>
 */
public final class LocalRuntime implements Transport {
  private final ActorSystem<?> system;
  private final ActorRef<LocalRegistry.Envelope> registryActor;
  private final Machines machines;

  private LocalRuntime(
      ActorSystem<?> system, MachineRegistry registry, RuntimeSettings settings,
      FaultInjector faults, Clock clock, StepObserver observer, String name) {
    this.system = system;
    JdbcSchema.ensure(system.settings().config());
    AllowedClasses.get(system).register(registry.types());
    MachineEnvironment env = new MachineEnvironment(settings, registry, this, clock, faults, observer);
    this.registryActor = system.systemActorOf(LocalRegistry.create(env), name,
        org.apache.pekko.actor.typed.Props.empty());
    this.machines = UnwrittenReads.of(Machines.over(this, registry, settings), system, settings.askTimeout());
  }

  /** Starts the machines of {@code registry} with the settings of {@code rsm.persistence}. */
  public static LocalRuntime start(ActorSystem<?> system, MachineRegistry registry) {
    return start(system, registry, RuntimeSettings.create(system), FaultInjector.NONE);
  }

  /** Starts with explicit settings and a fault injector (tests). */
  public static LocalRuntime start(
      ActorSystem<?> system, MachineRegistry registry, RuntimeSettings settings,
      FaultInjector faults) {
    return start(system, registry, settings, faults, Clock.systemUTC());
  }

  /**
   * Starts with an explicit clock: the clock every step's recorded time ({@code ctx.now()}) is read
   * from, and against which timer deadlines are measured. It must tick forward (a shifted system
   * clock is fine, a {@link Clock#fixed fixed} one never reaches a deadline). Tests use it to start
   * a node "later", after a timer's deadline has passed.
   */
  public static LocalRuntime start(
      ActorSystem<?> system, MachineRegistry registry, RuntimeSettings settings,
      FaultInjector faults, Clock clock) {
    return start(system, registry, settings, faults, clock, StepObserver.NONE);
  }

  /** Starts with an explicit clock and an observer of steps, hibernations and wake-ups. */
  public static LocalRuntime start(
      ActorSystem<?> system, MachineRegistry registry, RuntimeSettings settings,
      FaultInjector faults, Clock clock, StepObserver observer) {
    return new LocalRuntime(system, registry, settings, faults, clock, observer, "rsm-machines");
  }

  /** The client to send inputs and read state. */
  public Machines machines() {
    return machines;
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
