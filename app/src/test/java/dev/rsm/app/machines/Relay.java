package dev.rsm.app.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.time.Duration;

/**
 * A machine that passes a poison input on to a {@link Brittle} (whose handler throws on it, so it
 * is retried and then rejected) and arms a timer on request.
 */
public final class Relay extends Machine<Relay.Input, Relay.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("relay", Relay::new);

  public sealed interface Input permits Poison, Arm, Ring {}

  /** Sends {@code Fail} to the brittle machine {@code to}. */
  public record Poison(String to) implements Input {}

  /** Arms the timer "ring", to fire after {@code millis}. */
  public record Arm(long millis) implements Input {}

  /** The timer's input. */
  public record Ring() implements Input {}

  public record State(int rings) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Poison.class, (s, p, ctx) -> Step.<State>stay().send(Brittle.TYPE, p.to(), new Brittle.Fail("poison")).reply("sent"))
        .on(Arm.class, (s, a, ctx) -> Step.<State>stay().startTimer("ring", Duration.ofMillis(a.millis()), new Ring()).reply("armed"))
        .on(Ring.class, (s, r, ctx) -> Step.to(new State(s.rings() + 1)))
        .build();
  }
}
