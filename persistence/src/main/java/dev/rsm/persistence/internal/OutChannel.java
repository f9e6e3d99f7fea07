package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.StepTaken.Sent;
import java.util.ArrayDeque;
import org.apache.pekko.actor.InternalActorRef;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * INTERNAL API. The sending side of one channel: the last sequence number assigned, the outputs
 * not yet acknowledged (in order), and transient resend bookkeeping.
 */
final class OutChannel {
  long lastSeq;
  long acked;
  // The outputs not yet acknowledged. NONE (shared, never added to) while a hibernated machine's
  // channel has none: an idle channel then holds its numbers and no buffer (see compact).
  ArrayDeque<Sent> unacked = new ArrayDeque<>(4);
  private static final ArrayDeque<Sent> NONE = new ArrayDeque<>(0);

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
  // Transient: the receiver's own actor, learned from an acknowledgement within this JVM. While it
  // lives, outputs go straight to it instead of through the transport (for sharding, a hop through
  // the shard region and one through the shard). routedUpTo is the last output sent through the
  // transport: a direct send must not overtake it, or the receiver would drop it as out of order.
  ActorRef<Command> route;
  long routedUpTo;

  OutChannel(RuntimeState owner, Address to, long lastSeq, long acked) {
    this.owner = owner;
    this.to = to;
    this.lastSeq = lastSeq;
    this.acked = acked;
    this.sentUpTo = acked;
    this.journaledUpTo = lastSeq;
  }

  /**
   * Where the next output goes: the receiver's actor, if one is known, alive, and nothing sent
   * through the transport is still unacknowledged; else null (the transport). A receiver that
   * stops after this check loses the output to dead letters, and the resend brings it.
   */
  ActorRef<Command> directRoute() {
    ActorRef<Command> r = route;
    if (r == null || routedUpTo > acked) return null;
    if (Adapter.toClassic(r) instanceof InternalActorRef i && !i.isTerminated()) return r;
    route = null; // passivated, moved or restarted: sharding finds its next incarnation
    return null;
  }

  void append(Sent s) {
    lastSeq = s.seq();
    if (unacked == NONE) unacked = new ArrayDeque<>(4);
    unacked.addLast(s);
  }

  /**
   * Drops what an idle channel no longer uses: its empty output buffer and the receiver's actor.
   * What remains is what the channel must keep for as long as both machines exist: the numbers
   * its next output and the receiver's duplicates are judged by.
   */
  void compact() {
    if (unacked.isEmpty()) unacked = NONE;
    route = null;
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
