package dev.rsm.persistence.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.util.ArrayList;
import java.util.List;

/** Records the values it receives; throws on {@link Boom}. {@link Relay} forwards to a fragile. */
public final class Fragile extends Machine<Fragile.Input, Fragile.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("fragile", Fragile::new);

  public sealed interface Input permits Value, Boom, Relay {}

  public record Value(int v) implements Input {}

  public record Boom(String why) implements Input {}

  /** Sends values 1..{@code before}, then a {@link Boom}, then the next {@code after} values. */
  public record Relay(String to, int before, int after) implements Input {}

  public record State(List<Integer> seen) {}

  @Override
  public State initialState() {
    return new State(List.of());
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Value.class, (s, v, ctx) -> {
          List<Integer> seen = new ArrayList<>(s.seen());
          seen.add(v.v());
          return Step.to(new State(seen)).reply(seen.size());
        })
        .on(Boom.class, (s, b, ctx) -> {
          throw new IllegalStateException("boom: " + b.why());
        })
        .on(Relay.class, (s, r, ctx) -> {
          Step<State> step = Step.stay();
          for (int i = 1; i <= r.before(); i++) step.send(TYPE, r.to(), new Value(i));
          step.send(TYPE, r.to(), new Boom("poison"));
          for (int i = 1; i <= r.after(); i++) step.send(TYPE, r.to(), new Value(r.before() + i));
          return step;
        })
        .build();
  }
}
