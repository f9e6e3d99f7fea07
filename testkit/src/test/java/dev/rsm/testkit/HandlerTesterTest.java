package dev.rsm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.actors.Address;
import dev.rsm.actors.EffectResult;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Reply;
import dev.rsm.actors.Step;
import dev.rsm.persistence.machines.Alarm;
import dev.rsm.persistence.machines.BankAccount;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.testkit.machines.Dice;
import dev.rsm.testkit.machines.Shop;
import dev.rsm.testkit.machines.Stock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Handlers run without an actor system, with the clock, the seed and the timers under control. */
class HandlerTesterTest {

  @Test
  void aStepShowsTheNextStateTheSendsAndTheReply() {
    HandlerTester<BankAccount.Input, BankAccount.State> t = HandlerTester.of(BankAccount.TYPE).withId("x");
    t.handle(new BankAccount.Open(100));
    HandlerTester.Result<BankAccount.State> r = t.handle(new BankAccount.Transfer("y", 30));

    assertEquals(new BankAccount.State(70, 0), r.state());
    assertEquals(new BankAccount.State(70, 0), t.state());
    assertEquals(new BankAccount.Result(true, 70), r.reply(BankAccount.Result.class));
    assertEquals(List.of(new Step.Send(BankAccount.TYPE.address("y"), new BankAccount.Credit("x", 30))), r.sends());
    assertTrue(r.changedState());

    HandlerTester.Result<BankAccount.State> refused = t.handle(new BankAccount.Transfer("x", 1));
    assertEquals(new BankAccount.Result(false, 70), refused.reply());
    assertEquals(List.of(), refused.sends());
    assertTrue(!refused.changedState());
  }

  @Test
  void handlingOnAGivenStateChangesNothingInTheTester() {
    HandlerTester<Counter.Input, Counter.State> t = HandlerTester.of(Counter.TYPE);
    HandlerTester.Result<Counter.State> r = t.handle(new Counter.State(40, 9), new Counter.Add(2));
    assertEquals(new Counter.State(42, 10), r.state());
    assertEquals(new Counter.Total(42), r.reply());
    assertEquals(Counter.TYPE.initialState(), t.state());
  }

  @Test
  void theRecordedClockAndSeedAreTheOnesSet() {
    Instant noon = Instant.parse("2030-06-01T12:00:00Z");
    HandlerTester<Dice.Input, Dice.State> t = HandlerTester.of(Dice.TYPE).at(noon).withSeed(7);
    Dice.Rolled first = t.handle(new Dice.Roll()).reply(Dice.Rolled.class);
    Dice.Rolled same = HandlerTester.of(Dice.TYPE).at(noon).withSeed(7).handle(new Dice.Roll()).reply(Dice.Rolled.class);
    assertEquals(first, same, "same seed and time, same step");
    assertEquals(noon.toEpochMilli(), first.at());

    t.advance(Duration.ofMinutes(5));
    assertEquals(noon.plusSeconds(300).toEpochMilli(), t.handle(new Dice.Roll()).reply(Dice.Rolled.class).at());
    assertEquals(HandlerTester.START, HandlerTester.of(Dice.TYPE).now());
  }

  @Test
  void timersFireWhenTheClockPassesTheirDeadlineInOrderEachAtItsDeadline() {
    HandlerTester<Alarm.Input, Alarm.State> t = HandlerTester.of(Alarm.TYPE);
    Instant start = t.now();
    t.handle(new Alarm.Arm("tick", 100, "tick", 3, null)); // re-armed by each ring
    t.handle(Alarm.Arm.once("late", 250, "late"));
    t.handle(Alarm.Arm.once("off", 50, "off"));
    t.handle(new Alarm.Cancel("off"));
    t.handle(new Alarm.Arm("again", 10, "first", 1, null));
    t.handle(new Alarm.Arm("again", 120, "second", 1, null)); // replaces "first"
    assertEquals(List.of("tick", "late", "again"), List.copyOf(t.timers().keySet()));
    assertEquals(start.plusMillis(120), t.timers().get("again").deadline());

    assertEquals(List.of(), t.advance(Duration.ofMillis(99)));
    List<HandlerTester.Result<Alarm.State>> fired = t.advance(Duration.ofMillis(301));

    assertEquals(List.of(
        new Alarm.Rang("tick", "tick", start.plusMillis(100).toEpochMilli()),
        new Alarm.Rang("again", "second", start.plusMillis(120).toEpochMilli()),
        new Alarm.Rang("tick", "tick", start.plusMillis(200).toEpochMilli()),
        new Alarm.Rang("late", "late", start.plusMillis(250).toEpochMilli()),
        new Alarm.Rang("tick", "tick", start.plusMillis(300).toEpochMilli())), t.state().rang());
    assertEquals(5, fired.size());
    assertEquals(start.plusMillis(400), t.now());
    assertTrue(t.timers().isEmpty(), "three ticks, then the timer is not re-armed: " + t.timers());
  }

