package dev.rsm.persistence.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition with a timeout, polling; fails with the last observed value. */
public final class Await {
  private Await() {}

  /**
   * Polls {@code done} every {@code interval} until it is true (returns true) or {@code timeout}
   * passed (returns false), for callers that fail with a report of their own.
   */
  public static boolean within(Duration timeout, Duration interval, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (done.getAsBoolean()) return true;
      if (System.nanoTime() - deadline > 0) return false;
      java.util.concurrent.locks.LockSupport.parkNanos(interval.toNanos());
    }
  }

  public static <T> T until(String what, Duration timeout, Supplier<T> probe, java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    Throwable lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.get();
        if (done.test(last)) return last;
        lastError = null;
      } catch (RuntimeException e) {
        lastError = e;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    AssertionError e = new AssertionError("timed out after " + timeout + " waiting for " + what
        + "; last observed: " + last);
    if (lastError != null) e.initCause(lastError);
    throw e;
  }
}
