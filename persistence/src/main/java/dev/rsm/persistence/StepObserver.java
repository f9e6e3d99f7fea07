package dev.rsm.persistence;

import dev.rsm.actors.Address;

/**
 * Observes what the runtime does with machines, for metrics and benchmarks: steps as they are
 * journaled, journal writes, rejected inputs, resends, unacknowledged outputs, timers, replay
 * divergences, idempotent replays, and each machine's lifecycle (awake, hibernated, passivated,
 * stopped). The runtime reports events; what is made of them (counters, gauges) is the
 * implementation's business, so this module needs no metrics library.
 *
 * <p>Every method is called on the machine's own thread, on its per-message path: it must be cheap,
 * must not block and must not throw. It cannot influence what machines do, so it keeps handlers
 * pure. Events of steps replayed during recovery are not reported (except {@link
 * #replayDiverged}), nor inputs that were only deduplicated. Production without metrics uses
 * {@link #NONE}; every method but {@link #stepJournaled} does nothing unless overridden.
 */
@FunctionalInterface
public interface StepObserver {

  StepObserver NONE = (machine, input, seqNr) -> {};

  /**
   * A step was journaled and its outputs handed to the transport (before the input is
   * acknowledged).
   *
   * @param machine the machine that took the step
   * @param input the input it handled
   * @param seqNr the step's position in the machine's journal
   */
  void stepJournaled(Address machine, Object input, long seqNr);

  /**
   * A journal write of the machine completed: {@code steps} steps in one row (group commit), {@code
   * nanos} from handing the row to the journal until its write was confirmed.
   */
  default void journalWritten(Address machine, int steps, long nanos) {}

  /** {@code outputs} unacknowledged outputs of the machine were put on the wire again. */
  default void resent(Address machine, int outputs) {}

  /**
   * The machine's count of unacknowledged outputs changed by {@code delta}. The deltas of an
   * incarnation sum to zero when it stops or hibernates, so their running sum over a node is the
   * number of outputs its awake machines wait to see acknowledged.
   */
  default void unackedChanged(Address machine, int delta) {}

  /** A journaled step of the machine armed (or re-armed) {@code timers} durable timers. */
  default void timersArmed(Address machine, int timers) {}

  /** A durable timer of the machine fired and its step was journaled. */
  default void timerFired(Address machine) {}

  /**
   * Recovery re-ran a journaled step of the machine and its outputs differ from the journaled
   * ones: with {@code adopted} false, recovery fails; with true ({@code adopt-journaled-outputs})
   * the journaled outputs are kept.
   */
  default void replayDiverged(Address machine, boolean adopted) {}

  /** An external input repeated a seen idempotency key and got the recorded reply. */
  default void idempotentReplay(Address machine) {}

  /** The machine's actor started (from its journal) and is awake. */
  default void started(Address machine) {}

  /** The machine, idle, dropped its event-sourced behaviour and holds only its state. */
  default void hibernated(Address machine) {}

  /** The hibernated machine got an input and runs again from the state it held. */
  default void woke(Address machine) {}

  /**
   * The machine's handler failed on an input for good: an input from a machine or a timer after
   * {@code max-attempts}, journaled as rejected at step {@code seqNr} (its channel moves on), or an
   * external caller's input, answered with an error and not journaled ({@code seqNr} 0). Called on
   * the machine's thread, after the rejection's journal write when there is one.
   *
   * @param origin where the input came from, as the journal shows it ({@code account/a#3},
   *     {@code external key=k1}, {@code timer:t:2})
   * @param reason the handler's exception, as {@code ExceptionClass: message}
   */
  default void rejected(Address machine, String origin, Object input, String reason, long seqNr) {}

  /** The machine, idle with nothing pending, asked Cluster Sharding to stop it (passivation). */
  default void passivated(Address machine) {}

  /** The machine's actor stopped; {@code hibernating} tells whether it was hibernating then. */
  default void stopped(Address machine, boolean hibernating) {}

  /**
   * One attempt at the effect {@code effect} of {@code machine} ended, after {@code nanos}: it
   * succeeded, or it failed (threw or timed out). Called on an effect thread.
   */
  default void effectAttempted(Address machine, String effect, boolean ok, long nanos) {}

  /**
   * The machine handled the outcome of its effect {@code effect}: {@code ok}, or a failure after
   * every attempt its policy allowed. Called on the machine's thread, after the outcome's journal
   * write.
   */
  default void effectHandled(Address machine, String effect, boolean ok) {}

  /**
   * This observer, then {@code next}: every event goes to both, in that order. (Overrides every
   * method, so neither misses one; a test checks that none is left to the interface's default.)
   */
  default StepObserver andThen(StepObserver next) {
    StepObserver first = this;
    if (next == NONE) return first;
    if (first == NONE) return next;
    return new StepObserver() {
      @Override
      public void stepJournaled(Address machine, Object input, long seqNr) {
        first.stepJournaled(machine, input, seqNr);
        next.stepJournaled(machine, input, seqNr);
      }

      @Override
      public void journalWritten(Address machine, int steps, long nanos) {
        first.journalWritten(machine, steps, nanos);
        next.journalWritten(machine, steps, nanos);
      }

      @Override
      public void resent(Address machine, int outputs) {
        first.resent(machine, outputs);
        next.resent(machine, outputs);
      }

      @Override
      public void unackedChanged(Address machine, int delta) {
        first.unackedChanged(machine, delta);
        next.unackedChanged(machine, delta);
      }

      @Override
      public void timersArmed(Address machine, int timers) {
        first.timersArmed(machine, timers);
        next.timersArmed(machine, timers);
      }

      @Override
      public void timerFired(Address machine) {
        first.timerFired(machine);
        next.timerFired(machine);
      }

      @Override
      public void replayDiverged(Address machine, boolean adopted) {
        first.replayDiverged(machine, adopted);
        next.replayDiverged(machine, adopted);
      }

      @Override
      public void idempotentReplay(Address machine) {
        first.idempotentReplay(machine);
        next.idempotentReplay(machine);
      }

      @Override
      public void started(Address machine) {
        first.started(machine);
        next.started(machine);
      }

      @Override
      public void hibernated(Address machine) {
        first.hibernated(machine);
        next.hibernated(machine);
      }

      @Override
      public void woke(Address machine) {
        first.woke(machine);
        next.woke(machine);
      }

      @Override
      public void rejected(Address machine, String origin, Object input, String reason, long seqNr) {
        first.rejected(machine, origin, input, reason, seqNr);
        next.rejected(machine, origin, input, reason, seqNr);
      }

      @Override
      public void passivated(Address machine) {
        first.passivated(machine);
        next.passivated(machine);
      }

      @Override
      public void stopped(Address machine, boolean hibernating) {
        first.stopped(machine, hibernating);
        next.stopped(machine, hibernating);
      }

      @Override
      public void effectAttempted(Address machine, String effect, boolean ok, long nanos) {
        first.effectAttempted(machine, effect, ok, nanos);
        next.effectAttempted(machine, effect, ok, nanos);
      }

      @Override
      public void effectHandled(Address machine, String effect, boolean ok) {
        first.effectHandled(machine, effect, ok);
        next.effectHandled(machine, effect, ok);
      }
    };
  }
}
