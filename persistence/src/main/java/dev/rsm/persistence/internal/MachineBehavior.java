package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.Context;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.FaultInjector.Point;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.Protocol.Ack;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.Protocol.Deliver;
import dev.rsm.persistence.internal.Protocol.Flush;
import dev.rsm.persistence.internal.Protocol.GetState;
import dev.rsm.persistence.internal.Protocol.IdleTimeout;
import dev.rsm.persistence.internal.Protocol.Ingress;
import dev.rsm.persistence.internal.Protocol.ResendTick;
import dev.rsm.persistence.internal.Protocol.TimerFired;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.internal.InterceptorImpl;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.internal.Running;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import scala.Function1;
import scala.Tuple2;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * INTERNAL API. One machine as a Pekko {@code EventSourcedBehavior}: every handled input is one
 * {@link StepTaken}; outputs are sent and inputs acknowledged only after it is journaled; recovery
 * re-runs the handler over the journal and checks the outputs. Steps taken while a write is in
 * flight are journaled together as one {@link StepsTaken} row (group commit, see {@code
 * unwritten}).
 *
 * <p>Delivery protocol (receiver side): message {@code seq} on a channel is handled only when
 * {@code seq == hw + 1}; {@code seq <= hw} is a duplicate and is acknowledged again; {@code seq >
 * hw + 1} is dropped and the sender's resend fills the gap in order. Sender side: outputs wait in
 * the outbox until acknowledged (cumulatively), at most {@code delivery.window} in flight per
 * channel, resent with exponential backoff and on recovery.
 */
public final class MachineBehavior extends EventSourcedBehavior<Command, Event, RuntimeState> {

  /**
   * The machine at {@code address}: an actor that hibernates when idle (see {@link MachineActor})
   * and, awake, runs the {@link #stack}.
   *
   * @param passivate called with the machine's own ref when it is idle and has no pending work
   */
  public static Behavior<Command> create(
      MachineEnvironment env, Address address, Consumer<ActorRef<Command>> passivate) {
    return MachineActor.create(env, address, passivate);
  }

  /** The awake machine, restarted from its journal with backoff when it fails. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Behavior<Object> stack(MachineActor actor) {
    MachineType<?, ?> type = actor.env.registry().get(actor.address.type());
    return (Behavior) Behaviors.supervise(
            Behaviors.<Command>setup(ctx -> new MachineBehavior(actor, type, ctx).front.start(ctx)))
        .onFailure(Exception.class, restartStrategy(actor.env.settings()));
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

  private final MachineEnvironment env;
  private final RuntimeSettings settings;
  private final MachineType<?, ?> type;
  private final Machine<Object, Object> machine;
  private final Address self;
  private final ActorContext<Command> ctx;
  private final MachineActor actor;
  // The state to start from instead of recovering, when waking from hibernation, and the journal
  // sequence number it was written up to (checked against the journal's: see onRecovered).
  private final RuntimeState woken;
  private final long wokenJournalSeqNr;
  // Set when the woken state proved stale: this stack takes no step and is replaced (MachineActor).
  private boolean stale;
  private final Logger log;
  private final long retentionMillis;
  private final Front front = new Front();
  // Commands that reached onCommand; with front.arrived, how many Pekko holds in its stash.
  private long handled;
  // The state once recovered: one mutable object from then on (see RuntimeState).
  private RuntimeState live;

  // Group commit. A step is applied to the state as soon as it is taken (as Pekko applies an event
  // before its write) and journaled later; nothing of it leaves (sends, acknowledgement, reply)
  // before its write succeeds. With no write in flight a step is written at once. While a write is
  // in flight, Pekko stashes the inputs that arrive; when it completes, the stashed inputs are
  // taken one after another ("draining") and the Flush sent at completion writes them all as one
  // event. The Flush is only sent when commands arrived during the write (see Front): most
  // writes of a machine with one message at a time have none. A failed write stops the actor, and
  // recovery rebuilds the state from the journal.
  private final ArrayList<Taken> unwritten = new ArrayList<>(); // no array until a first step
  private boolean draining;
  // The event being persisted, applied already; any other event the handler sees is a replay.
  private Event pendingEvent;
  // Answers that must not leave before the unwritten steps are journaled (they may reveal them).
  private final ArrayList<Runnable> afterWrite = new ArrayList<>(0);
  private boolean recovering = true;
  // External callers of steps not yet confirmed: told at once if this incarnation dies before
  // replying (journal write failed, fenced by another writer, crash), instead of timing out.
  private final ArrayList<ActorRef<IngressResult>> awaitingReplies = new ArrayList<>(0);

  /** A step taken and applied, waiting for (or in) its journal write. */
  private record Taken(StepTaken event, long seqNr, ActorRef<IngressResult> replyTo, ActorRef<Command> ackTo,
      Object ackChannel, OutChannel firstChannel) {}
  // Messages this machine scheduled to itself (idle check, resend tick, durable timers), as plain
  // cancellable schedules: Pekko's TimerScheduler would stay in the actor's context, with its map
  // and wrappers, even while the machine hibernates. Each of these messages tolerates a stray copy
  // from an earlier incarnation (see onIdle, onResendTick, onTimer).
  private Cancellable idleTimer;
  private Cancellable resendTimer;
  private HashMap<String, Cancellable> armedTimers; // by durable timer name; null until one is armed
  // Failed attempts per input (channel message or timer firing), transient by design: a restart
  // gives an input a fresh set of attempts, which only delays its rejection.
  private Map<Origin, Integer> failures; // null until an input fails
  // The journal's user-value bytes: checks that a step's values can be journaled before it is taken.
  private PayloadBytes codec;
  // The classes this node deserializes: a step's reply and state must be among them.
  private AllowedClasses allowed;
  // When the last input (or state read) arrived; the idle timer compares against it.
  private long lastActivityNanos;

