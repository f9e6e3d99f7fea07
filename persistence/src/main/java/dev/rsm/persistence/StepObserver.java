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

  /**
   * An input from another machine or a timer was journaled as rejected (a "poison" input): its
   * handler failed {@code max-attempts} times, or it is not an input of the machine's type.
   * Reported when the rejection is taken, before its write.
   */
  default void rejected(Address machine, Object input) {}

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

  /** The machine, idle with nothing pending, asked Cluster Sharding to stop it (passivation). */
  default void passivated(Address machine) {}

  /** The machine's actor stopped; {@code hibernating} tells whether it was hibernating then. */
  default void stopped(Address machine, boolean hibernating) {}
}
