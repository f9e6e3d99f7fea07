package dev.rsm.testkit.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.util.ArrayList;
import java.util.List;

/** Rolls a die with the recorded randomness and notes when: a handler that uses the context. */
public final class Dice extends Machine<Dice.Input, Dice.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("dice", Dice::new);

  public sealed interface Input permits Roll {}

  public record Roll() implements Input {}

  public record Rolled(int value, long at) {}

  public record State(List<Rolled> rolls) {}

  @Override
  public State initialState() {
    return new State(List.of());
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Roll.class, (s, r, ctx) -> {
          Rolled rolled = new Rolled(1 + ctx.random().nextInt(6), ctx.now().toEpochMilli());
          List<Rolled> rolls = new ArrayList<>(s.rolls());
          rolls.add(rolled);
          return Step.to(new State(rolls)).reply(rolled);
        })
        .build();
  }
}
