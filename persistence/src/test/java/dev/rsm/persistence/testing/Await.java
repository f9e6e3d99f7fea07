package dev.rsm.persistence.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits for a condition with a timeout, polling, through Awaitility: the one-line form the tests
 * (and the multi-JVM harness) write, a description, a deadline, a probe and what it should
 * return. The probe runs on the caller's thread, as a test's own code would, and a thread that
 * dies elsewhere in the JVM (a crash the test injects) does not end the wait.
 */
public final class Await {
  private Await() {}

  /**
   * Polls {@code done} every {@code interval} until it is true (returns true) or {@code timeout}
   * passed (returns false), for callers that fail with a report of their own.
   */
  public static boolean within(Duration timeout, Duration interval, BooleanSupplier done) {
    try {
      polling(null).atMost(timeout).pollInterval(interval).until(done::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  /**
   * Polls {@code probe} every 50 ms until {@code done} accepts what it returns, and returns that.
   * A probe that throws a {@link RuntimeException} is polled again (the machine is not there yet);
   * at the timeout the failure names {@code what} and the last value observed, with the last
   * exception as its cause.
   */
  public static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    return polling(what).atMost(timeout).pollInterval(Duration.ofMillis(50))
        .ignoreExceptionsInstanceOf(RuntimeException.class)
        .until(probe::get, done);
  }

  private static ConditionFactory polling(String what) {
    return await(what).pollInSameThread().dontCatchUncaughtExceptions().pollDelay(Duration.ZERO);
  }
}
