package dev.rsm.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The result of handling one input: the next state and the outputs. A handler <em>describes</em>
 * what should happen and the runtime makes it happen, atomically: the state change, the sends, the
 * reply and the timer changes are journaled as one event before any of them is visible to anyone.
 *
 * <ul>
 *   <li>{@link #send} — delivered to the target machine exactly once, after this step is journaled,
 *       in the order sends to that machine were made (per-channel FIFO).
 *   <li>{@link #reply} — returned to the external caller whose request produced this step (and to
 *       any retry of that request carrying the same idempotency key). For inputs from other machines
 *       or timers the reply is journaled but delivered to no one: answer a machine with a send.
 *   <li>{@link #startTimer} / {@link #cancelTimer} — durable timers; see {@link TimerOp}.
 * </ul>
 *
 * <p>A step is built by the handler that returns it and is owned by the runtime afterwards; the
 * builder methods return this same step for chaining.
 *
 * @param <S> the machine's state type
 */
public final class Step<S> {
  private final S state;
  private final boolean changed;
  private List<Send> sends = Collections.emptyList();
  private Object reply;
  private List<TimerOp> timers = Collections.emptyList();

  private Step(S state, boolean changed) {
    this.state = state;
    this.changed = changed;
  }

  /** A step to a new state. */
  public static <S> Step<S> to(S next) {
    return new Step<>(Objects.requireNonNull(next, "next state must not be null"), true);
  }

  /** A step that keeps the current state (it may still send, reply and set timers). */
  public static <S> Step<S> stay() {
    return new Step<>(null, false);
  }

  /** Sends {@code input} to the machine {@code (type, id)}, exactly once, after this step commits. */
  public <J> Step<S> send(MachineType<J, ?> type, String id, J input) {
    return send(new Address(type.name(), id), input);
  }

  /**
   * Sends {@code input} to the machine at {@code to}. The input must be one of the target type's
   * inputs; the runtime checks this when the step is taken.
   */
  public Step<S> send(Address to, Object input) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(input, "input");
    if (sends.isEmpty()) sends = new ArrayList<>(2);
    sends.add(new Send(to, input));
    return this;
  }

  /** Sets the reply of this step (a record, a string, a number or a boolean). */
  public Step<S> reply(Object reply) {
    this.reply = Objects.requireNonNull(reply, "reply");
    return this;
  }

  /**
   * Arms the timer {@code name} to deliver {@code input} to this machine after {@code delay}. The
   * deadline (this step's recorded time plus {@code delay}) is journaled with this step. The firing
   * is handled exactly once, never before the deadline (its {@code ctx.now()} is at or after it),
   * also across crashes and restarts; a deadline that passed while the machine was down fires as
   * soon as it is back. Re-arming a timer replaces the previous one, whose firing will never be
   * handled. A machine with an armed timer is not passivated.
   *
   * @param input one of this machine's inputs (checked when the step is taken)
   */
  public Step<S> startTimer(String name, Duration delay, Object input) {
    Objects.requireNonNull(delay, "delay");
    addTimer(new TimerOp(name, delay, Objects.requireNonNull(input, "input")));
    return this;
  }

  /** Cancels the timer {@code name}; a firing already under way is ignored. No-op if not armed. */
  public Step<S> cancelTimer(String name) {
    addTimer(new TimerOp(name, null, null));
    return this;
  }

  private void addTimer(TimerOp op) {
    if (timers.isEmpty()) timers = new ArrayList<>(1);
    timers.add(op);
  }

  /** Whether this step replaces the state; {@code false} for {@link #stay()}. */
  public boolean changesState() {
    return changed;
  }

  /** The next state, or {@code current} when this step {@link #stay stays}. */
  public S nextState(S current) {
    return changed ? state : current;
  }

  public List<Send> sends() {
    return Collections.unmodifiableList(sends);
  }

  /** The reply, or {@code null} when the step sets none. */
  public Object reply() {
    return reply;
  }

  public List<TimerOp> timers() {
    return Collections.unmodifiableList(timers);
  }

  @Override
  public String toString() {
    return "Step[state=" + (changed ? state : "(unchanged)") + ", sends=" + sends + ", reply="
        + reply + ", timers=" + timers + "]";
  }

  /** One send of a step: {@code input} to the machine at {@code to}. */
  public record Send(Address to, Object input) {}

  /**
   * Arming ({@code delay} and {@code input} set) or cancelling (both {@code null}) a named timer.
   * Timers are durable: the deadline is journaled with the step, survives crashes and moves, and
   * each firing is handled exactly once, as an input with a timer origin.
   */
  public record TimerOp(String name, Duration delay, Object input) {
    public TimerOp {
      Objects.requireNonNull(name, "timer name");
      if (delay != null && delay.isNegative())
        throw new IllegalArgumentException("timer delay must not be negative: " + delay);
    }

    public boolean isCancel() {
      return input == null;
    }
  }
}