  @Test
  void aTimerWhoseInputIsNotOneOfTheMachinesInputsIsRefusedAsTheRuntimeWould() {
    HandlerTester<Sloppy.Input, Sloppy.State> t = HandlerTester.of(Sloppy.TYPE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.handle(new Sloppy.Go()));
    assertTrue(e.getMessage().contains("is not an input of machine type sloppy"), e.getMessage());
    assertTrue(t.timers().isEmpty());
  }

  @Test
  void anOrderIsReservedByItsCallThenPaidByItsEffect() {
    HandlerTester<Shop.Input, Shop.State> t = HandlerTester.of(Shop.TYPE).withId("s1");
    HandlerTester.Result<Shop.State> ordered = t.handle(new Shop.Order("o1", "apple", 2, "visa", 300));
    assertEquals("accepted o1", ordered.reply());
    assertEquals(List.of(new Step.Send(Stock.TYPE.address("apple"), new Stock.Take("o1", 2), true, Shop.STOCK_TIMEOUT)),
        ordered.calls());

    HandlerTester.Result<Shop.State> reserved = t.answer(ordered.calls().get(0), new Stock.Taken(true, 8));
    assertEquals(List.of(new Step.Effect(Shop.CHARGE, new Shop.Charge("o1", "visa", 300))), reserved.effects());
    assertEquals("shop/s1/2/0", t.key(reserved.effects().get(0)));
    assertEquals(List.of(reserved.effects().get(0)), t.pendingEffects());

    HandlerTester.Result<Shop.State> paid = t.succeed(reserved.effects().get(0), "receipt-1");
    assertEquals(List.of("o1: ordered", "o1: reserved (call 1 to stock/apple)", "o1: paid receipt-1 (key shop/s1/2/0)"),
        paid.state().log());
    assertEquals(List.of(), paid.state().open());
    assertEquals(3, t.seqNr());
    assertTrue(t.pendingCalls().isEmpty() && t.pendingEffects().isEmpty());
  }

  @Test
  void aFailedChargePutsTheUnitsBackAndTheNextCallIsNumberedAfterThatSend() {
    HandlerTester<Shop.Input, Shop.State> t = HandlerTester.of(Shop.TYPE);
    Step.Send take = t.handle(new Shop.Order("o1", "apple", 2, "visa", 300)).calls().get(0);
    Step.Effect charge = t.answer(take, new Stock.Taken(true, 0)).effects().get(0);
    HandlerTester.Result<Shop.State> failed = t.fail(charge, "card declined", 3);
    assertEquals("o1: charge failed: card declined (key shop/test/2/0)", failed.state().log().get(2));
    assertEquals(List.of(new Step.Send(Stock.TYPE.address("apple"), new Stock.Put("o1", 2))), failed.sends());

    // The channel to stock/apple carried the call (1) and the send (2): this call is number 3.
    Step.Send again = t.handle(new Shop.Order("o2", "apple", 1, "visa", 150)).calls().get(0);
    Step.Send other = t.handle(new Shop.Order("o3", "pear", 1, "visa", 90)).calls().get(0);
    assertEquals(List.of(again, other), t.pendingCalls());
    assertEquals("o3: out of stock (call 1 to stock/pear)",
        last(t.answer(other, new Stock.Taken(false, 0)).state().log()));
    assertEquals("o2: stock REJECTED no such input (call 3 to stock/apple)",
        last(t.refuse(again, "no such input").state().log()));
  }

