package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.Context;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.FaultInjector.Point;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.GroupCommit.Batch;
import dev.rsm.persistence.internal.GroupCommit.Taken;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.Protocol.TimerFired;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import io.opentelemetry.api.trace.Span;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * INTERNAL API. Taking a machine's steps, and letting each out once written. Taking one runs the
 * handler with the step's recorded time and seed, records the step ({@link StepRecorder}), refuses
 * it if the journal could not write or read back its values ({@link JournalValues}), applies it to
 * the state and hands it to {@link GroupCommit}; a handler that throws goes to {@link Failures}.
 * After the write, each step's outputs leave in this order: sends, timers, the input's
 * acknowledgement, the caller's reply. Nothing of a step leaves before its write.
 *
 * <p>Each method that takes a step returns whether a journal write is due now; the event-sourced
 * behaviour, which alone can persist, then writes.
 */
final class StepTaker {
  private final MachineEnvironment env;
  private final RuntimeSettings settings;
  private final MachineType<?, ?> type;
  private final Machine<Object, Object> machine;
  private final Address self;
  private final Logger log;
  private final GroupCommit commit;
  private final Sender sender;
  private final JournalValues values;
  private final Supplier<DurableTimers> timers;
  // The registry's lookup, made once: a method reference written in take would be a new object
  // on every step.
  private final Function<String, MachineType<?, ?>> targets;
  private final Tracing tracing;
  private Failures failures; // created with the first failure

  @SuppressWarnings("unchecked")
  StepTaker(MachineEnvironment env, MachineType<?, ?> type, Address self, Logger log, GroupCommit commit,
      Sender sender, JournalValues values, Supplier<DurableTimers> timers, Tracing tracing) {
    this.env = env;
    this.settings = env.settings();
    this.type = type;
    this.machine = (Machine<Object, Object>) type.machine();
    this.self = self;
    this.log = log;
    this.commit = commit;
    this.sender = sender;
    this.values = values;
    this.timers = timers;
    this.targets = env.registry()::get;
    this.tracing = tracing;
  }

  /**
   * Runs the handler on {@code input} and takes its step; returns whether a write is due now.
   * {@code trace} is the W3C traceparent the input came with, or null.
   */
  boolean take(RuntimeState s, Origin origin, Object input, ActorRef<IngressResult> replyTo,
      ActorRef<Command> ackTo, Object ackChannel, String trace) {
    MachineMdc.step(s.seqNr + 1);
    if (input instanceof Envelopes.CallReply r && !s.timedOutCalls.isEmpty() && origin instanceof Origin.Channel c
        && s.timedOutCalls.contains(Envelopes.callTimer(c.from(), r.call())))
      return ignore(s, origin, input, "the answer to call " + r.call() + " came after the call timed out");
    Span span = tracing.stepStarted(self, origin, input, trace); // null when tracing is off
    long now = env.clock().millis();
    long seed = ThreadLocalRandom.current().nextLong(); // recorded: replay reads it back
    Step<Object> step;
    StepTaken event;
    try {
      step = machine.handle(s.user, Envelopes.forHandler(input), Context.of(self, now, seed));
      event = StepRecorder.record(type, targets, s, self, origin, input, now, seed, step);
      for (Step.Effect f : step.effects())
        if (!env.effects().handles(f.name()))
          throw new IllegalStateException("effect " + f.name() + " has no handler on this node (RuntimeOptions.withEffect)");
      values.check(event, step, s.user);
    } catch (PayloadBytes.NotJournalable | Address.InvalidIdException e) {
      // Refused before the step is taken: a write that fails later would fail it for good, with
      // the machine restarting on every retry (and every other input waiting behind it); a send to
      // an address that cannot exist opens no channel to it.
      Tracing.stepFailed(span, e);
      if (replyTo == null) return failed(s, origin, input, null, e);
      log.info("step of {} on {} refused: {}", self, StepRecorder.describe(input), e.getMessage());
      replyTo.tell(new IngressResult.Invalid(e instanceof Address.InvalidIdException
          ? "the step of " + self + " sends to an invalid address: " + e.getMessage() : e.getMessage()));
      return false;
    } catch (RuntimeException e) {
      Tracing.stepFailed(span, e);
      return failed(s, origin, input, replyTo, e);
    }
    if (failures != null) failures.succeeded(origin);
    if (env.faults().crash(Point.BEFORE_JOURNAL, self))
      throw new FaultInjector.InjectedCrash(Point.BEFORE_JOURNAL, self);
    return taken(s, event, step.nextState(s.user), replyTo, ackTo, ackChannel, span);
  }

