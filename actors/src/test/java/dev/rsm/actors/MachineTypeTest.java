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

  /** More input records than dispatch compares one by one (it then looks them up in a map). */
  static final class Dial extends Machine<Dial.Input, Integer> {
    sealed interface Input permits D0, D1, D2, D3, D4, D5, D6, D7, D8, D9 {}
    record D0() implements Input {}
    record D1() implements Input {}
    record D2() implements Input {}
    record D3() implements Input {}
    record D4() implements Input {}
    record D5() implements Input {}
    record D6() implements Input {}
    record D7() implements Input {}
    record D8() implements Input {}
    record D9() implements Input {}

    @Override
    public Integer initialState() {
      return -1;
    }

    @Override
    protected Handlers<Input, Integer> handlers() {
      return newHandlers().on(D0.class, (s, d, c) -> Step.to(0)).on(D1.class, (s, d, c) -> Step.to(1))
          .on(D2.class, (s, d, c) -> Step.to(2)).on(D3.class, (s, d, c) -> Step.to(3))
          .on(D4.class, (s, d, c) -> Step.to(4)).on(D5.class, (s, d, c) -> Step.to(5))
          .on(D6.class, (s, d, c) -> Step.to(6)).on(D7.class, (s, d, c) -> Step.to(7))
          .on(D8.class, (s, d, c) -> Step.to(8)).on(D9.class, (s, d, c) -> Step.to(9)).build();
    }
  }

  @Test
  void everyInputReachesItsOwnHandlerHoweverManyRecordsTheMachineHas() {
    Dial.Input[] inputs = {new Dial.D0(), new Dial.D1(), new Dial.D2(), new Dial.D3(), new Dial.D4(),
        new Dial.D5(), new Dial.D6(), new Dial.D7(), new Dial.D8(), new Dial.D9()};
    Machine<Dial.Input, Integer> dial = MachineType.of("dial", Dial::new).machine();
    for (int i = 0; i < inputs.length; i++) assertEquals(i, dial.handle(-1, inputs[i], CTX).nextState(-1));
    Machine<Wallet.Input, Wallet.State> wallet = Wallet.TYPE.machine(); // two records
    assertEquals(new Wallet.State(99, 1_000L), wallet.handle(new Wallet.State(100, 0), new Wallet.Pay("w2", 1), CTX).nextState(null));
    assertEquals(1, wallet.handle(new Wallet.State(100, 0), new Wallet.Remind(5), CTX).timers().size());
  }

  @Test
  void badNamesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineType.of("Bad Name", Wallet::new));
    assertTrue(e.getMessage().contains("invalid machine type name 'Bad Name'"), e.getMessage());
  }

  record Note(String text) {}

  @Test
  void valueTypesAreAddedToACopyWithTheSameNameAndInputs() {
    MachineType<Wallet.Input, Wallet.State> plain = Wallet.TYPE;
    MachineType<Wallet.Input, Wallet.State> noted = plain.withValueTypes(Note.class).withValueTypes(Instant.class, Note.class);
    assertEquals(List.of(Note.class, Instant.class), List.copyOf(noted.valueTypes()));
    assertTrue(plain.valueTypes().isEmpty(), "the original is unchanged");
    assertEquals(plain.name(), noted.name());
    assertEquals(plain.inputsByName(), noted.inputsByName());
    assertEquals(plain.stateType(), noted.stateType());
  }
}
