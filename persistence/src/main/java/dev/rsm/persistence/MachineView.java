package dev.rsm.persistence;

import dev.rsm.persistence.internal.Payload;
import dev.rsm.persistence.internal.RsmSerializable;

/**
 * A consistent read of one machine: its user state after {@code seqNr} journaled steps, the number
 * of outputs not yet acknowledged by their receivers, and the number of armed timers.
 */
public record MachineView(@Payload Object state, long seqNr, int unackedOutputs, int armedTimers)
    implements RsmSerializable {}
