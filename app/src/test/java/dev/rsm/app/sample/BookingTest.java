package dev.rsm.app.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rsm.app.sample.Booking.Outcome;
import dev.rsm.testkit.FailureTransparency;
import dev.rsm.testkit.FailureTransparencyConfig;
import dev.rsm.testkit.FailureTransparencyExtension;
import dev.rsm.testkit.HandlerTester;
import dev.rsm.testkit.Scenario;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The durable-timer sample of the docs (docs/semantics.md): a hold expires unless confirmed. */
@ExtendWith(FailureTransparencyExtension.class)
class BookingTest {
  static final Booking.State EMPTY = new Booking.State(Set.of(), Set.of());

  @Test
  void aHoldThatIsNotConfirmedIsReleasedAfterFifteenMinutes() {
    HandlerTester<Booking.Input, Booking.State> show = HandlerTester.of(Booking.TYPE).withId("show-1");
    assertEquals(Outcome.HELD, show.handle(new Booking.Hold("12A")).reply());
    assertEquals(Set.of("hold-12A"), show.timers().keySet());
    assertEquals(Outcome.UNAVAILABLE, show.handle(new Booking.Hold("12A")).reply(), "held by someone else");

    assertEquals(List.of(), show.advance(Duration.ofMinutes(14)), "not yet");
    List<HandlerTester.Result<Booking.State>> fired = show.advance(Duration.ofMinutes(1));

    assertEquals(1, fired.size());
    assertEquals(EMPTY, show.state());
    assertEquals(Outcome.NOT_HELD, show.handle(new Booking.Confirm("12A")).reply(), "too late");
    assertEquals(Outcome.HELD, show.handle(new Booking.Hold("12A")).reply(), "free again");
  }

  @Test
  void aConfirmedSeatIsSoldAndItsTimerCancelled() {
    HandlerTester<Booking.Input, Booking.State> show = HandlerTester.of(Booking.TYPE).withId("show-1");
    show.handle(new Booking.Hold("12A"));
    show.advance(Duration.ofMinutes(10));
    assertEquals(Outcome.SOLD, show.handle(new Booking.Confirm("12A")).reply());
    assertEquals(Map.of(), show.timers());

    assertEquals(List.of(), show.advance(Duration.ofHours(1)), "the cancelled hold never fires");
    assertEquals(new Booking.State(Set.of(), Set.of("12A")), show.state());
    assertEquals(Outcome.UNAVAILABLE, show.handle(new Booking.Hold("12A")).reply());
  }

  @Test
  @FailureTransparencyConfig(runs = 3)
  void eachExpiryIsHandledOnceWhateverCrashes(FailureTransparency check) {
    // Each input settles before the next, timers included: every hold here runs out.
    Scenario scenario = Scenario.builder()
        .input(Booking.TYPE, "show-1", new Booking.Hold("12A"))
        .input(Booking.TYPE, "show-1", new Booking.Confirm("12A"))
        .input(Booking.TYPE, "show-1", new Booking.Hold("12A"))
        .input(Booking.TYPE, "show-1", new Booking.Hold("12B"))
        .build();
    FailureTransparency.Report report = check.check(scenario, Booking.TYPE);

    assertEquals(List.of(Outcome.HELD, Outcome.NOT_HELD, Outcome.HELD, Outcome.HELD), report.replies());
    assertEquals(Map.of(Booking.TYPE.address("show-1"), EMPTY), report.states());
    assertEquals(0, report.views().get(Booking.TYPE.address("show-1")).armedTimers());
  }
}