  @Test
  void theRepliesAndOutcomesHandedOverAreTheRuntimesToTheField() {
    HandlerTester<Caller.Input, Caller.State> t = HandlerTester.of(Caller.TYPE).withId("c");
    Address callee = new Address("callee", "x");
    Step.Send first = t.handle(new Caller.Ask(callee, "a", 0, 2)).calls().get(0);
    Step.Send second = t.handle(new Caller.Ask(callee, "b", 0, 0)).calls().get(0);
    List<Step.Effect> effects = t.handle(new Caller.Ask(callee, null, 0, 2)).effects();

    t.answer(second, 42);
    t.answer(first, null);
    t.succeed(effects.get(1), "v");
    t.fail(effects.get(0), "boom", 5);
    assertEquals(List.of(
        new Reply<>(callee, 2, "b", Reply.Status.OK, 42, null),
        new Reply<>(callee, 1, "a", Reply.Status.OK, null, null),
        new EffectResult<>("e", "caller/c/3/1", "r1", true, "v", null, 1),
        new EffectResult<>("e", "caller/c/3/0", "r0", false, null, "boom", 5)), t.state().seen());
    // The first Ask's effects (step 1) are pending still, under their own keys.
    assertEquals(List.of("caller/c/1/0", "caller/c/1/1"), t.pendingEffects().stream().map(t::key).toList());
    assertEquals(7, t.seqNr());
  }

  @Test
  void aCallTimesOutWhenTheClockPassesItsDeadlineOnceAndALateAnswerIsIgnored() {
    HandlerTester<Caller.Input, Caller.State> t = HandlerTester.of(Caller.TYPE);
    Address callee = new Address("callee", "x");
    t.handle(new Caller.Ask(callee, "slow", 1000, 0));
    Step.Send answered = t.handle(new Caller.Ask(callee, "fast", 500, 0)).calls().get(0);
    Step.Send slow = t.pendingCalls().get(0);
    t.answer(answered, "ok"); // answered first: never times out

    assertEquals(List.of(), t.advance(Duration.ofMillis(999)));
    List<HandlerTester.Result<Caller.State>> fired = t.advance(Duration.ofSeconds(10));
    assertEquals(1, fired.size());
    assertEquals(HandlerTester.START.plusMillis(1000), fired.get(0).time(), "the timeout's step is at its deadline");
    assertEquals(new Reply<>(callee, 1, "slow", Reply.Status.TIMED_OUT, null, "no answer within PT1S"),
        last(t.state().seen()));
    assertEquals(List.of(), t.advance(Duration.ofSeconds(10)), "once");
    assertTrue(t.pendingCalls().isEmpty());

    long steps = t.seqNr();
    Caller.State before = t.state();
    HandlerTester.Result<Caller.State> late = t.answer(slow, "too late");
    assertEquals(before, late.state());
    assertEquals(before, t.state());
    assertTrue(late.sends().isEmpty() && !late.changedState());
    assertEquals(steps + 1, t.seqNr(), "the runtime journals the late answer as a step");
    IllegalStateException twice = assertThrows(IllegalStateException.class, () -> t.answer(slow, "again"));
    assertTrue(twice.getMessage().contains("already ended TIMED_OUT"), twice.getMessage());
    assertThrows(IllegalStateException.class, () -> t.timeOut(slow));
  }

