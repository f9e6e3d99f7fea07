package dev.rsm.testkit;

import dev.rsm.actors.Address;
import dev.rsm.actors.Context;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import dev.rsm.persistence.internal.StepRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

  /** The armed timers by name, in arming order. */
  public Map<String, Timer> timers() {
    return Collections.unmodifiableMap(timers);
  }

  /**
   * Handles {@code input} on the current state at the current time, keeps the next state and
   * applies the step's timer changes.
   */
  public Result<S> handle(I input) {
    return take(input, null);
  }

  /** Handles {@code input} on {@code state}; the tester's own state and timers are untouched. */
  public Result<S> handle(S state, I input) {
    Step<S> step = run(state, input);
    return new Result<>(step.nextState(state), step, now, seed);
  }

  /**
   * Moves the clock forward by {@code duration}, firing every timer that falls due on the way, in
   * deadline order (a firing may arm further timers, which fire too if they fall due), each at its
   * deadline. The clock ends at the old time plus {@code duration}.
   *
   * @return the steps of the firings, in order
   */
  public List<Result<S>> advance(Duration duration) {
    if (duration.isNegative()) throw new IllegalArgumentException("time does not go back: " + duration);
    Instant end = now.plus(duration);
    List<Result<S>> fired = new ArrayList<>();
    while (true) {
      Timer next = timers.values().stream()
          .filter(t -> !t.deadline().isAfter(end))
          .min(Comparator.comparing(Timer::deadline))
          .orElse(null);
      if (next == null) break;
      if (next.deadline().isAfter(now)) now = next.deadline();
      fired.add(take(type.inputType().cast(next.input()), next.name()));
    }
    now = end;
    return fired;
  }

  private Result<S> take(I input, String firing) {
    Step<S> step = run(state, input);
    S next = step.nextState(state);
    if (firing != null) timers.remove(firing); // the firing consumes the timer before re-arms apply
    for (Step.TimerOp op : step.timers()) {
      if (op.isCancel()) timers.remove(op.name());
      else timers.put(op.name(), new Timer(op.name(), now.plus(op.delay()), op.input()));
    }
    Result<S> r = new Result<>(next, step, now, seed);
    state = next;
    return r;
  }

  private Step<S> run(S state, I input) {
    if (!type.accepts(input))
      throw new IllegalArgumentException(input + " is not an input of machine type " + type.name());
    Step<S> step = type.machine().handle(state, input, Context.of(self, now.toEpochMilli(), seed));
    // The runtime's own check of a step (it knows only this type: sends to others are not checked).
    StepRecorder.check(type, null, step);
    return step;
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

    public List<Step.Send> sends() {
      return step.sends();
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
