package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
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

  // The state this channel belongs to: an Ack hands the channel back (see Protocol.Deliver), and
  // only the current incarnation's channels may be used that way.
  final RuntimeState owner;
  final Address to;
  // Listed in RuntimeState.pending, the channels the resend tick looks at.
  boolean pending;

  OutChannel(RuntimeState owner, Address to, long lastSeq, long acked) {
    this.owner = owner;
    this.to = to;
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
    long upToNow = Math.min(upTo, lastSeq);
    if (unacked.size() == lastSeq - acked) {
      // The usual case: unacked holds exactly acked+1 .. lastSeq, so the count to drop is known
      // without reading each output (by the time its acknowledgement comes, no longer in cache).
      for (long n = upToNow - acked; n > 0; n--) unacked.pollFirst();
    } else {
      while (!unacked.isEmpty() && unacked.peekFirst().seq() <= upToNow) unacked.pollFirst();
    }
    acked = upToNow;
    if (sentUpTo < acked) sentUpTo = acked;
    return true;
  }
}