  @SuppressWarnings("unchecked")
  private MachineBehavior(
      MachineActor actor, MachineType<?, ?> type, ActorContext<Command> ctx) {
    super(PersistenceId.ofUniqueId(actor.address.persistenceId()));
    this.env = actor.env;
    this.settings = env.settings();
    this.type = type;
    this.machine = (Machine<Object, Object>) type.machine();
    this.self = actor.address;
    this.ctx = ctx;
    this.actor = actor;
    MachineActor.Held held = actor.takeHeld();
    this.woken = held == null ? null : held.state();
    this.wokenJournalSeqNr = held == null ? 0 : held.journalSeqNr();
    this.log = ctx.getLog();
    this.retentionMillis = settings.idempotencyRetention().toMillis();
    // One timer per idle period instead of a receive timeout, which Pekko reschedules on every
    // message: that was a scheduler cancel + schedule on the per-message path.
    this.lastActivityNanos = System.nanoTime();
    startIdleTimer(nextLook(0));
  }

  @Override
  public RuntimeState emptyState() {
    return woken != null ? woken : new RuntimeState(type.initialState());
  }

  @Override
  public CommandHandler<Command, Event, RuntimeState> commandHandler() {
    // One handler dispatching with instanceof, most frequent first, and no builder: its per-case
    // predicates were a visible cost on the per-message path, and it kept its cases, lists and
    // wrappers on the heap of every idle machine.
    return this::onCommand;
  }

  private Effect<Event, RuntimeState> onCommand(RuntimeState s, Command c) {
    if (stale) return Effect().none(); // the stack recovering from the journal gets it (onRecovered)
    handled++;
    if (c instanceof Deliver d) return onDeliver(s, d);
    if (c instanceof Ack a) return onAck(s, a);
    if (c instanceof Ingress in) return onIngress(s, in);
    if (c instanceof TimerFired f) return onTimer(s, f);
    if (c == Flush.INSTANCE) return onFlush(s);
    if (c instanceof GetState g) return onGetState(s, g);
    if (c instanceof ResendTick t) return onResendTick(s, t);
    if (c instanceof IdleTimeout t) return onIdle(s, t);
    return Effect().unhandled();
  }

  // ---------------------------------------------------------------- inputs

  private Effect<Event, RuntimeState> onDeliver(RuntimeState s, Deliver d) {
    lastActivityNanos = System.nanoTime();
    long hw = s.highWater(d.from());
    if (d.seq() <= hw) {
      // Only the message under hw is kept to compare a duplicate with: one below it is
      // acknowledged up to hw - 1, and hw itself once its own duplicate proves the same.
      if (d.seq() == hw && !sameAsHandled(s, d)) return Effect().none();
      long upTo = d.seq() == hw ? hw : hw - 1;
      if (unwritten.isEmpty()) ack(d.from(), d.ackTo(), d.channel(), upTo, hw);
      else afterWrite.add(() -> ack(d.from(), d.ackTo(), d.channel(), upTo, hw)); // hw may be an unwritten step's
      return Effect().none();
    }
    // Handled even when this machine is over delivery.max-unacked: refusing inputs from machines
    // would withhold their acknowledgements, and two machines at the limit toward each other
    // would wait for each other for ever. The limit holds back new work (ingress, timers).
    if (d.seq() > hw + 1) return Effect().none(); // the sender resends in order
    Origin origin = new Origin.Channel(d.from(), d.seq());
    if (!type.accepts(d.input()))
      return persistRejection(s, origin, d.input(), 1, "not an input of machine type " + type.name());
    return takeStep(s, origin, d.input(), null, d.ackTo(), d.channel());
  }

  /**
   * Whether a duplicate of the last message handled on its channel is that message. A sender
   * whose journal lost steps after their outputs were delivered (a store that lost acknowledged
   * writes) numbers new messages with the lost ones' sequence numbers; acknowledging such a
   * message as a duplicate would drop it unseen. It is refused instead, loudly, and stays with
   * its sender.
   */
  private boolean sameAsHandled(RuntimeState s, Deliver d) {
    Object handled = s.inbound(d.from()).last;
    if (handled == null || comparing().same(handled, d.input())) return true;
    log.error("channel {} -> {}: message #{} is {}, but this machine handled {} under #{}: the sender's journal "
        + "lost steps whose outputs had been delivered (its store lost acknowledged writes). Not acknowledged: "
        + "the message stays with the sender", d.from(), self, d.seq(), describe(d.input()), describe(handled), d.seq());
    return false;
  }

