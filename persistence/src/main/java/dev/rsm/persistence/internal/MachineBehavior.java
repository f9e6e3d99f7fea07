package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.GroupCommit.Batch;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.Protocol.Ack;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.Protocol.Deliver;
import dev.rsm.persistence.internal.Protocol.EffectDone;
import dev.rsm.persistence.internal.Protocol.Flush;
import dev.rsm.persistence.internal.Protocol.GetState;
import dev.rsm.persistence.internal.Protocol.IdleTimeout;
import dev.rsm.persistence.internal.Protocol.Ingress;
import dev.rsm.persistence.internal.Protocol.JournalChecked;
import dev.rsm.persistence.internal.Protocol.ResendTick;
import dev.rsm.persistence.internal.Protocol.TimerFired;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;

/**
 * INTERNAL API. One machine as a Pekko {@code EventSourcedBehavior}: every handled input is one
 * {@link StepTaken}; outputs are sent and inputs acknowledged only after it is journaled; recovery
 * re-runs the handler over the journal and checks the outputs ({@link Replay}).
 *
 * <p>This class is the template and the dispatch: which command does what, in which order. The
 * parts each have a class of their own: taking a step and letting it out once written ({@link
 * StepTaker}), the step as recorded ({@link StepRecorder}), the steps
 * between being taken and being written ({@link GroupCommit}), the wire side of the channels
 * ({@link Sender}), durable timers ({@link DurableTimers}), what an idle machine does ({@link
 * Idleness}), acknowledgements outside the event sourcing ({@link Front}), a failing handler's
 * retries ({@link Failures}), the lease check ({@link Tenancy}), and hibernation ({@link MachineActor}).
 *
 * <p>The delivery protocol: {@link Receiver} (which message is next, a duplicate or a gap) and
 * {@link Sender}.
 */
public final class MachineBehavior extends EventSourcedBehavior<Command, Event, RuntimeState> {

  /**
   * The machine at {@code address}: an actor that hibernates when idle (see {@link MachineActor})
   * and, awake, runs this event-sourced behaviour.
   *
   * @param passivate called with the machine's own ref when it is idle and has no pending work
   */
  public static Behavior<Command> create(
      MachineEnvironment env, Address address, Consumer<ActorRef<Command>> passivate) {
    return MachineActor.create(env, address, passivate);
  }

  private final MachineEnvironment env;
  private final RuntimeSettings settings;
  private final MachineType<?, ?> type;
  private final Address self;
  private final ActorContext<Command> ctx;
  private final MachineActor actor;
  private final Logger log;
  // The state to start from instead of recovering, when waking from hibernation, and the journal
  // sequence number it was written up to (checked against the journal's: see onRecovered).
  private final RuntimeState woken;
  private final long wokenJournalSeqNr;
  // Set when the woken state proved stale: this stack takes no step and is replaced (MachineActor).
  private boolean stale;
  private final Sender sender;
  private final Front front;
  private final GroupCommit commit = new GroupCommit();
  private final StepTaker steps;
  // Commands that reached onCommand; with front.arrived, how many Pekko holds in its stash.
  private long handled;
  // The machine's own scheduled messages (the idle check; the resend tick is the Sender's; durable
  // timers, created with the first) tolerate a stray copy from an earlier incarnation: the idle
  // check looks again, a resend tick carries its owner, a firing its timer's generation.
  private Cancellable idleTimer;
  private DurableTimers timers;
  // The journal's user-value bytes (checks that a step's values can be journaled before it is
  // taken), and the classes this node reads back (a step's reply and state must be among them).
  private final JournalValues values;
  // When the last input (or state read) arrived; the idle check compares against it.
  private long lastActivityNanos;
  // Whether this node may answer for the machine now (holds its shard's lease): asked before
  // every answer, read, step and write.
  private final Tenancy tenancy;
  // The node's tracing (Tracing.OFF unless rsm.tracing.enabled): spans of steps, writes, deliveries.
  // The write in flight and its span (null when off), reported failed if the machine stops first.
  private final Tracing tracing;
  private Batch writing;
  private Span writeSpan;

