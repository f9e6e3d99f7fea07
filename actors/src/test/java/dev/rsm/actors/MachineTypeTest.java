package dev.rsm.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Handlers are plain functions: tested here without any actor system. */
class MachineTypeTest {

  static final class Wallet extends Machine<Wallet.Input, Wallet.State> {
    static final MachineType<Input, State> TYPE = MachineType.of("wallet", Wallet::new);

    sealed interface Input permits Pay, Remind {}

    record Pay(String to, long amount) implements Input {}

    @InputName("remind-me")
    record Remind(long afterMillis) implements Input {}

    record State(long balance, long lastPaid) {}

    @Override
    public State initialState() {
      return new State(100, 0);
    }

    @Override
    protected Handlers<Input, State> handlers() {
      return newHandlers()
          .on(Pay.class, (s, p, ctx) -> p.amount() > s.balance()
              ? Step.<State>stay().reply("insufficient funds")
              : Step.to(new State(s.balance() - p.amount(), ctx.now().toEpochMilli()))
                  .send(TYPE, p.to(), new Pay("nobody", 0))
                  .reply("paid " + ctx.random().nextInt(1000)))
          .on(Remind.class, (s, r, ctx) -> Step.<State>stay()
              .startTimer("remind", Duration.ofMillis(r.afterMillis()), new Pay("self", 1)))
          .build();
    }
  }

  static final Context CTX = Context.of(Address.of("wallet", "w1"), 1_000L, 42L);

  @Test
  void aHandlerReturnsTheNextStateAndItsOutputs() {
    Step<Wallet.State> step = Wallet.TYPE.machine().handle(new Wallet.State(100, 0), new Wallet.Pay("w2", 30), CTX);
    assertEquals(new Wallet.State(70, 1_000L), step.nextState(null));
    assertEquals(List.of(new Step.Send(Address.of("wallet", "w2"), new Wallet.Pay("nobody", 0))), step.sends());
  }

  @Test
  void staysKeepTheCurrentState() {
    Wallet.State s = new Wallet.State(10, 5);
    Step<Wallet.State> step = Wallet.TYPE.machine().handle(s, new Wallet.Pay("w2", 30), CTX);
    assertFalse(step.changesState());
    assertEquals(s, step.nextState(s));
    assertEquals("insufficient funds", step.reply());
    assertTrue(step.sends().isEmpty());
  }

  @Test
  void recordedTimeAndRandomnessAreReproducible() {
    Object first = Wallet.TYPE.machine().handle(new Wallet.State(100, 0), new Wallet.Pay("w2", 1), Context.of(Address.of("wallet", "w1"), 1_000L, 42L)).reply();
    Object again = Wallet.TYPE.machine().handle(new Wallet.State(100, 0), new Wallet.Pay("w2", 1), Context.of(Address.of("wallet", "w1"), 1_000L, 42L)).reply();
    assertEquals(first, again);
    assertEquals(Instant.ofEpochMilli(1_000L), CTX.now());
  }

  @Test
  void timersAreCarriedByTheStep() {
    Step<Wallet.State> step = Wallet.TYPE.machine().handle(new Wallet.State(1, 0), new Wallet.Remind(500), CTX);
    assertEquals(List.of(new Step.TimerOp("remind", Duration.ofMillis(500), new Wallet.Pay("self", 1))), step.timers());
  }

  @Test
  void inputsHaveExternalNames() {
    assertEquals(Map.of("pay", Wallet.Pay.class, "remind-me", Wallet.Remind.class), Wallet.TYPE.inputsByName());
    assertEquals(Wallet.Input.class, Wallet.TYPE.inputType());
    assertEquals(Wallet.State.class, Wallet.TYPE.stateType());
  }

  static final class Forgetful extends Machine<Wallet.Input, Wallet.State> {
    @Override
    public Wallet.State initialState() {
      return new Wallet.State(0, 0);
    }

    @Override
    protected Handlers<Wallet.Input, Wallet.State> handlers() {
      return newHandlers().on(Wallet.Pay.class, (s, p, ctx) -> Step.stay()).build();
    }
  }

  @Test
  void aMissingHandlerIsCaughtWhenTheTypeIsDefined() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> MachineType.of("forgetful", Forgetful::new));
    assertTrue(e.getMessage().contains("no handler for input(s) [Remind]"), e.getMessage());
  }

  @Test
  void badNamesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineType.of("Bad Name", Wallet::new));
    assertTrue(e.getMessage().contains("invalid machine type name 'Bad Name'"), e.getMessage());
  }
}
