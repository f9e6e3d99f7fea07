package dev.rsm.actors;

import java.time.Instant;
import java.util.Random;

/**
 * What a handler may observe besides its state and input. Every value is <em>recorded</em>: the
 * first time a step runs, the runtime reads the clock and draws a random seed and journals both with
 * the step; when the journal is replayed, the handler sees exactly the same values again. Use these
 * instead of {@link System#currentTimeMillis()} or {@link java.util.concurrent.ThreadLocalRandom} so
 * that replay rebuilds the same state.
 *
 * <p>Thread safety: a context belongs to one step of one machine; do not keep it after the handler
 * returns.
 */
public interface Context {

  /** The machine this step runs in. */
  Address self();

  /** The recorded time of this step. Constant within the step. */
  Instant now();

  /**
   * A random generator seeded with the recorded seed of this step: the same sequence on replay. The
   * same instance is returned on every call within a step.
   */
  Random random();

  /**
   * A context with fixed values, for unit tests of handlers and for replay.
   *
   * @param self the machine's address
   * @param nowMillis the recorded time in epoch milliseconds
   * @param seed the recorded random seed
   */
  static Context of(Address self, long nowMillis, long seed) {
    return new RecordedContext(self, nowMillis, seed);
  }
}
