package dev.rsm.app.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/** A warehouse counting the units reserved by orders. */
public final class Warehouse extends Machine<Warehouse.Input, Warehouse.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("warehouse", Warehouse::new);

  public sealed interface Input permits Reserve, Open {}

  public record Reserve(String order, String item, int quantity) implements Input {}

  /** Wakes the warehouse (tests place it on a node with it). */
  public record Open() implements Input {}

  public record State(int reservations, int units) {}

  @Override
  public State initialState() {
    return new State(0, 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Reserve.class, (s, r, ctx) -> Step.to(new State(s.reservations() + 1, s.units() + r.quantity())))
        .on(Open.class, (s, o, ctx) -> Step.<State>stay().reply("open"))
        .build();
  }
}
