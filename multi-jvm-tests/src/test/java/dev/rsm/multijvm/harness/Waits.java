package dev.rsm.multijvm.harness;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * How this module waits for something a node, a client or the database does: Awaitility, polling
 * on the calling thread (so a test's {@code @Timeout} interrupts the wait, and the state a probe
 * reads or fills stays on one thread), first at once and then every {@link #POLL}.
 */
public final class Waits {
  /**
   * Between two looks. Each look is an HTTP request to a node or a read of its log, and up to four
   * nodes share two cores with the test JVM: often enough not to add to a scenario's time, rarely
   * enough not to take from the nodes'.
   */
  static final Duration POLL = Duration.ofMillis(100);

  private Waits() {}

  /**
   * Waits for {@code what} at most {@code atMost}: {@code until(probe, done)} returns the probe's
   * first value that is done. A probe's {@link RuntimeException} (a node not answering yet) is
   * another look, and on a timeout the cause of the failure; an {@link AssertionError} ends the wait
   * at once. The failure names {@code what} and the probe's last value.
   */
  public static ConditionFactory await(String what, Duration atMost) {
    return Awaitility.await(what)
        .atMost(atMost)
        .pollInSameThread()
        .pollDelay(Duration.ZERO)
        .pollInterval(POLL)
        .ignoreExceptionsInstanceOf(RuntimeException.class);
  }

  /**
   * Looks at {@code done} every {@code interval} until it is true (returns true) or {@code atMost}
   * has passed (returns false), for callers that fail with a report of their own. Its exceptions
   * are not retried.
   */
  public static boolean within(Duration atMost, Duration interval, Callable<Boolean> done) {
    try {
      Awaitility.await().atMost(atMost).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(interval).until(done);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }
}
