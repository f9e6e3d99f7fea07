package dev.rsm.persistence.internal;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rsm.actors.Address;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineView;
import org.apache.pekko.actor.typed.ActorRef;

/** INTERNAL API. The messages a machine actor understands. */
public final class Protocol {
  private Protocol() {}

  /** Every message to a machine. Remote ones are serializable; the local ticks never leave. */
  public interface Command {}

  /**
   * Message {@code seq} on the channel {@code from} → receiver. {@code ackTo} is the sending
   * incarnation's own ref, a shortcut for the acknowledgement (no sharding round); if it is gone,
   * the ack is lost and the sender's resend, deduplicated here, brings a fresh one. {@code channel}
   * is the sender's own object for the channel, handed back in the {@link Ack} so that the sender
   * need not look it up; it only exists within one JVM (never serialized) and the receiver does
   * nothing with it but return it. {@code trace} is the W3C traceparent of the delivery's span when
   * tracing is on ({@link Tracing}), else null and left out of the message; a node that does not
   * know the field ignores it.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Deliver(Address from, long seq, @Payload Object input, ActorRef<Command> ackTo,
      @JsonIgnore Object channel, String trace) implements Command, RsmSerializable {
    /** Without a trace context. */
    public Deliver(Address from, long seq, Object input, ActorRef<Command> ackTo, Object channel) {
      this(from, seq, input, ackTo, channel, null);
    }
  }

  /**
   * The receiver {@code from} has handled every message up to {@code upTo} on its channel, and its
   * high-water mark there is {@code hw} (at least {@code upTo}: a duplicate below the mark is
   * acknowledged only up to the message before it, whose content the receiver cannot compare; see
   * MachineBehavior). A mark beyond anything the sender numbered means the sender's journal lost
   * steps, or that this incarnation of the sender is stale (another wrote and sent since): the
   * sender asks the journal which ({@link Sender}). {@code channel} is the one its {@link Deliver} carried, and {@code by} the receiver's
   * own ref, which the sender may deliver to directly while it lives (both null from another JVM).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Ack(Address from, long upTo, long hw, @JsonIgnore Object channel,
      @JsonIgnore ActorRef<Command> by) implements Command, RsmSerializable {}

  /**
   * An input from outside; {@code key} is the idempotency key, or null. {@code trace} is the W3C
   * traceparent of the caller's span when tracing is on ({@link Tracing}), else null and left out.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Ingress(String key, @Payload Object input, ActorRef<IngressResult> replyTo, String trace)
      implements Command, RsmSerializable {
    /** Without a trace context. */
    public Ingress(String key, Object input, ActorRef<IngressResult> replyTo) {
      this(key, input, replyTo, null);
    }
  }

  /** Asks for the machine's state: the answer is a {@link MachineView}, or {@link NotLeased}. */
  public record GetState(ActorRef<Object> replyTo) implements Command, RsmSerializable {}

  /**
   * The answer of a machine whose node does not hold its shard's lease now (see {@link Tenure}),
   * to a state read; an input gets {@link IngressResult.Unavailable.Reason#NOT_LEASED}.
   */
  public record NotLeased(Address machine) implements RsmSerializable {}

  /** A durable timer fired (local). */
  public record TimerFired(String name, long generation) implements Command {}

  /** Resend unacknowledged outputs whose backoff has elapsed (local); {@code owner} scheduled it. */
  public record ResendTick(Object owner) implements Command {}

  /**
   * The journal's highest sequence number for this machine ({@code highest}, -1 if the journal did
   * not answer), asked by {@code owner} (the machine's {@link Sender}) when the receiver {@code to}
   * acknowledged up to a high-water mark {@code hw} beyond {@code lastSeq}, the last number the
   * channel gave (local). Rows beyond this incarnation's own mean another incarnation wrote them.
   */
  public record JournalChecked(Object owner, Address to, long hw, long lastSeq, long highest) implements Command {}

  /**
   * The outcome of one of the machine's effects, from the node's {@link EffectRunner} (through the
   * transport: the machine may live elsewhere by now). Handled once: a step with origin {@link
   * Origin.Effect}; a copy for an effect no longer pending is dropped.
   */
  public record EffectDone(Envelopes.EffectOutcome outcome) implements Command, RsmSerializable {}

  /** Journal the steps taken since the last write completed, as one write (local). */
  public enum Flush implements Command {
    INSTANCE
  }

  /** Nothing happened for {@code passivate-after} (local). */
  public enum IdleTimeout implements Command {
    INSTANCE
  }
}
