package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.Protocol.Deliver;
import dev.rsm.persistence.internal.Protocol.GetState;
import dev.rsm.persistence.internal.Protocol.Ingress;
import dev.rsm.persistence.internal.Protocol.TimerFired;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * INTERNAL API. One machine's side of its node's {@link Tenure}: whether it may answer now, and
 * what it does with a command when it may not. A machine whose node does not hold its lease may not
 * be its only live copy, so it answers nothing: an input is refused (nothing handled), a read too;
 * an input from another machine is dropped unacknowledged (its sender resends it, to this node once
 * it holds the lease again or to the node that took the machine over); a timer firing waits.
 */
final class Tenancy {
  private final Address self;
  private final BooleanSupplier held;

  Tenancy(Address self, Tenure tenure) {
    this.self = self;
    this.held = tenure.of(self);
  }

  /** Whether the machine may answer now. */
  boolean holds() {
    return held.getAsBoolean();
  }

  /**
   * Refuses {@code c} if it is an answering command (input, delivery, timer, read) and the lease
   * is not held; returns whether it did.
   */
  boolean refused(Command c, Supplier<DurableTimers> timers, Duration retryTimerAfter) {
    if (!(c instanceof Deliver || c instanceof Ingress || c instanceof TimerFired || c instanceof GetState) || holds())
      return false;
    if (c instanceof Ingress in)
      in.replyTo().tell(new IngressResult.Unavailable(IngressResult.Unavailable.Reason.NOT_LEASED,
          "machine " + self + " is not answering on this node now: the node does not hold the lease of its shard; retry"));
    else if (c instanceof GetState g) g.replyTo().tell(new Protocol.NotLeased(self));
    else if (c instanceof TimerFired f) timers.get().start(f.name(), f, retryTimerAfter);
    return true;
  }

  /** A read's answer: the state, or NotLeased if the lease ran out meanwhile (during a write). */
  Object view(RuntimeState s) {
    return holds() ? s.view() : new Protocol.NotLeased(self);
  }

  /**
   * Before a write. Steps taken while the lease was held are not written once it ran out: the
   * machine restarts from its journal; their callers hear NOT_CONFIRMED (stopped) and retry with
   * their keys, their senders resend.
   */
  void checkBeforeWrite() {
    if (!holds())
      throw new IllegalStateException("machine " + self + ": the node no longer holds the lease of its shard; "
          + "steps taken before are not written, and the machine restarts from its journal");
  }
}
