package dev.rsm.persistence.internal;

import dev.rsm.persistence.internal.StepTaken.Sent;
import java.util.ArrayDeque;

/**
 * INTERNAL API. The sending side of one channel: the last sequence number assigned, the outputs
 * not yet acknowledged (in order), and transient resend bookkeeping.
 */
final class OutChannel {
  long lastSeq;
  long acked;
  final ArrayDeque<Sent> unacked = new ArrayDeque<>(4);

  // Transient: the last output known to be journaled (outputs of steps still waiting for their
  // write are in the outbox already but must not leave), what this incarnation has put on the
  // wire, and when to try again.
  long journaledUpTo;
  long sentUpTo;
  long lastSendNanos;
  long backoffNanos;

  OutChannel(long lastSeq, long acked) {
    this.lastSeq = lastSeq;
    this.acked = acked;
    this.sentUpTo = acked;
    this.journaledUpTo = lastSeq;
  }

  void append(Sent s) {
    lastSeq = s.seq();
    unacked.addLast(s);
  }

  /** Drops outputs up to {@code upTo}; returns whether anything new was acknowledged. */
  boolean ack(long upTo) {
    if (upTo <= acked) return false;
    acked = Math.min(upTo, lastSeq);
    while (!unacked.isEmpty() && unacked.peekFirst().seq() <= acked) unacked.pollFirst();
    if (sentUpTo < acked) sentUpTo = acked;
    return true;
  }
}
