package dev.rsm.app.sample;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/**
 * A sample of a value type declared with its machine type: a shop that issues numbered coupons.
 * Its reply, {@link Coupon}, is a record of its own file, so {@link #TYPE} names it with {@code
 * withValueTypes}; without that, a step replying with a coupon fails and nothing is journaled
 * (docs/security.md).
 */
public final class Shop extends Machine<Shop.Input, Shop.State> {
  public static final MachineType<Input, State> TYPE =
      MachineType.of("shop", Shop::new).withValueTypes(Coupon.class);

  public sealed interface Input permits Issue {}

  public record Issue(int percentOff) implements Input {}

  public record State(int issued) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers().on(Issue.class, this::issue).build();
  }

  private Step<State> issue(State s, Issue i, Context ctx) {
    State next = new State(s.issued() + 1);
    return Step.to(next).reply(new Coupon(ctx.self().id() + "-" + next.issued(), i.percentOff()));
  }
}
