package dev.rsm.testkit.machines;

import dev.rsm.actors.Context;
import dev.rsm.actors.EffectResult;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Reply;
import dev.rsm.actors.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes orders: calls the {@link Stock} machine of the item for the units, then requests the
 * effect {@link #CHARGE} for the card; a failed charge puts the units back. Its log says what
 * happened to each order, with the call's number and the charge's key.
 */
public final class Shop extends Machine<Shop.Input, Shop.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("shop", Shop::new);
  public static final String CHARGE = "charge";
  public static final Duration STOCK_TIMEOUT = Duration.ofSeconds(5);

  public sealed interface Input permits Order {}

  /** {@code qty} units of {@code item} (the id of its stock machine), paid with {@code card}. */
  public record Order(String order, String item, int qty, String card, long cents) implements Input {}

  /** The effect's request. */
  public record Charge(String order, String card, long cents) {}

  /** The orders waiting for their stock or charge, and what happened, in order. */
  public record State(List<Order> open, List<String> log) {
    Order open(String order) {
      return open.stream().filter(o -> o.order().equals(order)).findFirst().orElseThrow();
    }

    State with(Order opened, String entry) {
      List<Order> o = new ArrayList<>(open);
      if (opened != null) o.add(opened);
      List<String> l = new ArrayList<>(log);
      l.add(entry);
      return new State(o, l);
    }

    State closing(String order, String entry) {
      List<Order> o = new ArrayList<>(open);
      o.removeIf(x -> x.order().equals(order));
      List<String> l = new ArrayList<>(log);
      l.add(entry);
      return new State(o, l);
    }
  }

  @Override
  public State initialState() {
    return new State(List.of(), List.of());
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Order.class, (s, o, ctx) -> Step.to(s.with(o, o.order() + ": ordered"))
            .call(Stock.TYPE, o.item(), new Stock.Take(o.order(), o.qty()), STOCK_TIMEOUT)
            .reply("accepted " + o.order()))
        .onReply(Stock.Take.class, this::taken)
        .onEffect(CHARGE, Charge.class, this::charged)
        .build();
  }

  private Step<State> taken(State s, Reply<Stock.Take> r, Context ctx) {
    Order o = s.open(r.request().order());
    String call = " (call " + r.call() + " to " + r.from() + ")";
    if (!r.ok()) return Step.to(s.closing(o.order(), o.order() + ": stock " + r.status() + " " + r.error() + call));
    if (!r.value(Stock.Taken.class).ok()) return Step.to(s.closing(o.order(), o.order() + ": out of stock" + call));
    return Step.to(s.with(null, o.order() + ": reserved" + call))
        .effect(CHARGE, new Charge(o.order(), o.card(), o.cents()));
  }

  private Step<State> charged(State s, EffectResult<Charge> r, Context ctx) {
    Order o = s.open(r.request().order());
    if (r.ok()) return Step.to(s.closing(o.order(), o.order() + ": paid " + r.value() + " (key " + r.key() + ")"));
    return Step.to(s.closing(o.order(), o.order() + ": charge failed: " + r.error() + " (key " + r.key() + ")"))
        .send(Stock.TYPE, o.item(), new Stock.Put(o.order(), o.qty()));
  }
}