  /** The next message on a channel: taken, or journaled as rejected when this type does not take it. */
  boolean takeDelivered(RuntimeState s, Protocol.Deliver d) {
    Origin origin = new Origin.Channel(d.from(), d.seq());
    if (!accepts(d.input())) return reject(s, origin, d.input(), 1, "not an input of machine type " + type.name());
    return take(s, origin, d.input(), null, d.ackTo(), d.channel(), d.trace());
  }

  /**
   * Applies a journaled step on recovery (or a copy's journal read): the handler re-run and checked
   * against the journal ({@link Replay}), unless the step was rejected. {@code recovering}: a
   * crash may be injected there.
   */
  void replay(RuntimeState s, StepTaken e, boolean recovering) {
    if (recovering && env.faults().crash(Point.DURING_RECOVERY, self))
      throw new FaultInjector.InjectedCrash(Point.DURING_RECOVERY, self);
    Object next = e.rejected() != null ? s.user
        : Replay.recompute(machine, self, s, e, settings, values.comparing(), env.observer());
    s.apply(e, next, settings.idempotencyMaxKeys(), settings.idempotencyRetentionMillis(), values.keyFingerprint(e));
  }

  /** Whether a machine's message is one of this type's inputs, a call of one, or an answer it handles. */
  boolean accepts(Object input) {
    if (input instanceof Envelopes.CallReply r) return type.handlesRepliesTo(r.request().getClass());
    return type.accepts(Envelopes.userInput(input));
  }

  /**
   * An effect's outcome: taken while the journal holds the effect as pending, so once; a copy after
   * that (or before its requesting step's write, which cannot be: the effect starts after it) only
   * tells the runner to stop handing it over.
   */
  boolean takeOutcome(RuntimeState s, Envelopes.EffectOutcome outcome) {
    if (!s.effects.containsKey(outcome.id())) {
      commit.whenWritten(() -> env.effects().handled(EffectRunner.key(self, outcome.id())));
      return false;
    }
    return take(s, new Origin.Effect(outcome.id()), outcome, null, null, null, null);
  }

  /** Journals {@code input} as rejected: state unchanged, its channel (or timer) moves on. */
  boolean reject(RuntimeState s, Origin origin, Object input, int attempts, String reason) {
    MachineMdc.step(s.seqNr + 1);
    log.error("machine {} rejected {} from {} after {} attempt(s): {}",
        self, StepRecorder.describe(input), origin, attempts, reason);
    // A call is answered even when refused: its caller waits for the answer.
    StepTaken event = new StepTaken(origin, input, env.clock().millis(), 0,
        StepRecorder.refusal(s, self, origin, input, reason), null, List.of(), reason);
    return taken(s, event, s.user, null, null, null, null);
  }

  /**
   * Journals {@code input} as handled without running the handler (a call's answer after its
   * timeout was handled): its channel moves on, nothing else changes.
   */
  private boolean ignore(RuntimeState s, Origin origin, Object input, String reason) {
    log.info("machine {} ignores {} from {}: {}", self, StepRecorder.describe(input), origin, reason);
    StepTaken event = new StepTaken(origin, input, env.clock().millis(), 0, List.of(), null, List.of(), reason);
    return taken(s, event, s.user, null, null, null, null);
  }

  /** Applies a step and hands it to group commit: written now, or with the others at the Flush. */
  private boolean taken(RuntimeState s, StepTaken event, Object nextUser,
      ActorRef<IngressResult> replyTo, ActorRef<Command> ackTo, Object ackChannel, Span span) {
    long evictedBefore = s.keys.evictedEarly;
    OutChannel first = s.apply(event, nextUser, settings.idempotencyMaxKeys(),
        settings.idempotencyRetentionMillis(), values.keyFingerprint(event));
    if (s.keys.evictedEarly != evictedBefore && (evictedBefore == 0 || s.keys.evictedEarly % 1000 == 0))
      log.warn("{} forgot an idempotency key younger than {} to stay within {} keys ({} so far): a retry with it "
              + "would be handled again (rsm.persistence.idempotency, docs/limits.md)", self,
          settings.idempotencyRetention(), settings.idempotencyMaxKeys(), s.keys.evictedEarly);
    return commit.add(new Taken(event, s.seqNr, replyTo, ackTo, ackChannel, first, span), settings.maxStepsPerWrite());
  }

