package com.example.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rsm.testkit.HandlerTester;
import org.junit.jupiter.api.Test;

/** The handler alone, as the runtime runs it: no actor system, no database. */
class CounterTest {

  @Test
  void addsUpAndResets() {
    HandlerTester<Counter.Input, Counter.State> visits = HandlerTester.of(Counter.TYPE).withId("visits");

    assertEquals(new Counter.Total(true, 5), visits.handle(new Counter.Add(5)).reply());
    assertEquals(new Counter.Total(true, 7), visits.handle(new Counter.Add(2)).reply());
    assertEquals(new Counter.State(7, 2), visits.state());

    HandlerTester.Result<Counter.State> reset = visits.handle(new Counter.Reset());
    assertEquals(new Counter.State(0, 3), reset.state());
    assertEquals(new Counter.Total(true, 0), reset.reply());
  }

  @Test
  void refusesAnAmountThatIsNotPositiveAndChangesNothing() {
    HandlerTester<Counter.Input, Counter.State> visits = HandlerTester.of(Counter.TYPE).withId("visits");
    visits.handle(new Counter.Add(3));

    HandlerTester.Result<Counter.State> refused = visits.handle(new Counter.Add(-1));

    assertEquals(new Counter.Total(false, 3), refused.reply());
    assertEquals(new Counter.State(3, 1), refused.state());
  }
}