  /** The fingerprint of a keyed external input, kept with its key; 0 for other steps. */
  private long keyFingerprint(StepTaken e) {
    return e.origin() instanceof Origin.External x && x.key() != null && e.rejected() == null
        ? fingerprint(e.input()) : 0;
  }

  private long fingerprint(Object input) {
    PayloadBytes codec = codec();
    return codec == null ? 0 : codec.fingerprint(input);
  }

  /** What user values are compared with: the journal's own encoding. */
  private PayloadBytes comparing() {
    PayloadBytes codec = codec();
    return codec != null ? codec : PayloadBytes.standalone();
  }

  private PayloadBytes codec() {
    if (codec == null) {
      JournalCodec journal = RsmJournalSerializer.codec(ctx.getSystem());
      codec = journal == null ? null : journal.bytes();
    }
    return codec;
  }

  private AllowedClasses allowed() {
    if (allowed == null) allowed = AllowedClasses.get(ctx.getSystem());
    return allowed;
  }


  /** Acknowledges to the sending incarnation directly when its ref is known, else via the transport. */
  private void ack(Address to, ActorRef<Command> ackTo, Object channel, long upTo, long hw) {
    if (ackTo != null) ackTo.tell(new Ack(self, upTo, hw, channel, ctx.getSelf()));
    else env.transport().tell(to, new Ack(self, upTo, hw, null, null));
  }

  private Effect<Event, RuntimeState> onIngress(RuntimeState s, Ingress in) {
    lastActivityNanos = System.nanoTime();
    if (in.key() != null) {
      IdempotencyCache.Entry seen = s.keys.get(in.key());
      if (seen != null && seen.fingerprint() != 0 && seen.fingerprint() != fingerprint(in.input())) {
        in.replyTo().tell(new IngressResult.KeyReused("idempotency key '" + in.key() + "' was used before with a "
            + "different request to machine " + self + "; a retry must repeat the request exactly, and a new "
            + "request needs a new key"));
        return Effect().none();
      }
      if (seen != null) {
        IngressResult.Replied replied = new IngressResult.Replied(seen.reply(), true, s.seqNr);
        if (unwritten.isEmpty()) in.replyTo().tell(replied);
        else afterWrite.add(() -> in.replyTo().tell(replied)); // the key may be an unwritten step's
        return Effect().none();
      }
    }
    if (!type.accepts(in.input())) {
      in.replyTo().tell(new IngressResult.Invalid(
          describe(in.input()) + " is not an input of machine type " + type.name()));
      return Effect().none();
    }
    if (in.key() != null && settings.idempotencyRefuseWhenFull() && s.keys.size() >= settings.idempotencyMaxKeys()) {
      long expires = s.keys.oldestTime() + retentionMillis - env.clock().millis();
      if (expires > 0) { // no key to forget: refused rather than forgetting one within retention
        in.replyTo().tell(new IngressResult.TooManyKeys("machine " + self + " remembers "
            + s.keys.size() + " idempotency keys younger than " + settings.idempotencyRetention()
            + " (rsm.persistence.idempotency.max-keys); the oldest expires in " + (expires + 999) / 1000
            + " s. Retry then, or send without a key", expires));
        return Effect().none();
      }
    }
    if (overloaded(s)) {
      in.replyTo().tell(new IngressResult.Unavailable(IngressResult.Unavailable.Reason.OVERLOADED,
          "machine " + self + " has " + s.unacked + " unacknowledged outputs; retry later"));
      return Effect().none();
    }
    return takeStep(s, new Origin.External(in.key()), in.input(), in.replyTo(), null, null);
  }

  private Effect<Event, RuntimeState> onTimer(RuntimeState s, TimerFired f) {
    lastActivityNanos = System.nanoTime();
    Armed armed = s.timers.get(f.name());
    if (armed == null || armed.generation() != f.generation()) return Effect().none(); // stale
    if (overloaded(s)) { // back-pressure: new work waits until outputs are acknowledged
      startTimer(f.name(), f, settings.resendInterval());
      return Effect().none();
    }
    if (armed.deadline() > env.clock().millis()) {
      // Woken before the deadline: the scheduler's delay was capped (see armOrCancel) or ran ahead
      // of the recorded clock. Wait for the rest, so a firing is never handled before its deadline.
      armOrCancel(f.name(), armed);
      return Effect().none();
    }
    return takeStep(s, new Origin.Timer(f.name(), f.generation()), armed.input(), null, null, null);
  }

  private boolean overloaded(RuntimeState s) {
    return s.unacked >= settings.maxUnacked();
  }

