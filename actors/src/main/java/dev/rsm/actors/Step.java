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
 *   <li>{@link #call} — a send whose receiver's reply comes back to this machine as a {@link
 *       Reply} input, exactly once (or the call's refusal or timeout).
 *   <li>{@link #effect} — work outside the machines (a payment, an e-mail), executed after this step
 *       is journaled, at least once with one idempotency key; its outcome comes back as an {@link
 *       EffectResult} input, exactly once.
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
  private List<Effect> effects = Collections.emptyList();

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
    return add(new Send(to, input));
  }

  private Step<S> add(Send send) {
    if (sends.isEmpty()) sends = new ArrayList<>(2);
    sends.add(send);
    return this;
  }

  /**
   * Calls the machine {@code (type, id)} with {@code input}: a {@link #send} (exactly once, in order
   * with this machine's other sends to it) whose receiver's step reply comes back to this machine
   * as a {@link Reply}, handled by the handler registered with {@link Handlers.Builder#onReply} for
   * {@code input}'s class. Without a timeout the call waits for the callee as long as it takes.
   */
  public <J> Step<S> call(MachineType<J, ?> type, String id, J input) {
    return call(new Address(type.name(), id), input, null);
  }

  /**
   * The same, with a timeout: if no answer is journaled by this step's recorded time plus {@code
   * timeout}, a durable timer hands this machine a {@link Reply} with status {@link
   * Reply.Status#TIMED_OUT} (the callee may still handle the input; its late reply is ignored).
   */
  public <J> Step<S> call(MachineType<J, ?> type, String id, J input, Duration timeout) {
    return call(new Address(type.name(), id), input, Objects.requireNonNull(timeout, "timeout"));
  }

  /** Calls the machine at {@code to}; {@code timeout} may be null (no timeout). */
  public Step<S> call(Address to, Object input, Duration timeout) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(input, "input");
    if (timeout != null && (timeout.isNegative() || timeout.isZero()))
      throw new IllegalArgumentException("call timeout must be positive: " + timeout);
    return add(new Send(to, input, true, timeout));
  }

  /**
   * Requests the effect {@code name} with {@code request}: after this step is journaled, the
   * runtime runs the {@link EffectHandler} registered under {@code name} (at least once, retried per
   * the effect's policy, with a stable idempotency key) and hands its outcome to this machine as an
   * {@link EffectResult}, exactly once, to the handler registered with {@link
   * Handlers.Builder#onEffect}.
   */
  public Step<S> effect(String name, Object request) {
    Effect e = new Effect(name, Objects.requireNonNull(request, "request"));
    if (effects.isEmpty()) effects = new ArrayList<>(1);
    effects.add(e);
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

  /** The sends and calls, in the order the handler made them. */
  public List<Send> sends() {
    return Collections.unmodifiableList(sends);
  }

  /** The calls among {@link #sends()}. */
  public List<Send> calls() {
    return sends.stream().filter(Send::call).toList();
  }

  /** The effects requested, in order. */
  public List<Effect> effects() {
    return Collections.unmodifiableList(effects);
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
        + reply + ", timers=" + timers + (effects.isEmpty() ? "" : ", effects=" + effects) + "]";
  }

  /**
   * One send of a step: {@code input} to the machine at {@code to}; a {@link #call} when {@code
   * call}, with its {@code timeout} (null: none).
   */
  public record Send(Address to, Object input, boolean call, Duration timeout) {
    /** A plain send. */
    public Send(Address to, Object input) {
      this(to, input, false, null);
    }
  }

  /** One effect of a step: the effect {@code name} with {@code request}. */
  public record Effect(String name, Object request) {
    public Effect {
      Objects.requireNonNull(name, "effect name");
      if (name.isBlank()) throw new IllegalArgumentException("effect name must not be blank");
    }
  }

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
