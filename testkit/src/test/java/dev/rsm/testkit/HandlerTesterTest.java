package dev.rsm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import dev.rsm.persistence.machines.Alarm;
import dev.rsm.persistence.machines.BankAccount;
import dev.rsm.persistence.machines.Counter;
import dev.rsm.testkit.machines.Dice;
import java.time.Duration;
import java.time.Instant;
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
