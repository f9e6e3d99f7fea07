package dev.rsm.persistence.internal;

import dev.rsm.persistence.internal.Protocol.Ack;
import dev.rsm.persistence.internal.Protocol.Command;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.internal.InterceptorImpl;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.internal.Running;

/**
 * INTERNAL API. In front of a machine's event-sourced behaviour, on the actor's thread.
 * Acknowledgements are applied here once the machine has recovered: they change no journaled state
 * (see RuntimeState), so they need neither the command path of an EventSourcedBehavior nor to wait
 * in its stash while a write is in flight. Every other command is counted and passed on: {@code
 * arrived} minus the commands the behaviour handled is how many Pekko holds in its stash during a
 * write.
 *
 * <p>It holds the event-sourced behaviour as its own state, and answers "same" to the layers
 * around it (restart supervision, MachineActor) as long as that behaviour lives. An event-sourced
 * actor changes behaviour twice per persisted command (handling → persisting → handling); had the
 * supervisor seen those changes, it would have allocated a new wrapper and searched the stack
 * below it for duplicates, every time.
 */
// Typed on Object: the event-sourced behaviour also receives Pekko's own messages (journal
// responses, recovery permits), which are not Commands and are passed on uncounted.
@SuppressWarnings({"unchecked", "rawtypes"})
final class Front extends ExtensibleBehavior<Object> {
  private final Sender sender;
  long arrived;
  // The machine's state once recovered (one mutable object from then on): acknowledgements apply
  // to it here. Null while recovering: they go through the behaviour then.
  RuntimeState live;
  private Behavior<Object> inner;

  Front(Sender sender) {
    this.sender = sender;
  }

  /**
   * The sequence number of the journal's last row as Pekko's event sourcing holds it: the one it
   * read at recovery, plus its own writes. Read from the behaviour itself, as Pekko's {@code
   * lastSequenceNumber(ctx)} does, which cannot see it through the layers around this stack.
   */
  long journalSeqNr() {
    Behavior<?> b = inner;
    while (b instanceof InterceptorImpl<?, ?> i) b = i.nestedBehavior();
    if (b instanceof Running.WithSeqNrAccessible w) return w.currentSequenceNumber();
    throw new IllegalStateException("no sequence number in event sourcing state " + b.getClass().getName());
  }

  Behavior<Command> startWith(Behavior<Command> eventSourced, TypedActorContext<Command> c) {
    inner = Behavior.start((Behavior) eventSourced, (TypedActorContext) c);
    return (Behavior) (Behavior.isAlive(inner) ? this : inner);
  }

  @Override
  public Behavior<Object> receive(TypedActorContext<Object> c, Object msg) {
    if (msg instanceof Ack a && live != null) {
      sender.applyAck(live, a);
      return Behaviors.same();
    }
    if (msg instanceof Command) arrived++;
    return adopt(Behavior.interpretMessage(inner, c, msg), c);
  }

  @Override
  public Behavior<Object> receiveSignal(TypedActorContext<Object> c, Signal signal) {
    return adopt(Behavior.interpretSignal(inner, c, signal), c);
  }

  /** Keeps what the event-sourced behaviour became; passes on only unhandled and stopping. */
  private Behavior<Object> adopt(Behavior<Object> next, TypedActorContext<Object> c) {
    if (Behavior.isUnhandled(next) || !Behavior.isAlive(next)) return next;
    inner = Behavior.canonicalize(next, inner, c);
    return Behaviors.same();
  }
}
