package dev.rsm.multijvm.flaky;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/**
 * A counter whose handler turns non-deterministic at runtime: once {@link #broken} is set in a JVM
 * (see {@link FlakyNode}), its replies there are one more than its total. A replica monitor in
 * another JVM, where the flag is unset, re-runs those steps and gets the true total.
 */
public final class Flaky extends Machine<Flaky.Input, Flaky.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("flaky", Flaky::new);

  /** Read by the handler: the non-determinism under test. */
  static volatile boolean broken;

  public sealed interface Input permits Add {}

  public record Add(long n) implements Input {}

  public record State(long total) {}

  public record Total(long total) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers().on(Add.class, (s, a, ctx) -> add(s, a.n())).build();
  }

  private static Step<State> add(State s, long n) {
    State next = new State(s.total() + n);
    return Step.to(next).reply(new Total(broken ? next.total() + 1 : next.total()));
  }
}
