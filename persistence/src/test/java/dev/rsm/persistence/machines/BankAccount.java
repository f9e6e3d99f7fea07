package dev.rsm.persistence.machines;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/** A bank account: transfers debit here and credit the target exactly once. */
public final class BankAccount extends Machine<BankAccount.Input, BankAccount.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("bank-account", BankAccount::new);

  public sealed interface Input permits Open, Transfer, Credit {}

  public record Open(long amount) implements Input {}

  public record Transfer(String to, long amount) implements Input {}

  public record Credit(String from, long amount) implements Input {}

  public record State(long balance, long credits) {}

  public record Result(boolean accepted, long balance) {}

  @Override
  public State initialState() {
    return new State(0, 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Open.class, (s, o, ctx) -> {
          State n = new State(s.balance() + o.amount(), s.credits());
          return Step.to(n).reply(new Result(true, n.balance()));
        })
        .on(Transfer.class, this::transfer)
        .on(Credit.class, (s, c, ctx) -> Step.to(new State(s.balance() + c.amount(), s.credits() + 1)))
        .build();
  }

  private Step<State> transfer(State s, Transfer t, Context ctx) {
    if (t.amount() <= 0 || t.amount() > s.balance() || t.to().equals(ctx.self().id()))
      return Step.<State>stay().reply(new Result(false, s.balance()));
    State n = new State(s.balance() - t.amount(), s.credits());
    return Step.to(n)
        .send(TYPE, t.to(), new Credit(ctx.self().id(), t.amount()))
        .reply(new Result(true, n.balance()));
  }
}
