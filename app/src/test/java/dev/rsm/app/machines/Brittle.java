package dev.rsm.app.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/** A machine whose handler throws on {@code fail} (the HTTP 500 path) and echoes a {@code note}. */
public final class Brittle extends Machine<Brittle.Input, Brittle.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("brittle", Brittle::new);

  public sealed interface Input permits Fail, Ok, Note {}

  /** Replied as it came: a step whose input and reply are the client's text. */
  public record Note(String text) implements Input {}

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
        .on(Note.class, (s, n, ctx) -> Step.<State>stay().reply(n.text()))
        .build();
  }
}
