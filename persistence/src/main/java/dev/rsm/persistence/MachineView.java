package dev.rsm.persistence;

import dev.rsm.persistence.internal.Payload;
import dev.rsm.persistence.internal.RsmSerializable;

/**
 * A consistent read of one machine: its user state after {@code seqNr} journaled steps, the number
 * of outputs not yet acknowledged by their receivers, the number of armed timers and the deadline
 * of the earliest one (epoch milliseconds of recorded time, 0 when none is armed).
 */
public record MachineView(
    @Payload Object state, long seqNr, int unackedOutputs, int armedTimers, long nextTimerAt)
    implements RsmSerializable {

  /** A view without armed timers' deadline ({@code nextTimerAt} 0). */
  public MachineView(Object state, long seqNr, int unackedOutputs, int armedTimers) {
    this(state, seqNr, unackedOutputs, armedTimers, 0);
  }
}
