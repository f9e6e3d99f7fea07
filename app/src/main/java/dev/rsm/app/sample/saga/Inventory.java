package dev.rsm.app.sample.saga;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.util.HashMap;
import java.util.Map;

/**
 * The stock of one article (the machine's id is its SKU), in the order saga ({@link Order}).
 * Orders reserve units by calls, then either commit them (sold) or release them. Every unit is in
 * exactly one place: {@code available + reserved + sold == received}, which the saga's tests
 * check after every crash.
 */
public final class Inventory extends Machine<Inventory.Input, Inventory.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("inventory", Inventory::new);

  public sealed interface Input permits Receive, Reserve, Commit, Release {}

  /** Goods arrive: {@code units} more available (sent by an operator, over HTTP). */
  public record Receive(int units) implements Input {}

  /** Order {@code order} asks to hold {@code units}; answered with a {@link Reservation}. */
  public record Reserve(String order, int units) implements Input {}

  /** Order {@code order} was paid: what it holds is sold. */
  public record Commit(String order) implements Input {}

  /** Order {@code order} was cancelled: what it holds (if anything) is available again. */
  public record Release(String order) implements Input {}

  /** The answer to a {@link Reserve}: whether the units are held for the order, and what is left. */
  public record Reservation(String sku, boolean held, int available) {}

  public record State(int received, int available, Map<String, Integer> reserved, int sold) {
    public State {
      reserved = Map.copyOf(reserved);
    }

    int reservedUnits() {
      return reserved.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  @Override
  public State initialState() {
    return new State(0, 0, Map.of(), 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Receive.class, this::receive)
        .on(Reserve.class, this::reserve)
        .on(Commit.class, this::commit)
        .on(Release.class, this::release)
        .build();
  }

  private Step<State> receive(State s, Receive r, Context ctx) {
    if (r.units() <= 0) throw new IllegalArgumentException("units must be positive: " + r.units());
    return Step.to(new State(s.received() + r.units(), s.available() + r.units(), s.reserved(), s.sold()))
        .reply(s.available() + r.units());
  }

  private Step<State> reserve(State s, Reserve r, Context ctx) {
    String sku = ctx.self().id();
    if (s.reserved().containsKey(r.order())) // a second call for the same order holds nothing more
      return Step.<State>stay().reply(new Reservation(sku, true, s.available()));
    if (r.units() <= 0 || r.units() > s.available())
      return Step.<State>stay().reply(new Reservation(sku, false, s.available()));
    Map<String, Integer> reserved = new HashMap<>(s.reserved());
    reserved.put(r.order(), r.units());
    int left = s.available() - r.units();
    return Step.to(new State(s.received(), left, reserved, s.sold())).reply(new Reservation(sku, true, left));
  }

  private Step<State> commit(State s, Commit c, Context ctx) {
    Integer units = s.reserved().get(c.order());
    if (units == null) return Step.stay();
    Map<String, Integer> reserved = new HashMap<>(s.reserved());
    reserved.remove(c.order());
    return Step.to(new State(s.received(), s.available(), reserved, s.sold() + units));
  }

  private Step<State> release(State s, Release r, Context ctx) {
    Integer units = s.reserved().get(r.order());
    if (units == null) return Step.stay();
    Map<String, Integer> reserved = new HashMap<>(s.reserved());
    reserved.remove(r.order());
    return Step.to(new State(s.received(), s.available() + units, reserved, s.sold()));
  }
}
