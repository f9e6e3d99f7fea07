package dev.rsm.app.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/** A machine whose handler throws on {@code fail}: for the HTTP 500 path. */
public final class Brittle extends Machine<Brittle.Input, Brittle.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("brittle", Brittle::new);

  public sealed interface Input permits Fail, Ok {}

  public record Fail(String why) implements Input {}

  public record Ok() implements Input {}

  public record State(int oks) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Fail.class, (s, f, ctx) -> { throw new IllegalStateException(f.why()); })
        .on(Ok.class, (s, o, ctx) -> Step.to(new State(s.oks() + 1)).reply(s.oks() + 1))
        .build();
  }
}