  /** Runs the handler and journals its step; outputs leave only after the write succeeds. */
  private Effect<Event, RuntimeState> takeStep(RuntimeState s, Origin origin, Object input,
      ActorRef<IngressResult> replyTo, ActorRef<Command> ackTo, Object ackChannel) {
    long now = env.clock().millis();
    long seed = ThreadLocalRandom.current().nextLong(); // recorded: replay reads it back
    Step<Object> step;
    StepTaken event;
    try {
      step = machine.handle(s.user, input, Context.of(self, now, seed));
      event = toEvent(s, origin, input, now, seed, step);
      PayloadBytes codec = codec();
      if (codec != null) codec.checkJournalable(event); // null: another serializer writes the rows
    } catch (PayloadBytes.NotJournalable e) {
      // Refused before the step is taken: a write that fails later would fail it for good, with
      // the machine restarting on every retry (and every other input waiting behind it).
      if (replyTo == null) return handlerFailed(s, origin, input, null, e);
      log.info("step of {} on {} refused: {}", self, describe(input), e.getMessage());
      replyTo.tell(new IngressResult.Invalid(e.getMessage()));
      return Effect().none();
    } catch (Address.InvalidIdException e) {
      // The step sends to an address that cannot exist: it fails, and no channel to it is opened.
      if (replyTo == null) return handlerFailed(s, origin, input, null, e);
      log.info("step of {} on {} refused: {}", self, describe(input), e.getMessage());
      replyTo.tell(new IngressResult.Invalid("the step of " + self + " sends to an invalid address: " + e.getMessage()));
      return Effect().none();
    } catch (RuntimeException e) {
      return handlerFailed(s, origin, input, replyTo, e);
    }
    if (failures != null) failures.remove(origin);
    if (env.faults().crash(Point.BEFORE_JOURNAL, self))
      throw new FaultInjector.InjectedCrash(Point.BEFORE_JOURNAL, self);
    return taken(s, event, step.nextState(s.user), replyTo, ackTo, ackChannel);
  }

  /** Applies a step and writes it now, or with the others when the Flush comes (see unwritten). */
  private Effect<Event, RuntimeState> taken(RuntimeState s, StepTaken event, Object nextUser,
      ActorRef<IngressResult> replyTo, ActorRef<Command> ackTo, Object ackChannel) {
    long evictedBefore = s.keys.evictedEarly;
    OutChannel first = s.apply(event, nextUser, settings.idempotencyMaxKeys(), retentionMillis, keyFingerprint(event));
    if (s.keys.evictedEarly != evictedBefore && (evictedBefore == 0 || s.keys.evictedEarly % 1000 == 0))
      log.warn("{} forgot an idempotency key younger than {} to stay within {} keys ({} so far): a retry with it "
              + "would be handled again (rsm.persistence.idempotency, docs/limits.md)", self,
          settings.idempotencyRetention(), settings.idempotencyMaxKeys(), s.keys.evictedEarly);
    unwritten.add(new Taken(event, s.seqNr, replyTo, ackTo, ackChannel, first));
    if (replyTo != null) awaitingReplies.add(replyTo);
    return draining && unwritten.size() < settings.maxStepsPerWrite() ? Effect().none() : write();
  }

  private Effect<Event, RuntimeState> onFlush(RuntimeState s) {
    draining = false;
    return unwritten.isEmpty() ? Effect().none() : write();
  }

  /** One journal write for every unwritten step; their outputs leave when it succeeds. */
  private Effect<Event, RuntimeState> write() {
    List<Taken> batch = List.copyOf(unwritten);
    unwritten.clear();
    Event event;
    if (batch.size() == 1) {
      event = batch.get(0).event();
    } else {
      List<StepTaken> steps = new ArrayList<>(batch.size());
      for (Taken t : batch) steps.add(t.event());
      event = new StepsTaken(steps);
    }
    pendingEvent = event;
    return Effect().persist(event).thenRun(after -> written(after, batch));
  }

  /** After a journal write: the steps' outputs, in step order, then the deferred answers. */
  private void written(RuntimeState s, List<Taken> batch) {
    for (Taken t : batch) afterStep(s, t);
    if (!afterWrite.isEmpty()) {
      List<Runnable> answers = List.copyOf(afterWrite);
      afterWrite.clear();
      answers.forEach(Runnable::run);
    }
    // Inputs stashed during the write are taken next, then this Flush writes them together.
    if (front.arrived > handled) {
      draining = true;
      ctx.getSelf().tell(Flush.INSTANCE);
    }
  }

  /**
   * In front of Pekko's event sourcing, on the actor's thread. Acknowledgements are applied here
   * once the machine has recovered: they change no journaled state (see RuntimeState), so they
   * need neither the command path of an EventSourcedBehavior nor to wait in its stash while a
   * write is in flight. Every other command is counted and passed on: {@code arrived - handled}
   * is how many Pekko holds in its stash during a write.
   *
   * <p>It holds the event-sourced behaviour as its own state, and answers "same" to the layers
   * around it (restart supervision, MachineActor) as long as that behaviour lives. An
   * event-sourced actor changes behaviour twice per persisted command (handling → persisting →
   * handling); had the supervisor seen those changes, it would have allocated a new wrapper and
   * searched the stack below it for duplicates, every time.
   */
  // Typed on Object: the event-sourced behaviour also receives Pekko's own messages (journal
  // responses, recovery permits), which are not Commands and are passed on uncounted.
  @SuppressWarnings({"unchecked", "rawtypes"})
  final class Front extends ExtensibleBehavior<Object> {
    long arrived;
    private Behavior<Object> inner;

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

