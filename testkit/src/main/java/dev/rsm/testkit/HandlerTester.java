package dev.rsm.testkit;

import dev.rsm.actors.Address;
import dev.rsm.actors.Context;
import dev.rsm.actors.EffectResult;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Reply;
import dev.rsm.actors.Step;
import dev.rsm.persistence.internal.StepRecorder;
import dev.rsm.testkit.internal.Outstanding;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Runs a machine's handlers without an actor system, the way the runtime does: with a recorded
 * time and seed you control, returning the whole {@link Step} (next state, sends, reply, timers).
 *
 * <pre>{@code
 * HandlerTester<Account.Input, Account.State> t = HandlerTester.of(Account.TYPE).withId("alice");
 * t.handle(new Account.Deposit(100));
 * HandlerTester.Result<Account.State> r = t.handle(new Account.Transfer("bob", 30));
 * assertEquals(new Account.State(70), r.state());
 * assertEquals(List.of(new Step.Send(Account.TYPE.address("bob"), new Account.Deposit(30))), r.sends());
 * }</pre>
 *
 * <h2>State, clock and timers</h2>
 *
 * A tester is a small mutable fixture: {@link #handle(Object)} runs the handler on the current
 * state and keeps the next state; {@link #handle(Object, Object)} runs it on a given state and
 * changes nothing. The clock stands still at {@link #START} (or what {@link #at} set) until {@link
 * #advance} moves it; every step sees the seed set with {@link #withSeed} (0 by default). Timers
 * armed by steps are tracked like the runtime does: re-arming replaces, cancelling removes, and
 * {@link #advance} fires every timer whose deadline it passes, in deadline order, each as a step
 * whose recorded time is its deadline.
 *
 * <h2>Calls and effects</h2>
 *
 * A machine's calls and effects wait for an answer or an outcome that comes back as an input; the
 * tester lets the test decide which, and builds it with the values the runtime would: {@link
 * #answer}, {@link #refuse} or {@link #timeOut} a call from {@link Result#calls()}, {@link
 * #succeed} or {@link #fail} an effect from {@link Result#effects()}. For that it numbers like the
 * runtime: each step of {@link #handle(Object)}, of a timer, an answer or an outcome gets the next
 * sequence number ({@link #seqNr()}), and each send the next number on the channel to its target
 * (a call's number is its {@link Reply#call()}); an effect's key is {@code
 * type/id/seqNr/index}, the requesting step's number and the effect's position in it. A call with
 * a timeout times out when {@link #advance} passes the calling step's time plus the timeout,
 * unless it was answered first. Each call is answered once and each outcome handed over once, as
 * in the runtime: feeding one twice throws {@link IllegalStateException}. An answer that comes
 * after the call timed out is ignored, as the runtime does: it counts as a step (the runtime
 * journals it) that runs no handler and changes nothing. Inputs given to {@link #handle(Object)}
 * are taken as sends or external inputs, never as calls: their steps' replies are not numbered as
 * answers to a caller.
 *
 * <p>Checks the runtime makes when a step is taken are made here too: a timer's input must be an
 * input of this machine type, and so must a send to a machine of the same type. Sends to other
 * types are returned unchecked.
 *
 * <p>Not thread-safe: one tester per test.
 *
 * @param <I> the machine's input type
 * @param <S> the machine's state type
 */
public final class HandlerTester<I, S> {
  /** Where the clock of a new tester stands: 2025-01-01T00:00:00Z. */
  public static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  private final MachineType<I, S> type;
  private Address self;
  private S state;
  private Instant now = START;
  private long seed;
  private final Map<String, Timer> timers = new LinkedHashMap<>();
  private final Outstanding outstanding = new Outstanding();

  private HandlerTester(MachineType<I, S> type) {
    this.type = type;
    this.self = type.address("test");
    this.state = type.initialState();
  }

  /** A tester for machines of {@code type}, id {@code "test"}, in the type's initial state. */
  public static <I, S> HandlerTester<I, S> of(MachineType<I, S> type) {
    return new HandlerTester<>(Objects.requireNonNull(type, "type"));
  }

  /** Sets the machine id ({@code ctx.self()}). */
  public HandlerTester<I, S> withId(String id) {
    this.self = type.address(id);
    return this;
  }

  /** Sets the current state. */
  public HandlerTester<I, S> withState(S state) {
    this.state = Objects.requireNonNull(state, "state");
    return this;
  }

  /** Sets the clock: the recorded time of the next steps. Armed timers keep their deadlines. */
  public HandlerTester<I, S> at(Instant time) {
    this.now = Objects.requireNonNull(time, "time");
    return this;
  }

  /** Sets the recorded random seed of the next steps ({@code ctx.random()}). */
  public HandlerTester<I, S> withSeed(long seed) {
    this.seed = seed;
    return this;
  }

  public Address self() {
    return self;
  }

  public S state() {
    return state;
  }

  public Instant now() {
    return now;
  }

  /** The armed timers by name, in arming order (calls' timeouts are not among them). */
  public Map<String, Timer> timers() {
    return Collections.unmodifiableMap(timers);
  }

  /** The calls without an answer yet, in call order. */
  public List<Step.Send> pendingCalls() {
    return outstanding.pendingCalls();
  }

  /** The effects whose outcome was not handed over yet, in request order. */
  public List<Step.Effect> pendingEffects() {
    return outstanding.pendingEffects();
  }

  /** The sequence number of the last step this tester took (0 before the first), as the runtime counts. */
  public long seqNr() {
    return outstanding.seqNr();
  }

  /**
   * Handles {@code input} on the current state at the current time, keeps the next state and
   * applies the step's timer changes.
   */
  public Result<S> handle(I input) {
    checkInput(input);
    return take((st, ctx) -> type.machine().handle(st, input, ctx), null);
  }

  /**
   * Handles {@code input} on {@code state}; the tester's own state, timers, numbers and pending
   * calls and effects are untouched (this step's calls and effects cannot be answered).
   */
  public Result<S> handle(S state, I input) {
    checkInput(input);
    Step<S> step = type.machine().handle(state, input, Context.of(self, now.toEpochMilli(), seed));
    StepRecorder.check(type, null, step);
    return new Result<>(step.nextState(state), step, now, seed);
  }

  /** Hands the machine the callee's reply to {@code call} (status {@code OK}; {@code reply} may be null). */
  public Result<S> answer(Step.Send call, Object reply) {
    return end(outstanding.call(call), Reply.Status.OK, reply, null);
  }

  /** Hands the machine the callee's refusal of {@code call} (status {@code REJECTED}). */
  public Result<S> refuse(Step.Send call, String reason) {
    return end(outstanding.call(call), Reply.Status.REJECTED, null, Objects.requireNonNull(reason, "reason"));
  }

  /**
   * Times {@code call} out (status {@code TIMED_OUT}) at its deadline: the clock moves there if it
   * is not past it already, like {@link #advance}, firing first what falls due before.
   *
   * @throws IllegalArgumentException if the call has no timeout (the runtime never times it out)
   * @throws IllegalStateException if it was answered or timed out already
   */
  public Result<S> timeOut(Step.Send call) {
    Outstanding.Call c = outstanding.call(call);
    if (c.deadline() == null)
      throw new IllegalArgumentException(call + " has no timeout: the runtime waits for its answer as long as it takes");
    c.late(Reply.Status.TIMED_OUT); // throws if it ended already
    return runUntil(c.deadline().isAfter(now) ? c.deadline() : now, c).stream()
        .filter(f -> f.cause() == c).findFirst().orElseThrow().result();
  }

  /** Hands the machine the successful outcome of {@code effect}, after one attempt. */
  public Result<S> succeed(Step.Effect effect, Object value) {
    return outcome(outstanding.effect(effect), true, value, null, 1);
  }

  /** Hands the machine the failed outcome of {@code effect}: {@code error} after {@code attempts} attempts. */
  public Result<S> fail(Step.Effect effect, String error, int attempts) {
    return outcome(outstanding.effect(effect), false, null, Objects.requireNonNull(error, "error"), attempts);
  }

  /** The key the runtime gives {@code effect}'s attempts: {@code type/id/seqNr/index}. */
  public String key(Step.Effect effect) {
    return outstanding.effect(effect).key();
  }

  // An answer or outcome counts as handled once its step is taken: one whose handler threw may be fed again.
  private Result<S> outcome(Outstanding.Effect f, boolean ok, Object value, String error, int attempts) {
    EffectResult<Object> result = f.result(ok, value, error, attempts);
    Result<S> r = take((st, ctx) -> type.machine().handleEffect(st, result, ctx), null);
    f.ended();
    return r;
  }

  private Result<S> end(Outstanding.Call c, Reply.Status status, Object value, String error) {
    if (c.late(status)) { // journaled by the runtime, handled by no one
      c.ended(status);
      outstanding.ignored();
      return new Result<>(state, Step.stay(), now, seed);
    }
    Reply<Object> reply = c.reply(status, value, error);
    Result<S> r = take((st, ctx) -> type.machine().handleReply(st, reply, ctx), null);
    c.ended(status);
    return r;
  }

  /**
   * Moves the clock forward by {@code duration}, firing every timer and timing out every unanswered
   * call whose deadline falls due on the way, in deadline order (a firing may arm further timers or
   * make further calls, which fire too if they fall due), each at its deadline. The clock ends at
   * the old time plus {@code duration}.
   *
   * @return the steps of the firings and timeouts, in order
   */
  public List<Result<S>> advance(Duration duration) {
    if (duration.isNegative()) throw new IllegalArgumentException("time does not go back: " + duration);
    return runUntil(now.plus(duration), null).stream().map(Firing::result).toList();
  }

  /**
   * Fires the timers and calls' timeouts due by {@code end} in deadline order (a timer before a
   * timeout of the same deadline), until none is left or {@code stopAfter}'s timeout has fired;
   * the clock ends at {@code end}.
   */
  private List<Firing<S>> runUntil(Instant end, Outstanding.Call stopAfter) {
    List<Firing<S>> fired = new ArrayList<>();
    while (stopAfter == null || stopAfter.open()) {
      Timer next = timers.values().stream()
          .filter(t -> !t.deadline().isAfter(end))
          .min(Comparator.comparing(Timer::deadline))
          .orElse(null);
      Outstanding.Call call = outstanding.nextTimeout(end);
      if (call != null && (next == null || call.deadline().isBefore(next.deadline()))) {
        if (call.deadline().isAfter(now)) now = call.deadline();
        String error = "no answer within " + call.send().timeout(); // the runtime's words (StepRecorder.timers)
        fired.add(new Firing<>(call, end(call, Reply.Status.TIMED_OUT, null, error)));
      } else if (next != null) {
        if (next.deadline().isAfter(now)) now = next.deadline();
        I input = type.inputType().cast(next.input());
        fired.add(new Firing<>(next, take((st, ctx) -> type.machine().handle(st, input, ctx), next.name())));
      } else break;
    }
    now = end;
    return fired;
  }

  /** A timer's or a call timeout's firing ({@code cause}) and its step. */
  private record Firing<S>(Object cause, Result<S> result) {}

  /**
   * Runs {@code handler} on the current state at the current time, checks its step as the runtime
   * does (knowing only this type: sends to others are not checked), keeps the next state, applies
   * its timer changes (after removing the {@code firing} timer, which the firing consumes) and
   * counts the step and its outputs.
   */
  private Result<S> take(BiFunction<S, Context, Step<S>> handler, String firing) {
    Step<S> step = handler.apply(state, Context.of(self, now.toEpochMilli(), seed));
    StepRecorder.check(type, null, step);
    S next = step.nextState(state);
    if (firing != null) timers.remove(firing); // the firing consumes the timer before re-arms apply
    for (Step.TimerOp op : step.timers()) {
      if (op.isCancel()) timers.remove(op.name());
      else timers.put(op.name(), new Timer(op.name(), now.plus(op.delay()), op.input()));
    }
    outstanding.taken(self, step, now);
    Result<S> r = new Result<>(next, step, now, seed);
    state = next;
    return r;
  }

  private void checkInput(I input) {
    if (!type.accepts(input))
      throw new IllegalArgumentException(input + " is not an input of machine type " + type.name());
  }

  /** An armed timer: it delivers {@code input} at {@code deadline}. */
  public record Timer(String name, Instant deadline, Object input) {}

  /**
   * One handled input: the state after it, the step the handler returned, and the recorded time
   * and seed it saw.
   */
  public record Result<S>(S state, Step<S> step, Instant time, long seed) {
    /** The reply, or null. */
    public Object reply() {
      return step.reply();
    }

    /** The reply, cast to {@code type}. */
    public <R> R reply(Class<R> type) {
      return type.cast(step.reply());
    }

    /** The sends and calls, in the order the handler made them. */
    public List<Step.Send> sends() {
      return step.sends();
    }

    /**
     * The calls among {@link #sends()}: give one to {@link HandlerTester#answer}, {@link
     * HandlerTester#refuse} or {@link HandlerTester#timeOut}.
     */
    public List<Step.Send> calls() {
      return step.calls();
    }

    /**
     * The effects requested, in order: give one to {@link HandlerTester#succeed} or {@link
     * HandlerTester#fail}.
     */
    public List<Step.Effect> effects() {
      return step.effects();
    }

    public List<Step.TimerOp> timers() {
      return step.timers();
    }

    /** Whether the step replaced the state ({@code Step.to}) rather than staying. */
    public boolean changedState() {
      return step.changesState();
    }
  }
}
