package dev.rsm.app.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.time.Duration;

/**
 * An order: {@code place} reserves its item at a warehouse (a send) and arms an {@code expire}
 * timer an hour out; placing again reserves again (the console tests use it to send one more
 * output). An order of item {@code poison} also arms a {@code check} timer that fails
 * every time it fires, so the runtime rejects it after its attempts (a journaled rejection).
 */
public final class Order extends Machine<Order.Input, Order.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("order", Order::new);

  public sealed interface Input permits Place, Expire, Check {}

  public record Place(String item, int quantity, String warehouse) implements Input {}

  public record Expire() implements Input {}

  public record Check() implements Input {}

  public record State(String status, String item, int quantity) {}

  @Override
  public State initialState() {
    return new State("new", "", 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Place.class, (s, p, ctx) -> {
          Step<State> step = Step.to(new State("placed", p.item(), p.quantity()))
              .send(Warehouse.TYPE, p.warehouse(), new Warehouse.Reserve(ctx.self().id(), p.item(), p.quantity()))
              .startTimer("expire", Duration.ofHours(1), new Expire())
              .reply("placed");
          return p.item().equals("poison") ? step.startTimer("check", Duration.ofMillis(100), new Check()) : step;
        })
        .on(Expire.class, (s, e, ctx) -> Step.to(new State("expired", s.item(), s.quantity())))
        .on(Check.class, (s, c, ctx) -> { throw new IllegalStateException("cannot check an order of " + s.item()); })
        .build();
  }
}