  /** A handler that threw: the external caller is told; a machine's input or a timer is retried. */
  private boolean failed(RuntimeState s, Origin origin, Object input, ActorRef<IngressResult> replyTo, Exception e) {
    if (failures == null) failures = new Failures(self, settings, log);
    if (replyTo != null) {
      // Recorded before the answer, so a caller that sees its error also finds it among the rejections.
      env.observer().rejected(self, origin.toString(), input, Failures.reason(e), 0);
      replyTo.tell(failures.external(input, e));
      return false;
    }
    int attempts = failures.failed(origin, input, e);
    if (attempts < settings.maxAttempts()) {
      if (origin instanceof Origin.Timer t) // a timer has no sender to resend it: retry it here
        timers.get().start(t.name(), new TimerFired(t.name(), t.generation()),
            settings.resendInterval().multipliedBy(attempts));
      // A machine's input is resent by its sender, an effect's outcome by the EffectRunner.
      return false;
    }
    return reject(s, origin, input, attempts, Failures.reason(e));
  }

  /** After a journal write: each step's outputs, in step order, then the answers that waited. */
  void release(RuntimeState s, Batch batch) {
    for (Taken t : batch.steps()) release(s, t);
    sender.reportUnacked(s);
    commit.runAfterWrite();
  }

  /** After the journal write of a step: send, arm timers, acknowledge, reply — in that order. */
  private void release(RuntimeState s, Taken taken) {
    StepTaken e = taken.event();
    MachineMdc.step(taken.seqNr());
    if (env.faults().crash(Point.AFTER_JOURNAL_BEFORE_SEND, self))
      throw new FaultInjector.InjectedCrash(Point.AFTER_JOURNAL_BEFORE_SEND, self);
    for (Sent sent : e.sends()) {
      OutChannel ch = sent == e.sends().get(0) ? taken.firstChannel() : s.outbox.get(sent.to());
      if (sent.seq() > ch.journaledUpTo) ch.journaledUpTo = sent.seq();
      sender.traced(ch, sent.seq(), taken.span());
      sender.sendWindow(ch, sent.to());
    }
    int armed = 0;
    for (TimerSet t : e.timers()) {
      timers.get().armOrCancel(t.name(), t.isCancel() ? null : s.timers.get(t.name()));
      if (!t.isCancel()) armed++;
    }
    if (armed > 0) env.observer().timersArmed(self, armed);
    for (int i = 0; i < e.effects().size(); i++) {
      String id = StepTaken.effectId(taken.seqNr(), i);
      env.effects().start(self, new MachineSnapshot.Pending(id, e.effects().get(i).name(), e.effects().get(i).request()));
    }
    if (e.origin() instanceof Origin.Effect f) {
      env.effects().handled(EffectRunner.key(self, f.id()));
      if (e.input() instanceof Envelopes.EffectOutcome o) env.observer().effectHandled(self, o.name(), o.ok());
    }
    if (e.origin() instanceof Origin.Timer t && !s.timers.containsKey(t.name())) timers.get().cancel(t.name());
    if (env.faults().crash(Point.AFTER_SEND_BEFORE_ACK, self))
      throw new FaultInjector.InjectedCrash(Point.AFTER_SEND_BEFORE_ACK, self);
    env.observer().stepJournaled(self, e.input(), taken.seqNr());
    if (e.rejected() != null && !(e.input() instanceof Envelopes.CallReply)) // a late answer is not poison
      env.observer().rejected(self, e.origin().toString(), e.input(), e.rejected(), taken.seqNr());
    if (e.origin() instanceof Origin.Timer) env.observer().timerFired(self);
    if (e.origin() instanceof Origin.Channel c)
      sender.acknowledge(c.from(), taken.ackTo(), taken.ackChannel(), c.seq(), c.seq());
    if (taken.replyTo() != null) {
      taken.replyTo().tell(new IngressResult.Replied(e.reply(), false, taken.seqNr()));
      commit.replied(taken.replyTo());
    }
    sender.ensureResendTick(s);
    Tracing.stepReleased(taken.span(), taken.seqNr());
    if (env.faults().crash(Point.AFTER_ACK, self))
      throw new FaultInjector.InjectedCrash(Point.AFTER_ACK, self);
  }
}
