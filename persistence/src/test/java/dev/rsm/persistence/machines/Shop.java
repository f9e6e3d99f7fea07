package dev.rsm.persistence.machines;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.util.List;

/**
 * Values of every kind the allowed classes must cover: records reached through components and
 * type arguments, a reply declared inside the machine, a reply class defined elsewhere and
 * declared with {@code withValueTypes} ({@link Coupon}), and one declared nowhere ({@link Stray}).
 */
public final class Shop extends Machine<Shop.Input, Shop.State> {
  public static final MachineType<Input, State> TYPE =
      MachineType.of("shop", Shop::new).withValueTypes(Coupon.class);

  public sealed interface Input permits Buy, Redeem, Misbehave {}

  /** {@code note} is any value, written with its class name (a user's own polymorphism). */
  public record Buy(Item item, @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Object note) implements Input {}

  public record Redeem(String code) implements Input {}

  /** Replies with a class no machine type declares. */
  public record Misbehave() implements Input {}

  public record Item(String sku, Money price) {}

  public record Money(long cents) {}

  public record State(List<Item> basket) {}

  public record Receipt(int items) {}

  @Override
  public State initialState() {
    return new State(List.of());
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Buy.class, (s, b, ctx) -> {
          List<Item> basket = new java.util.ArrayList<>(s.basket());
          basket.add(b.item());
          return Step.to(new State(basket)).reply(new Receipt(basket.size()));
        })
        .on(Redeem.class, (s, r, ctx) -> Step.<State>stay().reply(new Coupon(r.code())))
        .on(Misbehave.class, (s, m, ctx) -> Step.<State>stay().reply(new Stray("not declared")))
        .build();
  }
}
