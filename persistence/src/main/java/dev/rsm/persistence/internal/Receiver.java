package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol.Deliver;
import org.slf4j.Logger;

/**
 * INTERNAL API. The receiving side of a channel: what to do with message {@code seq} given the
 * channel's high-water mark {@code hw}, the sequence number of the last message handled on it.
 *
 * <ul>
 *   <li>{@code seq == hw + 1}: the next message, handled as a step;
 *   <li>{@code seq > hw + 1}: a gap, dropped; the sender resends in order;
 *   <li>{@code seq <= hw}: a duplicate, acknowledged again and not handled, after a check that a
 *       duplicate of message {@code hw} is that message (see {@link #sameAsHandled}).
 * </ul>
 */
final class Receiver {
  private Receiver() {}

  sealed interface Verdict {}

  enum Simple implements Verdict {
    /** Handle it: the next message of the channel. */
    NEXT,
    /** Drop it: messages before it are missing, and the sender resends them first. */
    GAP,
    /** Neither handle nor acknowledge it: see {@link #sameAsHandled}. */
    REFUSED
  }

  /** Acknowledge again, up to {@code upTo}; the channel's high-water mark is {@code hw}. */
  record Duplicate(long upTo, long hw) implements Verdict {}

  /** @param comparing what a duplicate is compared with the handled message as (the journal's encoding) */
  static Verdict classify(RuntimeState s, Deliver d, PayloadBytes comparing, Address self, Logger log) {
    long hw = s.highWater(d.from());
    if (d.seq() == hw + 1) return Simple.NEXT;
    if (d.seq() > hw + 1) return Simple.GAP;
    // Only the message under hw is kept to compare a duplicate with: one below it is
    // acknowledged up to hw - 1, and hw itself once its own duplicate proves the same.
    if (d.seq() == hw && !sameAsHandled(s, d, comparing, self, log)) return Simple.REFUSED;
    return new Duplicate(d.seq() == hw ? hw : hw - 1, hw);
  }

  /**
   * Whether a duplicate of the last message handled on its channel is that message. A sender
   * whose journal lost steps after their outputs were delivered (a store that lost acknowledged
   * writes) numbers new messages with the lost ones' sequence numbers; acknowledging such a
   * message as a duplicate would drop it unseen. It is refused instead, loudly, and stays with
   * its sender.
   */
  private static boolean sameAsHandled(RuntimeState s, Deliver d, PayloadBytes comparing, Address self, Logger log) {
    Object handled = s.inbound(d.from()).last;
    if (handled == null || comparing.same(handled, d.input())) return true;
    log.error("channel {} -> {}: message #{} is {}, but this machine handled {} under #{}: the sender's journal "
        + "lost steps whose outputs had been delivered (its store lost acknowledged writes). Not acknowledged: "
        + "the message stays with the sender", d.from(), self, d.seq(), StepRecorder.describe(d.input()),
        StepRecorder.describe(handled), d.seq());
    return false;
  }
}
