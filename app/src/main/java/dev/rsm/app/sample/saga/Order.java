package dev.rsm.app.sample.saga;

import dev.rsm.actors.Context;
import dev.rsm.actors.EffectResult;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Reply;
import dev.rsm.actors.Step;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An order, as a saga: it reserves stock from the {@link Inventory} machines by calls, charges the
 * card through the {@link #CHARGE} effect (a payment gateway outside the machines), and then
 * either confirms (the stock is sold) or compensates (the stock is released and, if a charge may
 * have gone through, the card refunded by the {@link #REFUND} effect). Each step of it is exactly
 * once; the gateway is called at least once per effect, always with the effect's idempotency key,
 * so it charges each order at most once.
 *
 * <pre>
 * NEW --Place--> RESERVING --all held--> CHARGING --charged--> CONFIRMED
 *                    |                       |
 *                    +--one refused or       +--charge failed--> REFUNDING --refund done--> CANCELLED
 *                       timed out--> CANCELLED (stock released)   (stock released)
 * </pre>
 */
public final class Order extends Machine<Order.Input, Order.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("order", Order::new);
  /** The effects an order requests; a node hosting orders registers handlers for both. */
  public static final String CHARGE = "charge-card", REFUND = "refund-card";
  /** How long an order waits for an inventory's answer before it gives up (and releases). */
  public static final Duration RESERVE_TIMEOUT = Duration.ofSeconds(30);

  public sealed interface Input permits Place {}

  /** Places the order: {@code units} per SKU, paid with {@code card}. */
  public record Place(String card, long amountCents, Map<String, Integer> units) implements Input {}

  /** The {@link #CHARGE} effect's request; the gateway answers with its charge id (a string). */
  public record Charge(String order, String card, long amountCents) {}

  /** The {@link #REFUND} effect's request: undo the charge made under {@code chargeKey}, if any. */
  public record Refund(String order, String chargeKey) {}

  public enum Status { NEW, RESERVING, CHARGING, CONFIRMED, REFUNDING, CANCELLED }

  /**
   * @param held the SKUs whose stock is reserved for this order
   * @param answered the SKUs whose inventory answered (or timed out)
   * @param chargeKey the idempotency key the charge was made with (once charging)
   * @param charge the gateway's charge id, once confirmed
   * @param reason why it was cancelled
   */
  public record State(Status status, String card, long amountCents, Map<String, Integer> units, Set<String> held,
      Set<String> answered, String chargeKey, String charge, String reason) {
    public State {
      units = units == null ? Map.of() : new TreeMap<>(units); // sorted: the same calls in the same order on replay
      held = Set.copyOf(held);
      answered = Set.copyOf(answered);
    }

    State with(Status status, String reason) {
      return new State(status, card, amountCents, units, held, answered, chargeKey, charge, reason);
    }
  }

  @Override
  public State initialState() {
    return new State(Status.NEW, null, 0, Map.of(), Set.of(), Set.of(), null, null, null);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Place.class, this::place)
        .onReply(Inventory.Reserve.class, this::reserved)
        .onEffect(CHARGE, Charge.class, this::charged)
        .onEffect(REFUND, Refund.class, this::refunded)
        .build();
  }

  private Step<State> place(State s, Place p, Context ctx) {
    if (s.status() != Status.NEW) return Step.<State>stay().reply(s.status().name()); // placed already
    if (p.units() == null || p.units().isEmpty()) throw new IllegalArgumentException("an order needs units of at least one SKU");
    if (p.amountCents() <= 0) throw new IllegalArgumentException("amountCents must be positive");
    if (p.card() == null || p.card().isBlank()) throw new IllegalArgumentException("card is required");
    for (int u : p.units().values()) if (u <= 0) throw new IllegalArgumentException("units must be positive");
    State next = new State(Status.RESERVING, p.card(), p.amountCents(), p.units(), Set.of(), Set.of(), null, null, null);
    Step<State> step = Step.to(next);
    String order = ctx.self().id();
    for (Map.Entry<String, Integer> line : next.units().entrySet())
      step.call(Inventory.TYPE, line.getKey(), new Inventory.Reserve(order, line.getValue()), RESERVE_TIMEOUT);
    return step.reply(Status.RESERVING.name());
  }

  private Step<State> reserved(State s, Reply<Inventory.Reserve> r, Context ctx) {
    String sku = r.from().id();
    if (s.status() != Status.RESERVING || s.answered().contains(sku)) return Step.stay();
    Set<String> answered = new HashSet<>(s.answered());
    answered.add(sku);
    Set<String> held = new HashSet<>(s.held());
    if (r.ok() && r.value(Inventory.Reservation.class).held()) held.add(sku);
    State next = new State(Status.RESERVING, s.card(), s.amountCents(), s.units(), held, answered, null, null, null);
    if (answered.size() < s.units().size()) return Step.to(next);
    if (held.size() == s.units().size()) {
      String order = ctx.self().id();
      return Step.to(next.with(Status.CHARGING, null)).effect(CHARGE, new Charge(order, s.card(), s.amountCents()));
    }
    String reason = r.status() == Reply.Status.TIMED_OUT ? "inventory " + sku + " did not answer" : "out of stock";
    return release(Step.to(next.with(Status.CANCELLED, reason)), next, ctx);
  }

  private Step<State> charged(State s, EffectResult<Charge> r, Context ctx) {
    if (r.ok()) {
      State next = new State(Status.CONFIRMED, s.card(), s.amountCents(), s.units(), s.held(), s.answered(), r.key(),
          r.value(String.class), null);
      Step<State> step = Step.to(next);
      for (String sku : s.units().keySet()) step.send(Inventory.TYPE, sku, new Inventory.Commit(ctx.self().id()));
      return step;
    }
    // The charge may have gone through before an attempt failed: refund under its key (a refund of a
    // key never charged changes nothing), and release the stock.
    State next = new State(Status.REFUNDING, s.card(), s.amountCents(), s.units(), s.held(), s.answered(), r.key(),
        null, "payment failed: " + r.error());
    return release(Step.to(next), next, ctx).effect(REFUND, new Refund(ctx.self().id(), r.key()));
  }

  private Step<State> refunded(State s, EffectResult<Refund> r, Context ctx) {
    String reason = r.ok() ? s.reason() : s.reason() + "; refund failed (" + r.error() + "): reconcile by hand";
    return Step.to(s.with(Status.CANCELLED, reason));
  }

  /** Releases every SKU of the order: an inventory that timed out may have reserved after all. */
  private static Step<State> release(Step<State> step, State s, Context ctx) {
    for (String sku : s.units().keySet()) step.send(Inventory.TYPE, sku, new Inventory.Release(ctx.self().id()));
    return step;
  }
}
