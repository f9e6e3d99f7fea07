package dev.rsm.bench;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.Step;

/** The heap mode's machine: a counter that is created, read and left idle. */
public final class IdleMachine extends Machine<IdleMachine.Input, IdleMachine.State> {
  public sealed interface Input permits Add {}

  public record Add(long n) implements Input {}

  public record State(long total) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers().on(Add.class, (s, a, ctx) -> Step.to(new State(s.total() + a.n()))).build();
  }
}