  MachineBehavior(MachineActor actor, MachineType<?, ?> type, ActorContext<Command> ctx) {
    super(PersistenceId.ofUniqueId(actor.address.persistenceId()));
    this.env = actor.env;
    this.settings = env.settings();
    this.type = type;
    this.self = actor.address;
    this.ctx = ctx;
    this.actor = actor;
    this.log = ctx.getLog();
    MachineActor.Held held = actor.takeHeld();
    this.woken = held == null ? null : held.state();
    this.wokenJournalSeqNr = held == null ? 0 : held.journalSeqNr();
    this.tracing = Tracing.of(ctx.getSystem());
    this.sender = new Sender(self, ctx, env, log, tracing);
    this.front = new Front(sender);
    this.values = JournalValues.get(ctx.getSystem());
    this.steps = new StepTaker(env, type, self, log, commit, sender, values, this::timers, tracing);
    this.tenancy = new Tenancy(self, env.tenure());
    // One timer per idle period instead of a receive timeout, which Pekko reschedules on every
    // message (a scheduler cancel and schedule on the per-message path).
    this.lastActivityNanos = System.nanoTime();
    startIdleTimer(Idleness.nextLook(0, settings.passivateAfter(), settings.hibernateAfter()));
  }

  /** Starts this behaviour behind its {@link Front}. */
  Behavior<Command> startFront(ActorContext<Command> ctx) {
    return front.startWith(this, ctx);
  }

  @Override
  public RuntimeState emptyState() {
    return woken != null ? woken : new RuntimeState(type.initialState());
  }

  @Override
  public CommandHandler<Command, Event, RuntimeState> commandHandler() {
    // One handler dispatching with instanceof, most frequent first, and no builder: its per-case
    // predicates cost on every message, and it kept its cases, lists and wrappers on the heap of
    // every idle machine.
    return this::onCommand;
  }

  private Effect<Event, RuntimeState> onCommand(RuntimeState s, Command c) {
    if (stale) return Effect().none(); // the stack recovering from the journal gets it (onRecovered)
    handled++;
    if (tenancy.refused(c, this::timers, settings.resendInterval())) return Effect().none();
    if (c instanceof Deliver d) return onDeliver(s, d);
    if (c instanceof Ack a) return onAck(s, a);
    if (c instanceof Ingress in) return onIngress(s, in);
    if (c instanceof TimerFired f) return onTimer(s, f);
    if (c == Flush.INSTANCE) return commit.flush() ? write() : Effect().none();
    if (c instanceof GetState g) return onGetState(s, g);
    if (c instanceof ResendTick t) {
      sender.onResendTick(s, t);
      return Effect().none();
    }
    if (c instanceof IdleTimeout) return onIdle(s);
    if (c instanceof JournalChecked j) return onJournalChecked(j);
    if (c instanceof EffectDone e) return onEffectDone(s, e);
    return Effect().unhandled();
  }

  // ---------------------------------------------------------------- inputs

  private Effect<Event, RuntimeState> onDeliver(RuntimeState s, Deliver d) {
    lastActivityNanos = System.nanoTime();
    Receiver.Verdict v = Receiver.classify(s, d, values.comparing(), self, log);
    if (v == Receiver.Simple.NEXT) {
      // Handled even when this machine is over delivery.max-unacked: refusing inputs from machines
      // would withhold their acknowledgements, and two machines at the limit toward each other
      // would wait for each other for ever. The limit holds back new work (ingress, timers).
      return writeIf(steps.takeDelivered(s, d));
    }
    if (v instanceof Receiver.Duplicate dup) // hw may be an unwritten step's: acknowledged after its write
      commit.whenWritten(() -> sender.acknowledge(d.from(), d.ackTo(), d.channel(), dup.upTo(), dup.hw()));
    return Effect().none();
  }

  private Effect<Event, RuntimeState> onIngress(RuntimeState s, Ingress in) {
    lastActivityNanos = System.nanoTime();
    IngressResult refused = Admission.refusal(s, in, type, self, settings, env.clock(), values);
    if (refused instanceof IngressResult.Replied replied) { // a repeated key
      env.observer().idempotentReplay(self);
      commit.whenWritten(() -> in.replyTo().tell(replied)); // the key may be an unwritten step's
      return Effect().none();
    }
    if (refused != null) {
      in.replyTo().tell(refused);
      return Effect().none();
    }
    return writeIf(steps.take(s, new Origin.External(in.key()), in.input(), in.replyTo(), null, null, in.trace()));
  }

