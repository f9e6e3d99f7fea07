package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.RuntimeSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * INTERNAL API. A machine's handler that threw. An external caller is told at once and nothing is
 * journaled. An input from a machine, or a timer firing, is retried (on the sender's resend, or on
 * the machine's own timer) up to {@code max-attempts} times and then journaled as rejected, so its
 * channel moves on. The attempts are counted in memory, transient by design: a restart gives an
 * input a fresh set of attempts, which only delays its rejection.
 */
final class Failures {
  private final Address self;
  private final RuntimeSettings settings;
  private final Logger log;
  private final Map<Origin, Integer> attempts = new HashMap<>(2);

  Failures(Address self, RuntimeSettings settings, Logger log) {
    this.self = self;
    this.settings = settings;
    this.log = log;
  }

  /**
   * The answer to an external caller whose input made the handler throw. The exception's text may
   * hold internals (values, class names): it goes to the log, under an id the caller gets.
   */
  IngressResult.Failed external(Object input, Exception e) {
    String errorId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    log.warn("handler of {} failed on {} (error id {}): {}", self, StepRecorder.describe(input), errorId, reason(e), e);
    return new IngressResult.Failed("the handler of " + self + " failed on "
        + input.getClass().getSimpleName() + "; the node's log has the details under its errorId", errorId);
  }

  /**
   * Counts a failure of the input from {@code origin}; returns how many it has had. At {@code
   * max-attempts} the count is dropped: the input is to be rejected.
   */
  int failed(Origin origin, Object input, Exception e) {
    int n = attempts.merge(origin, 1, Integer::sum);
    if (n < settings.maxAttempts())
      log.warn("handler of {} failed on {} from {} (attempt {} of {}): {}",
          self, StepRecorder.describe(input), origin, n, settings.maxAttempts(), reason(e));
    else attempts.remove(origin);
    return n;
  }

  void succeeded(Origin origin) {
    attempts.remove(origin);
  }

  static String reason(Exception e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
