package dev.rsm.testkit.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/** Units of one item: taken by orders (a {@link Shop} calls it), put back, restocked. */
public final class Stock extends Machine<Stock.Input, Stock.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("stock", Stock::new);

  public sealed interface Input permits Take, Put, Restock {}

  /**
   * Takes {@code qty} units for {@code order}, if there are that many; replies {@link Taken}. A
   * quantity below 1 makes its handler throw: a poison input, refused to its caller.
   */
  public record Take(String order, int qty) implements Input {}

  /** Puts back the units an order took. */
  public record Put(String order, int qty) implements Input {}

  public record Restock(int units) implements Input {}

  /** Whether the units were taken, and how many are left. */
  public record Taken(boolean ok, int left) {}

  public record State(int units) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Take.class, (s, t, ctx) -> {
          if (t.qty() < 1) throw new IllegalArgumentException("nothing to take: " + t.qty());
          return s.units() < t.qty()
            ? Step.<State>stay().reply(new Taken(false, s.units()))
              : Step.to(new State(s.units() - t.qty())).reply(new Taken(true, s.units() - t.qty()));
        })
        .on(Put.class, (s, p, ctx) -> Step.to(new State(s.units() + p.qty())))
        .on(Restock.class, (s, r, ctx) -> Step.to(new State(s.units() + r.units())).reply(s.units() + r.units()))
        .build();
  }
}
