package dev.rsm.testkit;

import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.internal.AllowedClasses;
import dev.rsm.persistence.internal.Replay;
import dev.rsm.persistence.internal.StepTaken;
import dev.rsm.persistence.internal.StepsTaken;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * Checks an upgrade before it is deployed: runs the current handlers over a recorded journal, the
 * way recovery does, and reports the first step whose outputs (sends with their sequence numbers,
 * timers, reply) differ from the journaled ones, or whose handler now throws, or whose event the
 * current classes can no longer read. A machine whose check fails would fail recovery in
 * production (unless {@code rsm.persistence.adopt-journaled-outputs} is on).
 *
 * <pre>{@code
 * // from the database (e.g. a copy of production), or from a file exported with JournalFile.export
 * ReplayReport report = ReplayCheck.run(JournalSource.jdbc(config), MachineRegistry.of(Account.TYPE));
 * report.assertNoDivergence();
 * }</pre>
 *
 * <p>Limits: only outputs are compared; a change that alters the state but no output shows up only
 * once a later output depends on it. Journals must start at sequence number 1 (RSM keeps events
 * when it snapshots). Journals of machine types missing from the registry are listed as skipped.
 */
public final class ReplayCheck {
  private ReplayCheck() {}

  /**
   * Checks every machine journal in {@code source} whose type is in {@code registry}. Starts a
   * small local ActorSystem to deserialize the events with Pekko serialization, and stops it.
   */
  public static ReplayReport run(JournalSource source, MachineRegistry registry) {
    return run(source, registry, Thread.currentThread().getContextClassLoader() != null
        ? Thread.currentThread().getContextClassLoader() : ReplayCheck.class.getClassLoader());
  }

  /**
   * {@link #run(JournalSource, MachineRegistry)} with the machines' classes loaded by {@code
   * classLoader}, e.g. a {@code URLClassLoader} over a jar that is not on the class path: the
   * ActorSystem reads its configuration and the journaled classes through it, and it is the
   * thread's context class loader while the check runs (Jackson resolves class names there).
   */
  public static ReplayReport run(JournalSource source, MachineRegistry registry, ClassLoader classLoader) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(classLoader);
    ActorSystem<Void> system = null;
    try {
      system = ActorSystem.create(Behaviors.empty(), "rsm-replay-check",
          BootstrapSetup.create(ConfigFactory.load(classLoader, ConfigFactory.parseString(
                  "pekko.actor.provider = local\npekko.loglevel = WARNING\npekko.log-dead-letters = off")))
              .withClassloader(classLoader));
      return run(source, registry, system);
    } finally {
      if (system != null) {
        system.terminate();
        try {
          system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // the check is done; the system stops in the background
        }
      }
      thread.setContextClassLoader(previous);
    }
  }

  /** Checks with the serialization of an ActorSystem that runs RSM's configuration. */
  public static ReplayReport run(JournalSource source, MachineRegistry registry, ActorSystem<?> system) {
    AllowedClasses.get(system).register(registry.types()); // rows name classes: only these are read
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    List<ReplayReport.Machine> machines = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (String pid : source.persistenceIds()) {
      Address address = address(pid);
      if (address == null) {
        skipped.add(pid + " (not a machine's persistence id)");
        continue;
      }
      Optional<MachineType<?, ?>> type = registry.find(address.type());
      if (type.isEmpty()) {
        skipped.add(pid + " (machine type '" + address.type() + "' is not in the registry)");
        continue;
      }
      machines.add(check(type.get(), address, source.rows(pid), serialization));
    }
    return new ReplayReport(List.copyOf(machines), List.copyOf(skipped));
  }

  private static ReplayReport.Machine check(
      MachineType<?, ?> type, Address address, List<JournalRow> rows, Serialization serialization) {
    // A row holds one step (StepTaken) or several (StepsTaken, a group commit); steps are
    // numbered 1.. across rows, as the machine's seqNr counts them.
    List<StepTaken> events = new ArrayList<>(rows.size());
    ReplayReport.Divergence unreadable = null;
    long expectedRow = 1;
    for (JournalRow row : rows) {
      long nextStep = events.size() + 1;
      if (row.sequenceNumber() != expectedRow) {
        unreadable = new ReplayReport.Divergence(address, nextStep, "the journal has no event "
            + expectedRow + " (next is " + row.sequenceNumber() + "); the check needs every event from 1");
        break;
      }
      expectedRow++;
      try {
        Object event = serialization.deserialize(row.payload(), row.serializerId(), row.manifest()).get();
        if (event instanceof StepTaken step) events.add(step);
        else if (event instanceof StepsTaken batch) events.addAll(batch.steps());
        else throw new IllegalStateException("not an RSM step: " + event.getClass().getName());
      } catch (Exception e) {
        unreadable = new ReplayReport.Divergence(address, nextStep,
            "the journaled event cannot be read with the current classes: " + e);
        break;
      }
    }
    Replay.Checked checked = Replay.check(type, address.id(), events);
    if (checked.diverged())
      return new ReplayReport.Machine(address, checked.seqNr() - 1,
          new ReplayReport.Divergence(address, checked.seqNr(), checked.difference()));
    return new ReplayReport.Machine(address, checked.seqNr(), unreadable);
  }

  /** {@code rsm|<type>|<id>} to an address; null for any other persistence id. */
  static Address address(String persistenceId) {
    if (!persistenceId.startsWith("rsm|")) return null;
    int bar = persistenceId.indexOf('|', 4);
    if (bar < 0 || bar == 4 || bar == persistenceId.length() - 1) return null;
    return new Address(persistenceId.substring(4, bar), persistenceId.substring(bar + 1));
  }
}