  private Effect<Event, RuntimeState> onTimer(RuntimeState s, TimerFired f) {
    lastActivityNanos = System.nanoTime();
    Armed armed = s.timers.get(f.name());
    if (armed == null || armed.generation() != f.generation()) return Effect().none(); // stale
    if (Admission.overloaded(s, settings)) { // back-pressure: new work waits until outputs are acknowledged
      timers().start(f.name(), f, settings.resendInterval());
      return Effect().none();
    }
    if (armed.deadline() > env.clock().millis()) {
      // Woken before the deadline: the scheduler's delay was capped (see DurableTimers) or ran
      // ahead of the recorded clock. Wait for the rest, so a firing is never handled before its
      // deadline.
      timers().armOrCancel(f.name(), armed);
      return Effect().none();
    }
    return writeIf(steps.take(s, new Origin.Timer(f.name(), f.generation()), armed.input(), null, null, null, null));
  }

  private Effect<Event, RuntimeState> onEffectDone(RuntimeState s, EffectDone done) {
    lastActivityNanos = System.nanoTime();
    return writeIf(steps.takeOutcome(s, done.outcome()));
  }

  // ---------------------------------------------------------------- steps

  /** After a step was taken (or not): the journal write, if one is due now. */
  private Effect<Event, RuntimeState> writeIf(boolean due) {
    return due ? write() : Effect().none();
  }

  /** One journal write for every unwritten step; their outputs leave when it succeeds. */
  private Effect<Event, RuntimeState> write() {
    tenancy.checkBeforeWrite();
    Batch batch = commit.takeBatch();
    writing = batch;
    writeSpan = tracing.writeStarted(self, batch); // null when tracing is off
    long started = System.nanoTime();
    return Effect().persist(batch.event()).thenRun(after -> written(after, batch, started));
  }

  /** After a journal write: the steps' outputs, the answers that waited, then the stashed inputs. */
  private void written(RuntimeState s, Batch batch, long startedNanos) {
    env.observer().journalWritten(self, batch.steps().size(), System.nanoTime() - startedNanos);
    Tracing.writeEnded(writeSpan);
    writing = null;
    writeSpan = null;
    steps.release(s, batch);
    // Inputs stashed during the write are taken next, then this Flush writes them together.
    boolean arrived = front.arrived > handled;
    commit.written(arrived);
    if (arrived) ctx.getSelf().tell(Flush.INSTANCE);
  }

  private Effect<Event, RuntimeState> onGetState(RuntimeState s, GetState g) {
    lastActivityNanos = System.nanoTime();
    // A read never shows an unwritten step, nor leaves without the lease (it may end during a write).
    commit.whenWritten(() -> g.replyTo().tell(tenancy.view(s)));
    return Effect().none();
  }

  /** An acknowledgement that arrived before recovery completed (later ones take the Front). */
  private Effect<Event, RuntimeState> onAck(RuntimeState s, Ack a) {
    sender.applyAck(s, a);
    return Effect().none();
  }

  /** The journal's answer to the Sender's check: a stale copy is replaced (see Sender.journalChecked). */
  private Effect<Event, RuntimeState> onJournalChecked(JournalChecked j) {
    if (!sender.journalChecked(j, front.journalSeqNr(), nothingWaiting()))
      return Effect().none();
    stale = true;
    cancelScheduled();
    actor.replaceStack();
    return Effect().none();
  }

  // ---------------------------------------------------------------- scheduling and lifecycle

  private void startIdleTimer(Duration delay) {
    if (idleTimer != null) idleTimer.cancel();
    idleTimer = ctx.scheduleOnce(delay, ctx.getSelf(), IdleTimeout.INSTANCE);
  }

  private DurableTimers timers() {
    if (timers == null) timers = new DurableTimers(ctx, settings, env.clock());
    return timers;
  }

