package dev.rsm.persistence.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/**
 * A counter whose handler stops being deterministic when a JVM-wide flag is set: with {@link
 * #broken} on, its reply is one more than its total. For the replica monitor's tests, which set
 * the flag while a machine writes and clear it before the monitor re-runs the step.
 */
public final class Flaky extends Machine<Flaky.Input, Flaky.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("flaky", Flaky::new);

  /** Read by the handler: the non-determinism under test. */
  public static volatile boolean broken;

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
