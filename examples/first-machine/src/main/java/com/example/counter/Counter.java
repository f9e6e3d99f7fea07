package com.example.counter;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/**
 * A counter: {@link Add} adds to its total, {@link Reset} sets it back to zero. Each machine id is a
 * counter of its own ({@code counter/visits}, {@code counter/downloads}), created when first
 * addressed; every input is handled exactly once, also when a client sends it again with the same
 * idempotency key.
 */
public final class Counter extends Machine<Counter.Input, Counter.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("counter", Counter::new);

  /** What a counter accepts: in JSON, {@code {"type":"add","amount":5}} or {@code {"type":"reset"}}. */
  public sealed interface Input permits Add, Reset {}

  public record Add(long amount) implements Input {}

  public record Reset() implements Input {}

  /** The total, and how many inputs changed it. */
  public record State(long total, long changes) {}

  /** The reply to every input: whether it was taken, and the total after it. */
  public record Total(boolean accepted, long total) {}

  @Override
  public State initialState() {
    return new State(0, 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Add.class, this::add)
        .on(Reset.class, (s, r, ctx) -> Step.to(new State(0, s.changes() + 1)).reply(new Total(true, 0)))
        .build();
  }

  private Step<State> add(State s, Add a, Context ctx) {
    // Refused rather than wrapping around, and a refusal changes nothing.
    if (a.amount() <= 0 || a.amount() > Long.MAX_VALUE - s.total())
      return Step.<State>stay().reply(new Total(false, s.total()));
    State next = new State(s.total() + a.amount(), s.changes() + 1);
    return Step.to(next).reply(new Total(true, next.total()));
  }
}