  @Test
  void timeOutMovesTheClockToTheDeadlineFiringWhatFallsDueBefore() {
    HandlerTester<Caller.Input, Caller.State> t = HandlerTester.of(Caller.TYPE);
    Address callee = new Address("callee", "x");
    Step.Send late = t.handle(new Caller.Ask(callee, "late", 3000, 0)).calls().get(0);
    Step.Send early = t.handle(new Caller.Ask(callee, "early", 2000, 0)).calls().get(0);
    Step.Send never = t.handle(new Caller.Ask(callee, "never", 0, 0)).calls().get(0);

    HandlerTester.Result<Caller.State> r = t.timeOut(late);
    assertEquals(HandlerTester.START.plusMillis(3000), r.time());
    assertEquals(HandlerTester.START.plusMillis(3000), t.now());
    assertEquals(List.of("early", "late"), t.state().seen().stream().map(o -> ((Reply<?>) o).request()).toList());
    assertThrows(IllegalStateException.class, () -> t.timeOut(early));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.timeOut(never));
    assertTrue(e.getMessage().contains("has no timeout"), e.getMessage());
  }

  @Test
  void eachAnswerAndOutcomeIsHandedOverOnceAndOnlyForThisTestersSteps() {
    HandlerTester<Caller.Input, Caller.State> t = HandlerTester.of(Caller.TYPE);
    Address callee = new Address("callee", "x");
    HandlerTester.Result<Caller.State> r = t.handle(new Caller.Ask(callee, "q", 1000, 1));
    Step.Send call = r.calls().get(0);
    Step.Effect effect = r.effects().get(0);
    t.refuse(call, "no");
    assertThrows(IllegalStateException.class, () -> t.answer(call, "yes"));
    assertThrows(IllegalStateException.class, () -> t.refuse(call, "no"));
    assertThrows(IllegalStateException.class, () -> t.timeOut(call));
    assertEquals(List.of(), t.advance(Duration.ofSeconds(5)), "a call answered does not time out");
    t.succeed(effect, 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fail(effect, "x", 1));
    assertTrue(e.getMessage().contains("was handled already"), e.getMessage());
    assertEquals(3, t.seqNr());

    // An equal call of another step is another call; a step of handle(state, input) is not tracked.
    Step.Send equal = new Step.Send(call.to(), call.input(), true, call.timeout());
    assertThrows(IllegalArgumentException.class, () -> t.answer(equal, "yes"));
    HandlerTester.Result<Caller.State> untracked = t.handle(t.state(), new Caller.Ask(callee, "q", 0, 1));
    assertThrows(IllegalArgumentException.class, () -> t.answer(untracked.calls().get(0), "yes"));
    assertThrows(IllegalArgumentException.class, () -> t.succeed(untracked.effects().get(0), 1));
    assertEquals(3, t.seqNr());
  }

  @Test
  void anAnswerWhoseHandlerThrowsMayBeFedAgain() {
    HandlerTester<Caller.Input, Caller.State> t = HandlerTester.of(Caller.TYPE);
    Step.Send call = t.handle(new Caller.Ask(new Address("callee", "x"), "q", 0, 0)).calls().get(0);
    assertThrows(IllegalArgumentException.class, () -> t.answer(call, Caller.POISON));
    assertEquals(1, t.seqNr());
    assertEquals(List.of(call), t.pendingCalls());
    t.answer(call, "fine");
    assertEquals(2, t.seqNr());
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  /** Calls and requests effects, and keeps every answer and outcome it is handed, as handed. */
  public static final class Caller extends Machine<Caller.Input, Caller.State> {
    static final MachineType<Input, State> TYPE = MachineType.of("caller", Caller::new);
    static final String POISON = "poison";

    public sealed interface Input permits Ask {}

    /** Calls {@code to} with {@code request} (none if null; timeout 0: none) and requests {@code effects} effects "e". */
    public record Ask(Address to, String request, long timeoutMs, int effects) implements Input {}

    public record State(List<Object> seen) {
      State plus(Object o) {
        List<Object> l = new ArrayList<>(seen);
        l.add(o);
        return new State(l);
      }
    }

    @Override
    public State initialState() {
      return new State(List.of());
    }

    @Override
    protected Handlers<Input, State> handlers() {
      return newHandlers()
          .on(Ask.class, (s, a, ctx) -> {
            Step<State> step = Step.stay();
            if (a.request() != null)
              step.call(a.to(), a.request(), a.timeoutMs() > 0 ? Duration.ofMillis(a.timeoutMs()) : null);
            for (int i = 0; i < a.effects(); i++) step.effect("e", "r" + i);
            return step;
          })
          .onReply(String.class, (s, r, ctx) -> {
            if (POISON.equals(r.value())) throw new IllegalArgumentException("poison");
            return Step.to(s.plus(r));
          })
          .onEffect("e", String.class, (s, r, ctx) -> Step.to(s.plus(r)))
          .build();
    }
  }

  /** Arms a timer with a string, which no machine of its type could handle. */
  public static final class Sloppy extends Machine<Sloppy.Input, Sloppy.State> {
    static final MachineType<Input, State> TYPE = MachineType.of("sloppy", Sloppy::new);

    public sealed interface Input permits Go {}

    public record Go() implements Input {}

    public record State() {}

    @Override
    public State initialState() {
      return new State();
    }

    @Override
    protected Handlers<Input, State> handlers() {
      return newHandlers()
          .on(Go.class, (s, g, ctx) -> Step.<State>stay().startTimer("t", Duration.ofSeconds(1), "not an input"))
          .build();
    }
  }
}
