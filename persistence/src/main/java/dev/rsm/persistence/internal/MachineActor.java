package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.internal.Protocol.Ack;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.Protocol.Flush;
import dev.rsm.persistence.internal.Protocol.IdleTimeout;
import dev.rsm.persistence.internal.Protocol.ResendTick;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * INTERNAL API. The behaviour of a machine's actor. Awake, it holds the machine's behaviour stack
 * (restart supervision around event sourcing: see {@link MachineBehavior}) and passes every
 * message and signal to it. Hibernating, it holds only the machine's state.
 *
 * <p>A machine hibernates when it has been idle for {@code hibernate-after} with nothing pending:
 * no unacknowledged output, no step unwritten, no input waiting. The whole stack
 * is dropped (an event-sourced behaviour and its layers weigh about twice what the actor itself
 * does); the actor, its mailbox and its place in sharding stay. The next input wakes it: a new
 * stack starts from the state held here, with Pekko's recovery disabled, so that waking reads only
 * the journal's highest sequence number instead of a snapshot and events. The state held is the
 * state the dropped stack had: nobody else writes this machine's journal while its actor lives
 * (the single writer that sharding guarantees for the event-sourced behaviour as well).
 *
 * <p>Armed durable timers stay in the held state; one scheduled message, the firing of the timer
 * due first, wakes the machine, whose new stack re-arms them all. A machine with armed timers does
 * not passivate (nothing would be left to fire them); one without passivates {@code
 * passivate-after} after its last input, hibernating or not.
 *
 * <p>While hibernating, messages that cannot concern it are dropped: acknowledgements (it has
 * nothing unacknowledged), ticks of the dropped stack, and Pekko's late replies to it (such as a
 * snapshot deletion's). A timer firing wakes it even if it is a stray of the dropped stack: the
 * new stack finds such a firing stale and ignores it.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
final class MachineActor extends ExtensibleBehavior<Object> {
  final MachineEnvironment env;
  final Address address;
  final Consumer<ActorRef<Command>> passivate;
  private Behavior<Object> awake; // null while hibernating
  // The hibernating machine's state, handed to the next stack (and to that stack only once: a
  // stack restarted after a failure recovers from the journal).
  private RuntimeState held;
  // While hibernating: the passivation (an idle timeout) or, with timers armed, the first firing.
  private Cancellable wakeUp;

  private MachineActor(MachineEnvironment env, Address address, Consumer<ActorRef<Command>> passivate) {
    this.env = env;
    this.address = address;
    this.passivate = passivate;
  }

  static Behavior<Command> create(MachineEnvironment env, Address address, Consumer<ActorRef<Command>> passivate) {
    return Behaviors.setup(ctx -> (Behavior) new MachineActor(env, address, passivate).wake((TypedActorContext) ctx));
  }

  private Behavior<Object> wake(TypedActorContext<Object> c) {
    if (wakeUp != null) {
      wakeUp.cancel();
      wakeUp = null;
    }
    boolean waking = held != null;
    awake = Behavior.start(MachineBehavior.stack(this), c);
    if (waking) env.observer().woke(address);
    held = null; // taken by the stack's first start, or never if it failed to start
    return Behavior.isAlive(awake) ? this : awake;
  }

  /** The state the stack starts from: the hibernated one once after waking, else null (recover). */
  RuntimeState takeHeld() {
    RuntimeState s = held;
    held = null;
    return s;
  }

  /**
   * Called by the stack, while it handles its idle timeout, when the machine may hibernate: the
   * stack is dropped once that message has been handled. {@code wakeUp} is what the stack
   * scheduled to end the hibernation: its idle timeout at {@code passivate-after} after the last
   * input, or the firing of its first timer.
   */
  void hibernate(RuntimeState state, Cancellable wakeUp) {
    held = state;
    this.wakeUp = wakeUp;
  }

  @Override
  public Behavior<Object> receive(TypedActorContext<Object> c, Object msg) {
    if (awake != null) return adopt(Behavior.interpretMessage(awake, c, msg), c);
    if (msg == IdleTimeout.INSTANCE) { // passivate-after elapsed while hibernating
      wakeUp = null;
      passivate.accept((ActorRef) c.asJava().getSelf());
      return Behaviors.same();
    }
    if (!(msg instanceof Command) || msg instanceof Ack || msg instanceof ResendTick
        || msg == Flush.INSTANCE) return Behaviors.same(); // see above
    Behavior<Object> started = wake(c);
    return started == this ? adopt(Behavior.interpretMessage(awake, c, msg), c) : started;
  }

  @Override
  public Behavior<Object> receiveSignal(TypedActorContext<Object> c, Signal signal) {
    if (awake != null) return adopt(Behavior.interpretSignal(awake, c, signal), c);
    if (signal == PostStop.instance() && wakeUp != null) wakeUp.cancel();
    return Behaviors.same();
  }

  /** Keeps what the stack became; drops it if it asked to hibernate; passes on unhandled and stopping. */
  private Behavior<Object> adopt(Behavior<Object> next, TypedActorContext<Object> c) {
    if (Behavior.isUnhandled(next) || !Behavior.isAlive(next)) return next;
    if (held != null) { // the stack asked to hibernate (while awake, held is only set for that)
      awake = null;
      env.observer().hibernated(address);
      return Behaviors.same();
    }
    awake = Behavior.canonicalize(next, awake, c);
    return Behaviors.same();
  }
}
