package dev.rsm.persistence.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/** Adds numbers; replies with the new total; optionally tells another counter. */
public final class Counter extends Machine<Counter.Input, Counter.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("counter", Counter::new);

  public sealed interface Input permits Add, AddAndTell {}

  public record Add(long n) implements Input {}

  /** Adds {@code n} here and sends {@code Add(n)} to the counter {@code other}. */
  public record AddAndTell(long n, String other) implements Input {}

  public record State(long total, long steps) {}

  public record Total(long total) {}

  @Override
  public State initialState() {
    return new State(0, 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Add.class, (s, a, ctx) -> add(s, a.n()))
        .on(AddAndTell.class, (s, a, ctx) -> add(s, a.n()).send(TYPE, a.other(), new Add(a.n())))
        .build();
  }

  private static Step<State> add(State s, long n) {
    State next = new State(s.total() + n, s.steps() + 1);
    return Step.to(next).reply(new Total(next.total()));
  }
}
