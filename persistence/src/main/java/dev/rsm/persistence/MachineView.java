package dev.rsm.persistence;

import dev.rsm.persistence.internal.Payload;
import dev.rsm.persistence.internal.RsmSerializable;

/**
 * A consistent read of one machine: its user state after {@code seqNr} journaled steps, the number
 * of outputs not yet acknowledged by their receivers (sends and calls, and answers to calls it
 * served), the number of armed timers (a call's timeout among them) and the deadline of the
 * earliest one (epoch milliseconds of recorded time, 0 when none is armed), and the number of
 * effects requested whose outcome it has not handled yet.
 */
public record MachineView(
    @Payload Object state, long seqNr, int unackedOutputs, int armedTimers, long nextTimerAt, int pendingEffects)
    implements RsmSerializable {

  /** A view without pending effects. */
  public MachineView(Object state, long seqNr, int unackedOutputs, int armedTimers, long nextTimerAt) {
    this(state, seqNr, unackedOutputs, armedTimers, nextTimerAt, 0);
  }

  /** A view without armed timers' deadline ({@code nextTimerAt} 0) nor pending effects. */
  public MachineView(Object state, long seqNr, int unackedOutputs, int armedTimers) {
    this(state, seqNr, unackedOutputs, armedTimers, 0, 0);
  }
}
