package dev.rsm.app.metrics;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.StepObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The runtime's events as Micrometer meters, one set per machine type (tag {@code type});
 * {@link RsmMetrics#observe} chains it with the node's other observers. The meters of the node's types exist from the start, at
 * zero, so that an alert on a rate or a gauge has a series to read before the first event. The
 * names are listed, with what to alert on, in docs/observability.md.
 */
final class MicrometerObserver implements StepObserver {
  private final MeterRegistry registry;
  private final boolean histograms;
  private final ConcurrentHashMap<String, TypeMeters> byType = new ConcurrentHashMap<>();

  MicrometerObserver(MeterRegistry registry, MachineRegistry types, boolean histograms) {
    this.registry = registry;
    this.histograms = histograms;
    for (MachineType<?, ?> t : types.types()) of(t.name());
  }

  /** The meters of one machine type. */
  private final class TypeMeters {
    final Counter steps;
    final Timer writes;
    final DistributionSummary stepsPerWrite;
    final Counter rejected;
    final Counter resent;
    // Adders, not atomics: every machine of the type changes them, from every dispatcher thread.
    final LongAdder unacked = new LongAdder();
    final Counter timersArmed;
    final Counter timersFired;
    final Counter divergedFailed;
    final Counter divergedAdopted;
    final Counter idempotentReplays;
    final LongAdder awake = new LongAdder();
    final LongAdder hibernated = new LongAdder();
    final Counter passivations;

    TypeMeters(String type) {
      steps = counter("rsm.steps", type, "Steps journaled (inputs handled)");
      writes = Timer.builder("rsm.journal.writes").tag("type", type)
          .description("Journal writes of machines, from handing the row to the journal to its confirmation")
          .publishPercentileHistogram(histograms).register(registry);
      stepsPerWrite = DistributionSummary.builder("rsm.journal.write.steps").tag("type", type).baseUnit("steps")
          .description("Steps per journal row (group commit)").register(registry);
      rejected = counter("rsm.inputs.rejected", type,
          "Inputs from machines or timers journaled as rejected (poison: the handler failed max-attempts times, "
              + "or not an input of the type)");
      resent = counter("rsm.outputs.resent", type, "Outputs put on the wire again (not acknowledged in time, or after recovery)");
      Gauge.builder("rsm.outputs.unacked", unacked, LongAdder::sum).tag("type", type)
          .description("Outputs of awake machines not yet acknowledged by their receivers").register(registry);
      timersArmed = counter("rsm.timers.armed", type, "Durable timers armed by journaled steps");
      timersFired = counter("rsm.timers.fired", type, "Durable timers fired (their step journaled)");
      divergedFailed = Counter.builder("rsm.replay.divergences").tags("type", type, "outcome", "failed")
          .description("Replayed steps whose outputs differ from the journaled ones").register(registry);
      divergedAdopted = Counter.builder("rsm.replay.divergences").tags("type", type, "outcome", "adopted")
          .description("Replayed steps whose outputs differ from the journaled ones").register(registry);
      idempotentReplays = counter("rsm.ingress.idempotent.replays", type,
          "External inputs that repeated a seen idempotency key and got the recorded reply");
      Gauge.builder("rsm.machines", awake, LongAdder::sum).tags("type", type, "state", "awake")
          .description("Machines on this node, awake or hibernated").register(registry);
      Gauge.builder("rsm.machines", hibernated, LongAdder::sum).tags("type", type, "state", "hibernated")
          .description("Machines on this node, awake or hibernated").register(registry);
      passivations = counter("rsm.machines.passivations", type, "Idle machines passivated (stopped until their next input)");
    }

    private Counter counter(String name, String type, String description) {
      return Counter.builder(name).tag("type", type).description(description).register(registry);
    }
  }

  private TypeMeters of(String type) {
    TypeMeters m = byType.get(type);
    return m != null ? m : byType.computeIfAbsent(type, TypeMeters::new);
  }

  @Override
  public void stepJournaled(Address machine, Object input, long seqNr) {
    of(machine.type()).steps.increment();
  }

  @Override
  public void journalWritten(Address machine, int steps, long nanos) {
    TypeMeters m = of(machine.type());
    m.writes.record(nanos, TimeUnit.NANOSECONDS);
    m.stepsPerWrite.record(steps);
  }

  @Override
  public void rejected(Address machine, String origin, Object input, String reason, long seqNr) {
    // Poison inputs: journaled as rejected. An external caller's failed input (seqNr 0) is a 500
    // in the ingress's own meter.
    if (seqNr > 0) of(machine.type()).rejected.increment();
  }

  @Override
  public void resent(Address machine, int outputs) {
    of(machine.type()).resent.increment(outputs);
  }

  @Override
  public void unackedChanged(Address machine, int delta) {
    of(machine.type()).unacked.add(delta);
  }

  @Override
  public void timersArmed(Address machine, int timers) {
    of(machine.type()).timersArmed.increment(timers);
  }

  @Override
  public void timerFired(Address machine) {
    of(machine.type()).timersFired.increment();
  }

  @Override
  public void replayDiverged(Address machine, boolean adopted) {
    TypeMeters m = of(machine.type());
    (adopted ? m.divergedAdopted : m.divergedFailed).increment();
  }

  @Override
  public void idempotentReplay(Address machine) {
    of(machine.type()).idempotentReplays.increment();
  }

  @Override
  public void started(Address machine) {
    of(machine.type()).awake.increment();
  }

  @Override
  public void hibernated(Address machine) {
    TypeMeters m = of(machine.type());
    m.awake.decrement();
    m.hibernated.increment();
  }

  @Override
  public void woke(Address machine) {
    TypeMeters m = of(machine.type());
    m.hibernated.decrement();
    m.awake.increment();
  }

  @Override
  public void passivated(Address machine) {
    of(machine.type()).passivations.increment();
  }

  @Override
  public void effectAttempted(Address machine, String effect, boolean ok, long nanos) {
    // Per effect name as well as type: a few names per type, each a handful of series.
    Timer.builder("rsm.effects.attempts").tags("type", machine.type(), "effect", effect, "outcome", ok ? "ok" : "failed")
        .description("Attempts at effects, by outcome (failed: threw or timed out), and how long they took")
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void effectHandled(Address machine, String effect, boolean ok) {
    Counter.builder("rsm.effects.outcomes").tags("type", machine.type(), "effect", effect, "outcome", ok ? "ok" : "failed")
        .description("Effects' outcomes handled by their machines: ok, or failed after every attempt allowed")
        .register(registry).increment();
  }

  @Override
  public void stopped(Address machine, boolean hibernating) {
    TypeMeters m = of(machine.type());
    (hibernating ? m.hibernated : m.awake).decrement();
  }
}
