package dev.rsm.persistence;

import dev.rsm.actors.Address;

/**
 * Observes steps as they are journaled, and machines as they hibernate and wake, for benchmarks
 * and metrics. Called on the machine's own
 * thread right after the step's event is written and its outputs were handed to the transport
 * (before the input is acknowledged); never called for steps replayed during recovery, nor for
 * inputs that were only deduplicated.
 *
 * <p>It must be cheap and must not block: it runs on the per-message path of every machine. It
 * cannot influence what machines do, so it keeps handlers pure. Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface StepObserver {

  StepObserver NONE = (machine, input, seqNr) -> {};

  /**
   * @param machine the machine that took the step
   * @param input the input it handled
   * @param seqNr the step's position in the machine's journal
   */
  void stepJournaled(Address machine, Object input, long seqNr);

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
}
