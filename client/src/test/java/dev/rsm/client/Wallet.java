package dev.rsm.client;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.InputName;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/** A machine type for the client's tests, which never run it: only its names and classes matter. */
public final class Wallet extends Machine<Wallet.Input, Wallet.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("wallet", Wallet::new);

  public sealed interface Input permits Deposit, Pay {}

  public record Deposit(long amount) implements Input {}

  @InputName("pay-to")
  public record Pay(String to, long amount) implements Input {}

  public record State(long balance, String owner) {}

  public record Result(boolean accepted, long balance) {}

  @Override
  public State initialState() {
    return new State(0, "");
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Deposit.class, (s, d, ctx) -> Step.to(new State(s.balance() + d.amount(), s.owner())))
        .on(Pay.class, (s, p, ctx) -> Step.<State>stay())
        .build();
  }
}
