package dev.rsm.app.sample;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/**
 * The bundled sample: a bank account. Over HTTP:
 *
 * <pre>
 * POST /machines/account/alice  {"type":"deposit","amount":100}
 * POST /machines/account/alice  {"type":"withdraw","amount":30}
 * POST /machines/account/alice  {"type":"transfer","to":"bob","amount":50}
 * </pre>
 *
 * Every reply is {@code {"accepted": true|false, "balance": N}}. A transfer debits this account when
 * funds suffice and deposits into {@code to} exactly once (the deposit is a send, journaled with the
 * debit). Amounts must be positive; a transfer to oneself is refused, and so is a deposit that
 * would take the balance past {@code Long.MAX_VALUE} (so is a transfer's deposit: the sample keeps
 * transfers one-way, where a real ledger would refund the sender).
 */
public final class Account extends Machine<Account.Input, Account.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("account", Account::new);

  public sealed interface Input permits Deposit, Withdraw, Transfer {}

  public record Deposit(long amount) implements Input {}

  public record Withdraw(long amount) implements Input {}

  public record Transfer(String to, long amount) implements Input {}

  public record State(long balance) {}

  public record Result(boolean accepted, long balance) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Deposit.class, this::deposit)
        .on(Withdraw.class, this::withdraw)
        .on(Transfer.class, this::transfer)
        .build();
  }

  private Step<State> deposit(State s, Deposit d, Context ctx) {
    // Refused rather than wrapping around: a balance never passes Long.MAX_VALUE.
    if (d.amount() <= 0 || d.amount() > Long.MAX_VALUE - s.balance()) return refuse(s);
    return accept(new State(s.balance() + d.amount()));
  }

  private Step<State> withdraw(State s, Withdraw w, Context ctx) {
    if (w.amount() <= 0 || w.amount() > s.balance()) return refuse(s);
    return accept(new State(s.balance() - w.amount()));
  }

  private Step<State> transfer(State s, Transfer t, Context ctx) {
    if (t.amount() <= 0 || t.amount() > s.balance() || t.to().equals(ctx.self().id())) return refuse(s);
    return accept(new State(s.balance() - t.amount())).send(TYPE, t.to(), new Deposit(t.amount()));
  }

  private static Step<State> accept(State next) {
    return Step.to(next).reply(new Result(true, next.balance()));
  }

  private static Step<State> refuse(State s) {
    return Step.<State>stay().reply(new Result(false, s.balance()));
  }
}
