package dev.rsm.persistence.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the tests' waits promise: the value that satisfied them, and failures that say what was seen. */
class AwaitTest {

  @Test
  void returnsTheFirstValueThatSatisfiesTheCondition() {
    AtomicInteger polls = new AtomicInteger();
    assertEquals(3, Await.until("the third poll", Duration.ofSeconds(5), polls::incrementAndGet, n -> n >= 3));
    assertEquals(3, polls.get());
  }

  @Test
  void aProbeThatThrowsIsPolledAgain() {
    AtomicInteger polls = new AtomicInteger();
    String value = Await.until("a machine that answers", Duration.ofSeconds(5), () -> {
      if (polls.incrementAndGet() < 3) throw new IllegalStateException("not there yet");
      return "there";
    }, "there"::equals);
    assertEquals("there", value);
  }

  @Test
  void aTimeoutNamesWhatWasAwaitedAndTheLastValue() {
    AtomicInteger polls = new AtomicInteger();
    Throwable e = assertThrows(Throwable.class,
        () -> Await.until("the count to reach 1000", Duration.ofMillis(300), polls::incrementAndGet, n -> n >= 1000));
    assertTrue(e.getMessage().contains("the count to reach 1000"), e.getMessage());
    assertTrue(e.getMessage().contains("<" + polls.get() + ">"), "the last value observed: " + e.getMessage());
  }

  @Test
  void aTimeoutWhileTheProbeFailsCarriesItsLastError() {
    AtomicInteger polls = new AtomicInteger();
    Throwable e = assertThrows(Throwable.class, () -> Await.until("a machine that answers", Duration.ofMillis(300), () -> {
      throw new IllegalStateException("probe failed at " + polls.incrementAndGet());
    }, x -> true));
    assertTrue(e.getMessage().contains("a machine that answers"), e.getMessage());
    assertEquals("probe failed at " + polls.get(), e.getCause() == null ? null : e.getCause().getMessage());
  }

  @Test
  void withinSaysWhetherItHappened() {
    AtomicInteger polls = new AtomicInteger();
    assertTrue(Await.within(Duration.ofSeconds(5), Duration.ofMillis(1), () -> polls.incrementAndGet() >= 3));
    assertFalse(Await.within(Duration.ofMillis(100), Duration.ofMillis(10), () -> false));
    assertTrue(Await.within(Duration.ofSeconds(5), Duration.ZERO, () -> polls.incrementAndGet() >= 6), "without a pause");
  }
}