    Behavior<Command> start(TypedActorContext<Command> c) {
      inner = Behavior.start((Behavior) MachineBehavior.this, (TypedActorContext) c);
      return (Behavior) (Behavior.isAlive(inner) ? this : inner);
    }

    @Override
    public Behavior<Object> receive(TypedActorContext<Object> c, Object msg) {
      if (msg instanceof Ack a && live != null) {
        applyAck(live, a);
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

  private Effect<Event, RuntimeState> handlerFailed(
      RuntimeState s, Origin origin, Object input, ActorRef<IngressResult> replyTo, Exception e) {
    String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (replyTo != null) {
      // An external caller sees the failure directly; nothing is journaled. The exception's text
      // may hold internals (values, class names): it goes to the log, under an id the caller gets.
      String errorId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
      log.warn("handler of {} failed on {} (error id {}): {}", self, describe(input), errorId, reason, e);
      replyTo.tell(new IngressResult.Failed("the handler of " + self + " failed on "
          + input.getClass().getSimpleName() + "; the node's log has the details under its errorId", errorId));
      return Effect().none();
    }
    if (failures == null) failures = new HashMap<>(2);
    int n = failures.merge(origin, 1, Integer::sum);
    if (n < settings.maxAttempts()) {
      log.warn("handler of {} failed on {} from {} (attempt {} of {}): {}",
          self, describe(input), origin, n, settings.maxAttempts(), reason);
      if (origin instanceof Origin.Timer t) // a timer has no sender to resend it: retry it here
        startTimer(t.name(), new TimerFired(t.name(), t.generation()), settings.resendInterval().multipliedBy(n));
      return Effect().none();
    }
    failures.remove(origin);
    return persistRejection(s, origin, input, settings.maxAttempts(), reason);
  }

  private Effect<Event, RuntimeState> persistRejection(
      RuntimeState s, Origin origin, Object input, int attempts, String reason) {
    log.error("machine {} rejected {} from {} after {} attempt(s): {}", self, describe(input), origin, attempts, reason);
    StepTaken event = new StepTaken(origin, input, env.clock().millis(), 0, List.of(), null,
        List.of(), reason);
    return taken(s, event, s.user, null, null, null);
  }

  /** Turns a step into its event: numbers the sends per channel, stamps timer generations. */
  private StepTaken toEvent(
      RuntimeState s, Origin origin, Object input, long now, long seed, Step<Object> step) {
    List<Sent> sends = List.of();
    if (!step.sends().isEmpty()) {
      int n = step.sends().size();
      sends = new ArrayList<>(n);
      Map<Address, Long> next = n == 1 ? null : new HashMap<>(4); // numbers sends to one target
      for (Step.Send send : step.sends()) {
        MachineType<?, ?> target = env.registry().get(send.to().type());
        if (!target.accepts(send.input()))
          throw new IllegalArgumentException(describe(send.input())
              + " sent to " + send.to() + " is not an input of machine type " + target.name());
        long seq = next == null
            ? s.nextSeq(send.to())
            : next.merge(send.to(), s.nextSeq(send.to()), (a, b) -> a + 1);
        sends.add(new Sent(send.to(), seq, send.input()));
      }
    }
    List<TimerSet> ts = List.of();
    if (!step.timers().isEmpty()) {
      ts = new ArrayList<>(step.timers().size());
      long gen = s.timerGeneration;
      for (Step.TimerOp op : step.timers()) {
        if (op.isCancel()) {
          ts.add(new TimerSet(op.name(), ++gen, 0, null));
        } else {
          if (!type.accepts(op.input()))
            throw new IllegalArgumentException("timer " + op.name() + " input "
                + describe(op.input()) + " is not an input of machine type " + type.name());
          ts.add(new TimerSet(op.name(), ++gen, now + op.delay().toMillis(), op.input()));
        }
      }
    }
    // A value the journal could not read back would stop recovery: refuse the step instead.
    allowed().check(step.reply(), "the reply");
    if (step.nextState(s.user) != s.user) allowed().check(step.nextState(s.user), "the next state");
    return new StepTaken(origin, input, now, seed, sends, step.reply(), ts, null);
  }

  /** After the journal write of a step: send, arm timers, acknowledge, reply — in that order. */
  private void afterStep(RuntimeState s, Taken taken) {
    StepTaken e = taken.event();
    if (env.faults().crash(Point.AFTER_JOURNAL_BEFORE_SEND, self))
      throw new FaultInjector.InjectedCrash(Point.AFTER_JOURNAL_BEFORE_SEND, self);
    for (Sent sent : e.sends()) {
      OutChannel ch = sent == e.sends().get(0) ? taken.firstChannel() : s.outbox.get(sent.to());
      if (sent.seq() > ch.journaledUpTo) ch.journaledUpTo = sent.seq();
      sendWindow(s, ch, sent.to());
    }
    for (TimerSet t : e.timers()) armOrCancel(t.name(), t.isCancel() ? null : s.timers.get(t.name()));
    if (e.origin() instanceof Origin.Timer t && !s.timers.containsKey(t.name()))
      cancelTimer(t.name());
    if (env.faults().crash(Point.AFTER_SEND_BEFORE_ACK, self))
      throw new FaultInjector.InjectedCrash(Point.AFTER_SEND_BEFORE_ACK, self);
    env.observer().stepJournaled(self, e.input(), taken.seqNr());
    if (e.origin() instanceof Origin.Channel c) ack(c.from(), taken.ackTo(), taken.ackChannel(), c.seq(), c.seq());
    if (taken.replyTo() != null) {
      taken.replyTo().tell(new IngressResult.Replied(e.reply(), false, taken.seqNr()));
      awaitingReplies.remove(taken.replyTo());
    }
    ensureResendTick(s);
    if (env.faults().crash(Point.AFTER_ACK, self))
      throw new FaultInjector.InjectedCrash(Point.AFTER_ACK, self);
  }

  private Effect<Event, RuntimeState> onGetState(RuntimeState s, GetState g) {
    lastActivityNanos = System.nanoTime();
    if (unwritten.isEmpty()) g.replyTo().tell(view(s));
    else afterWrite.add(() -> g.replyTo().tell(view(s))); // a read never shows an unwritten step
    return Effect().none();
  }

  private static MachineView view(RuntimeState s) {
    long next = s.timers.values().stream().mapToLong(Armed::deadline).min().orElse(0);
    return new MachineView(s.user, s.seqNr, s.unacked, s.timers.size(), next);
  }

  // ---------------------------------------------------------------- delivery (sender side)

  /** An acknowledgement that arrived before recovery completed (later ones take the Front). */
  private Effect<Event, RuntimeState> onAck(RuntimeState s, Ack a) {
    applyAck(s, a);
    return Effect().none();
  }

  private void applyAck(RuntimeState s, Ack a) {
    // The channel handed back is used when it is this incarnation's (not one before a restart).
    OutChannel ch = a.channel() instanceof OutChannel c && c.owner == s ? c : s.outbox.get(a.from());
    if (ch == null) return;
    if (a.hw() > ch.lastSeq) {
      // The receiver handled messages this machine has no record of sending: its journal lost
      // steps after their outputs were delivered, and the numbers since go to new messages.
      log.error("channel {} -> {}: the receiver has handled up to #{}, but this machine's journal numbers its "
          + "messages only up to #{}: steps that sent #{}..#{} are missing from the journal (the store lost "
          + "acknowledged writes). The acknowledgement is ignored: messages numbered since stay unacknowledged",
          self, a.from(), a.hw(), ch.lastSeq, ch.lastSeq + 1, a.hw());
      return;
    }
    if (s.ack(ch, a.upTo()) != null) {
      ch.backoffNanos = 0;
      if (a.by() != null) ch.route = a.by();
      sendWindow(s, ch, a.from());
    }
  }

  /** Puts on the wire the unsent, journaled outputs of {@code ch} that fit in the window. */
  private void sendWindow(RuntimeState s, OutChannel ch, Address to) {
    long limit = Math.min(ch.acked + settings.window(), ch.journaledUpTo);
    if (ch.sentUpTo >= limit) return;
    ActorRef<Command> direct = ch.directRoute();
    for (Sent sent : ch.unacked) {
      if (sent.seq() > limit) break;
      if (sent.seq() <= ch.sentUpTo) continue;
      Deliver d = new Deliver(self, sent.seq(), sent.input(), ctx.getSelf(), ch);
      if (direct != null) direct.tell(d);
      else {
        env.transport().tell(to, d);
        ch.routedUpTo = sent.seq();
      }
      ch.sentUpTo = sent.seq();
    }
    ch.lastSendNanos = System.nanoTime();
  }

  /**
   * Starts the resend tick when outputs are unacknowledged. Only the tick itself stops it, once it
   * finds nothing to resend: a busy machine goes from one unacknowledged output to none and back
   * on every message, and starting and cancelling a scheduler timer each time was a visible cost.
   */
  private void ensureResendTick(RuntimeState s) {
    if (s.unacked > 0 && resendTimer == null)
      resendTimer = ctx.scheduleOnce(settings.resendInterval(), ctx.getSelf(), new ResendTick(this));
  }

  /**
   * Resends, from the oldest unacknowledged output, channels that made no progress lately. A tick
   * of another incarnation (scheduled before a restart) is ignored: it would start a second chain.
   */
  private Effect<Event, RuntimeState> onResendTick(RuntimeState s, ResendTick t) {
    if (t.owner() != this) return Effect().none();
    resendTimer = null;
    long now = System.nanoTime();
    long base = settings.resendInterval().toNanos();
    long max = settings.resendMaxBackoff().toNanos();
    // Only the channels that had unacknowledged outputs since the last tick, not the whole outbox:
    // a machine talking to hundreds of others has a few in flight at a time.
    List<OutChannel> pending = s.pending;
    for (int i = 0; i < pending.size(); ) {
      OutChannel ch = pending.get(i);
      if (ch.unacked.isEmpty()) {
        ch.pending = false;
        pending.set(i, pending.get(pending.size() - 1));
        pending.remove(pending.size() - 1);
        continue;
      }
      i++;
      long wait = Math.max(base, ch.backoffNanos);
      if (now - ch.lastSendNanos < wait) continue;
      ch.sentUpTo = ch.acked;
      ch.route = null; // resends take the transport, which finds the receiver wherever it is now
      sendWindow(s, ch, ch.to);
      ch.backoffNanos = Math.min(max, wait * 2);
    }
    ensureResendTick(s);
    return Effect().none();
  }

  // ---------------------------------------------------------------- timers and lifecycle

  private void startIdleTimer(Duration delay) {
    if (idleTimer != null) idleTimer.cancel();
    idleTimer = ctx.scheduleOnce(delay, ctx.getSelf(), IdleTimeout.INSTANCE);
  }

  private void startTimer(String name, TimerFired fired, Duration delay) {
    if (armedTimers == null) armedTimers = new HashMap<>(2);
    Cancellable before = armedTimers.put(name, ctx.scheduleOnce(delay, ctx.getSelf(), fired));
    if (before != null) before.cancel();
  }

  private void cancelTimer(String name) {
    Cancellable c = armedTimers == null ? null : armedTimers.remove(name);
    if (c != null) c.cancel();
  }

  /** On hibernation, restart and stop. */
  private void cancelTimers() {
    if (idleTimer != null) idleTimer.cancel();
    if (resendTimer != null) resendTimer.cancel();
    if (armedTimers != null) armedTimers.values().forEach(Cancellable::cancel);
    idleTimer = resendTimer = null;
    armedTimers = null;
  }

  /**
   * Pekko's scheduler rejects delays beyond about 248 days (with the default 10 ms tick), which
   * would fail the step after its journal write and then every recovery. Longer timers wait in
   * chunks of {@code timers.max-scheduler-delay}: a wake-up before the deadline only re-arms (see
   * onTimer).
   */
  private void armOrCancel(String name, Armed armed) {
    if (armed == null) {
      cancelTimer(name);
      return;
    }
    startTimer(name, new TimerFired(name, armed.generation()), untilDue(armed));
  }

  /** How long the scheduler waits for a timer: until its deadline, in chunks (see armOrCancel). */
  private Duration untilDue(Armed armed) {
    return Duration.ofMillis(Math.min(settings.timerMaxSchedulerDelay().toMillis(),
        Math.max(0, armed.deadline() - env.clock().millis())));
  }

  /**
   * Passivates after {@code passivate-after} without inputs, hibernates after {@code
   * hibernate-after} (see MachineActor), both only with nothing pending; else looks again later.
   */
  private Effect<Event, RuntimeState> onIdle(RuntimeState s, IdleTimeout t) {
    long idle = System.nanoTime() - lastActivityNanos;
    long passivateIn = settings.passivateAfter().toNanos() - idle;
    long hibernateIn = settings.hibernateAfter().isZero() ? Long.MAX_VALUE : settings.hibernateAfter().toNanos() - idle;
    // Settled: nothing unacknowledged, unwritten or waiting. Quiet: settled, and no timer armed
    // either (a passivated machine has no actor left to fire its timers).
    boolean settled = !s.awaitsAcks() && unwritten.isEmpty() && !draining && front.arrived == handled;
    boolean quiet = settled && s.timers.isEmpty();
    if (quiet && passivateIn <= 0) {
      actor.passivate.accept(ctx.getSelf());
    } else if (settled && hibernateIn <= 0) {
      cancelTimers();
      actor.hibernate(s, front.journalSeqNr(), quiet
          ? ctx.scheduleOnce(Duration.ofNanos(passivateIn), ctx.getSelf(), IdleTimeout.INSTANCE)
          : wakeForFirstTimer(s));
    } else {
      startIdleTimer(nextLook(idle));
    }
    return Effect().none();
  }

  /**
   * A hibernating machine with armed timers keeps one scheduled message: the firing of the timer
   * due first, which wakes it (see MachineActor). The new stack re-arms every timer from the state,
   * and a firing that arrives twice is stale the second time (onTimer).
   */
  private Cancellable wakeForFirstTimer(RuntimeState s) {
    Map.Entry<String, Armed> first = null;
    for (Map.Entry<String, Armed> t : s.timers.entrySet())
      if (first == null || t.getValue().deadline() < first.getValue().deadline()) first = t;
    return ctx.scheduleOnce(untilDue(first.getValue()), ctx.getSelf(),
        new TimerFired(first.getKey(), first.getValue().generation()));
  }

  /**
   * When the idle timer looks again, {@code idle} nanoseconds after the last input: at the nearest
   * threshold (passivation, hibernation if on) still ahead, or a whole period later for one that
   * passed while work was pending.
   */
  private Duration nextLook(long idle) {
    long p = settings.passivateAfter().toNanos(), h = settings.hibernateAfter().toNanos();
    long next = idle < p ? p - idle : p;
    if (h > 0) next = Math.min(next, idle < h ? h - idle : h);
    return Duration.ofNanos(next);
  }

  @Override
  public SignalHandler<RuntimeState> signalHandler() {
    return new SignalHandler<>(new Signals());
  }

  /**
   * The signals, as one partial function: the builder chains one {@code orElse} and a closure per
   * case, some 400 bytes that every idle machine kept.
   */
  private final class Signals extends AbstractPartialFunction<Tuple2<RuntimeState, Signal>, BoxedUnit> {
    @Override
    public boolean isDefinedAt(Tuple2<RuntimeState, Signal> x) {
      Signal g = x._2();
      return g == RecoveryCompleted.instance() || g instanceof RecoveryFailed
          || g == PostStop.instance() || g == PreRestart.instance();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A1 extends Tuple2<RuntimeState, Signal>, B1> B1 applyOrElse(A1 x, Function1<A1, B1> otherwise) {
      Signal g = x._2();
      if (g == RecoveryCompleted.instance()) onRecovered(x._1());
      else if (g instanceof RecoveryFailed f)
        log.error("recovery of machine {} failed: {}", self, f.getFailure().getMessage());
      else if (g == PostStop.instance() || g == PreRestart.instance()) {
        cancelTimers();
        releaseCaller();
      }
      else return otherwise.apply(x);
      return (B1) BoxedUnit.UNIT;
    }
  }

  private void releaseCaller() {
    for (ActorRef<IngressResult> caller : awaitingReplies)
      caller.tell(new IngressResult.Unavailable(IngressResult.Unavailable.Reason.NOT_CONFIRMED, "machine " + self + " stopped before confirming "
          + "the step (journal write failed or crash); it may or may not have been recorded: retry "
          + "with the same idempotency key"));
    awaitingReplies.clear();
  }

  /**
   * Resends every unacknowledged output, in channel order, and re-arms every timer. A stack woken
   * from hibernation first compares the journal's highest sequence number, which Pekko read
   * instead of replaying, with the one its held state was written at: if another incarnation
   * wrote since, the held state is stale and no step may be computed on it (see MachineActor).
   */
  private void onRecovered(RuntimeState s) {
    if (woken != null) {
      long journal = front.journalSeqNr();
      if (journal != wokenJournalSeqNr) {
        log.info("machine {} woke from hibernation at journal sequence number {}, but the journal holds {}: "
            + "another incarnation wrote meanwhile; recovering from the journal", self, wokenJournalSeqNr, journal);
        stale = true;
        cancelTimers();
        actor.recovered(true);
        return;
      }
    }
    actor.recovered(false);
    recovering = false;
    live = s;
    s.outbox.forEach(
        (to, ch) -> {
          ch.journaledUpTo = ch.lastSeq; // everything recovered was journaled
          ch.sentUpTo = ch.acked;
          sendWindow(s, ch, to);
        });
    s.timers.forEach(this::armOrCancel);
    ensureResendTick(s);
  }

  // ---------------------------------------------------------------- events and replay

  @Override
  public EventHandler<RuntimeState, Event> eventHandler() {
    return this::applyEvent;
  }

  private RuntimeState applyEvent(RuntimeState s, Event e) {
    if (e == pendingEvent) { // taken live and applied already
      pendingEvent = null;
      return s;
    }
    if (e instanceof StepsTaken batch) {
      for (StepTaken step : batch.steps()) applyStep(s, step);
      return s;
    }
    return applyStep(s, (StepTaken) e);
  }

  private RuntimeState applyStep(RuntimeState s, StepTaken e) {
    if (recovering && env.faults().crash(Point.DURING_RECOVERY, self))
      throw new FaultInjector.InjectedCrash(Point.DURING_RECOVERY, self);
    Object next = e.rejected() != null ? s.user : Replay.recompute(machine, self, s, e, settings, comparing());
    s.apply(e, next, settings.idempotencyMaxKeys(), retentionMillis, keyFingerprint(e));
    return s;
  }

  @Override
  public SnapshotAdapter<RuntimeState> snapshotAdapter() {
    return SNAPSHOTS;
  }

  private static final SnapshotAdapter<RuntimeState> SNAPSHOTS = new SnapshotAdapter<>() {
    @Override
    public Object toJournal(RuntimeState state) {
      return state.toSnapshot(); // runs on this actor's thread: a consistent copy
    }

    @Override
    public RuntimeState fromJournal(Object from) {
      return RuntimeState.fromSnapshot((MachineSnapshot) from);
    }
  };

  @Override
  public RetentionCriteria retentionCriteria() {
    return settings.snapshotEvery() > 0
        ? RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2)
        : RetentionCriteria.disabled();
  }

  @Override
  public Recovery recovery() {
    // Waking from hibernation: the state is the one held, only the sequence number is read.
    if (woken != null) return Recovery.disabled();
    return settings.recoverFromSnapshots()
        ? super.recovery()
        : Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  static String describe(Object o) {
    return o == null ? "null" : o.getClass().getSimpleName() + String.valueOf(o).replaceFirst("^[^\\[]*", "");
  }
}
