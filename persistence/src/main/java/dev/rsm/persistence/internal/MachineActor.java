package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.Protocol.Ack;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.Protocol.Flush;
import dev.rsm.persistence.internal.Protocol.IdleTimeout;
import dev.rsm.persistence.internal.Protocol.JournalChecked;
import dev.rsm.persistence.internal.Protocol.ResendTick;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.SupervisorStrategy;
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
 * the journal's highest sequence number instead of a snapshot and events. The held state is only
 * trusted if that number is still the one the dropped stack had written up to: a second
 * incarnation of the machine (a split brain, two clusters on one database) may have written in
 * the meantime, and a step computed on the held state would then be journaled on top of steps it
 * never saw. When the number moved, the woken stack takes no step: it is dropped, and a new one
 * recovers from the journal and is given every command the first one was given.
 *
 * <p>Armed durable timers stay in the held state; one scheduled message, the firing of the timer
 * due first, wakes the machine, whose new stack re-arms them all. A machine with armed timers does
 * not passivate (nothing would be left to fire them); one without passivates {@code
 * passivate-after} after its last input, hibernating or not.
 *
 * <p>While hibernating, messages that cannot concern it are dropped: acknowledgements (it has
 * nothing unacknowledged), ticks of the dropped stack, answers to its journal checks, and Pekko's
 * late replies to it (such as a snapshot deletion's). A timer firing wakes it even if it is a stray of the dropped stack: the
 * new stack finds such a firing stale and ignores it. A {@code PoisonPill} signal, which Cluster
 * Sharding and the local router ({@link LocalRegistry}) send to passivate, hand off or shut down a
 * machine, stops a hibernating one. Between its request to be passivated and that signal, a
 * hibernating machine does not wake for an input: it keeps it and hands it back to the router
 * with the stop, and the router gives it to the next incarnation (waking would only have the stop
 * drop it from the new stack's stash). Should no stop come within a few seconds, it wakes and
 * takes what it kept. Other signals are left unhandled, as a stopped behaviour's would be.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
final class MachineActor extends ExtensibleBehavior<Object> {
  // At DEBUG, each start or wake and each hibernation: what a test of a node process can see of it.
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MachineActor.class);
  final MachineEnvironment env;
  final Address address;
  private final Consumer<ActorRef<Command>> passivate;
  private boolean stopReported;
  private Behavior<Object> awake; // null while hibernating
  // The hibernating machine's state, handed to the next stack (and to that stack only once: a
  // stack restarted after a failure recovers from the journal).
  private RuntimeState held;
  // The journal's sequence number when the held state was written: the wake-up check (see above).
  private long heldJournalSeqNr;
  // While a stack woken from the held state recovers: every command given to it, for the stack
  // that recovers from the journal instead if the held state proves stale. Null otherwise.
  private ArrayList<Object> sinceWake;
  // Set by a stack that found the journal moved on (a woken one, or an awake one's journal check):
  // replace it once the message is handled.
  private boolean heldWasStale;
  // While hibernating: the passivation (an idle timeout) or, with timers armed, the first firing.
  private Cancellable wakeUp;
  // Once a hibernating machine asked to be passivated: the inputs that reached it since, which
  // it neither wakes for nor drops (see handle and handleSignal). Null otherwise.
  private ArrayList<Command> sincePassivating;

  // How long a hibernating machine that asked to be passivated keeps the inputs that reach it
  // before it gives the passivation up and handles them (a stop normally follows at once).
  private static final java.time.Duration PASSIVATION_OVERDUE = java.time.Duration.ofSeconds(5);

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
    if (waking) sinceWake = new ArrayList<>(4);
    if (LOG.isDebugEnabled()) LOG.debug("machine {} awake", address);
    awake = Behavior.start(stack(), c);
    if (waking) env.observer().woke(address);
    else env.observer().started(address);
    held = null; // taken by the stack's first start, or never if it failed to start
    return Behavior.isAlive(awake) ? this : awake;
  }

  /** The state a stack starts from after hibernation, with the journal position it was written at. */
  record Held(RuntimeState state, long journalSeqNr) {}

  /** The state the stack starts from: the hibernated one once after waking, else null (recover). */
  Held takeHeld() {
    RuntimeState s = held;
    held = null;
    return s == null ? null : new Held(s, heldJournalSeqNr);
  }

  /**
   * Called by the stack when its recovery completed: {@code heldWasStale} when it started from
   * the held state and the journal holds rows written after it (by another incarnation).
   */
  void recovered(boolean heldWasStale) {
    if (heldWasStale) this.heldWasStale = true;
    else sinceWake = null;
  }

  /**
   * Called by an awake stack that found itself stale while handling a message (the journal holds
   * rows another incarnation wrote: see MachineBehavior's journal check): once the message is
   * handled, the stack is replaced by one recovering from the journal.
   */
  void replaceStack() {
    heldWasStale = true;
  }

  /**
   * Called by the stack, while it handles its idle timeout, when the machine may hibernate: the
   * stack is dropped once that message has been handled. {@code wakeUp} is what the stack
   * scheduled to end the hibernation: its idle timeout at {@code passivate-after} after the last
   * input, or the firing of its first timer.
   */
  void hibernate(RuntimeState state, long journalSeqNr, Cancellable wakeUp) {
    if (LOG.isDebugEnabled()) LOG.debug("machine {} hibernated", address);
    state.compact();
    held = state;
    heldJournalSeqNr = journalSeqNr;
    this.wakeUp = wakeUp;
  }

  @Override
  public Behavior<Object> receive(TypedActorContext<Object> c, Object msg) {
    MachineMdc.enter(address, msg);
    try {
      return handle(c, msg);
    } finally {
      MachineMdc.exit();
    }
  }

  private Behavior<Object> handle(TypedActorContext<Object> c, Object msg) {
    if (awake != null) {
      if (sinceWake != null && msg instanceof Command) sinceWake.add(msg);
      return adopt(Behavior.interpretMessage(awake, c, msg), c);
    }
    if (msg == IdleTimeout.INSTANCE) {
      wakeUp = null;
      if (sincePassivating != null && !sincePassivating.isEmpty()) return passivationNotCarriedOut(c);
      // passivate-after elapsed while hibernating
      if (sincePassivating == null) sincePassivating = new ArrayList<>(0);
      passivate((ActorRef) c.asJava().getSelf());
      return Behaviors.same();
    }
    if (!(msg instanceof Command) || msg instanceof Ack || msg instanceof ResendTick
        || msg == Flush.INSTANCE || msg instanceof JournalChecked) return Behaviors.same(); // see above
    if (sincePassivating != null) {
      // Sent before the router (LocalRegistry, a shard) began holding this machine's messages
      // for its next incarnation: kept, and handed back to the router when the stop comes. Waking
      // for it would only have the stop drop it, with whatever the new stack holds in its stash.
      if (sincePassivating.isEmpty())
        wakeUp = c.asJava().scheduleOnce(PASSIVATION_OVERDUE, (ActorRef) c.asJava().getSelf(), IdleTimeout.INSTANCE);
      sincePassivating.add((Command) msg);
      return Behaviors.same();
    }
    Behavior<Object> started = wake(c);
    if (started != this) return started;
    if (sinceWake != null) sinceWake.add(msg);
    return adopt(Behavior.interpretMessage(awake, c, msg), c);
  }

  @Override
  public Behavior<Object> receiveSignal(TypedActorContext<Object> c, Signal signal) {
    MachineMdc.enter(address, signal);
    try {
      return handleSignal(c, signal);
    } finally {
      MachineMdc.exit();
    }
  }

  private Behavior<Object> handleSignal(TypedActorContext<Object> c, Signal signal) {
    if (signal == PostStop.instance()) reportStopped();
    if (awake != null) return adopt(Behavior.interpretSignal(awake, c, signal), c);
    if (signal instanceof org.apache.pekko.actor.typed.internal.PoisonPill) {
      // Passivation or hand-off: the inputs that came after the request go back to the router,
      // which holds this machine's messages until the actor has stopped and then starts the next
      // incarnation with them.
      if (sincePassivating != null) for (Command kept : sincePassivating) env.transport().tell(address, kept);
      sincePassivating = null;
      if (wakeUp != null) wakeUp.cancel();
      return Behaviors.stopped();
    }
    if (signal != PostStop.instance()) return Behaviors.unhandled();
    if (wakeUp != null) wakeUp.cancel();
    return Behaviors.same();
  }

  /**
   * The stop never came (the router declined the passivation): the machine wakes and takes the
   * inputs it kept, in order, and passivates later as any idle machine does.
   */
  private Behavior<Object> passivationNotCarriedOut(TypedActorContext<Object> c) {
    List<Command> kept = sincePassivating;
    sincePassivating = null;
    Behavior<Object> started = wake(c);
    if (started != this) return started;
    for (Command command : kept) {
      if (sinceWake != null) sinceWake.add(command);
      Behavior<Object> next = adopt(Behavior.interpretMessage(awake, c, command), c);
      if (!Behavior.isAlive(next)) return next;
    }
    return Behaviors.same();
  }

  /** Asks Cluster Sharding to stop the idle machine. */
  void passivate(ActorRef<Command> self) {
    env.observer().passivated(address);
    passivate.accept(self);
  }

  /** Once, whichever way the actor stops (a PostStop, or a stack that stopped itself). */
  private void reportStopped() {
    if (stopReported) return;
    stopReported = true;
    env.observer().stopped(address, awake == null);
  }

  /** Keeps what the stack became; drops it if it asked to hibernate; passes on unhandled and stopping. */
  private Behavior<Object> adopt(Behavior<Object> next, TypedActorContext<Object> c) {
    if (heldWasStale) return recoverFromJournal(next, c);
    if (!Behavior.isAlive(next)) reportStopped();
    if (Behavior.isUnhandled(next) || !Behavior.isAlive(next)) return next;
    if (held != null) { // the stack asked to hibernate (while awake, held is only set for that)
      awake = null;
      env.observer().hibernated(address);
      return Behaviors.same();
    }
    awake = Behavior.canonicalize(next, awake, c);
    return Behaviors.same();
  }

  /**
   * Replaces a stack that woke on a stale held state (it took no step: see MachineBehavior) with
   * one recovering from the journal, and gives the new one, in order, every command the old one
   * was given since waking. An awake stack that found itself stale (settled: nothing unwritten,
   * nothing in Pekko's stash) is replaced the same way, with no command to pass on.
   */
  private Behavior<Object> recoverFromJournal(Behavior<Object> stale, TypedActorContext<Object> c) {
    heldWasStale = false;
    List<Object> commands = sinceWake == null ? List.of() : sinceWake; // none after a stale awake stack
    sinceWake = null;
    if (Behavior.isAlive(stale) && !Behavior.isUnhandled(stale))
      Behavior.interpretSignal(Behavior.canonicalize(stale, awake, c), c, PostStop.instance());
    awake = Behavior.start(stack(), c); // held is gone: a full recovery
    if (!Behavior.isAlive(awake)) return awake;
    for (Object command : commands) {
      Behavior<Object> next = Behavior.interpretMessage(awake, c, command);
      if (Behavior.isUnhandled(next)) continue;
      if (!Behavior.isAlive(next)) return next;
      awake = Behavior.canonicalize(next, awake, c);
    }
    return Behaviors.same();
  }

  /** The awake machine: its event-sourced stack, restarted from its journal with backoff when it fails. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Behavior<Object> stack() {
    MachineType<?, ?> type = env.registry().get(address.type());
    return (Behavior) Behaviors.supervise(Behaviors.<Command>setup(
            ctx -> new MachineBehavior(this, type, ctx).startFront(ctx)))
        .onFailure(Exception.class, restartStrategy(env.settings()));
  }

  // The supervisor strategy is immutable: one per settings instead of one (with its durations) per
  // machine, which an idle machine kept on the heap.
  private static volatile Map.Entry<RuntimeSettings, BackoffSupervisorStrategy> restart;

  private static BackoffSupervisorStrategy restartStrategy(RuntimeSettings s) {
    Map.Entry<RuntimeSettings, BackoffSupervisorStrategy> r = restart;
    if (r == null || r.getKey() != s) {
      r = Map.entry(s, SupervisorStrategy.restartWithBackoff(s.restartMinBackoff(), s.restartMaxBackoff(), 0.2)
          .withStashCapacity(1000));
      restart = r;
    }
    return r.getValue();
  }
}