  /** No step unwritten and no input in Pekko's stash. */
  private boolean nothingWaiting() {
    return commit.settled() && front.arrived == handled;
  }

  /** On hibernation, restart and stop. */
  private void cancelScheduled() {
    if (idleTimer != null) idleTimer.cancel();
    idleTimer = null;
    sender.cancel();
    if (timers != null) timers.cancelAll();
  }

  /** The idle check: passivate, hibernate (see MachineActor) or look again later (see Idleness). */
  private Effect<Event, RuntimeState> onIdle(RuntimeState s) {
    long idle = System.nanoTime() - lastActivityNanos;
    boolean settled = !s.awaitsAcks() && nothingWaiting();
    // Pending effects keep a machine, like armed timers: their outcomes are on their way.
    Idleness.Decision d = Idleness.decide(idle, settled, !s.timers.isEmpty() || !s.effects.isEmpty(),
        settings.passivateAfter(), settings.hibernateAfter());
    if (d instanceof Idleness.Hibernate h) {
      cancelScheduled();
      actor.hibernate(s, front.journalSeqNr(), h.quiet()
          ? ctx.scheduleOnce(Duration.ofNanos(h.passivateInNanos()), ctx.getSelf(), IdleTimeout.INSTANCE)
          : timers().wakeForFirst(s.timers));
    } else if (d instanceof Idleness.LookAgain l) {
      startIdleTimer(l.in());
    } else {
      actor.passivate(ctx.getSelf());
    }
    return Effect().none();
  }

  @Override
  public SignalHandler<RuntimeState> signalHandler() {
    return new SignalHandler<>(new MachineSignals(this));
  }

  void recoveryFailed(Throwable failure) {
    log.error("recovery of machine {} failed: {}", self, failure.getMessage());
  }

  /** Stopped or restarting: nothing scheduled survives, and callers still waiting are told. */
  void stopped() {
    cancelScheduled();
    if (writing != null) Tracing.writeFailed(writeSpan, writing);
    commit.releaseCallers(new IngressResult.Unavailable(IngressResult.Unavailable.Reason.NOT_CONFIRMED,
        "machine " + self + " stopped before confirming "
        + "the step (journal write failed or crash); it may or may not have been recorded: retry "
        + "with the same idempotency key"));
  }

  /**
   * Resends every unacknowledged output, in channel order, and re-arms every timer. A stack woken
   * from hibernation first compares the journal's highest sequence number, which Pekko read
   * instead of replaying, with the one its held state was written at: if another incarnation
   * wrote since, the held state is stale and no step may be computed on it (see MachineActor).
   */
  void onRecovered(RuntimeState s) {
    if (woken != null) {
      long journal = front.journalSeqNr();
      if (journal != wokenJournalSeqNr) {
        log.info("machine {} woke from hibernation at journal sequence number {}, but the journal holds {}: "
            + "another incarnation wrote meanwhile; recovering from the journal", self, wokenJournalSeqNr, journal);
        stale = true;
        cancelScheduled();
        actor.recovered(true);
        return;
      }
    }
    actor.recovered(false);
    commit.recovered();
    front.live = s;
    sender.resendAll(s);
    if (!s.timers.isEmpty()) s.timers.forEach(timers()::armOrCancel);
    for (MachineSnapshot.Pending p : s.effects.values()) env.effects().start(self, p);
  }

  // ---------------------------------------------------------------- events and replay

  @Override
  public EventHandler<RuntimeState, Event> eventHandler() {
    return this::applyEvent;
  }

  private RuntimeState applyEvent(RuntimeState s, Event e) {
    if (commit.isOwnWrite(e)) return s; // taken live and applied already
    boolean recovering = commit.phase() == GroupCommit.Phase.RECOVERING;
    if (e instanceof StepsTaken batch) for (StepTaken step : batch.steps()) steps.replay(s, step, recovering);
    else steps.replay(s, (StepTaken) e, recovering);
    return s;
  }

  @Override
  public SnapshotAdapter<RuntimeState> snapshotAdapter() {
    return RuntimeState.SNAPSHOTS;
  }

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
}
