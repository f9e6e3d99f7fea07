package dev.rsm.testkit;

/**
 * A run with crashes ended differently from the run without (or did not finish). The message names
 * the differences; {@link #seed()} replays the run with {@code -Drsm.testkit.seed=<seed>}.
 */
public final class FailureTransparencyError extends AssertionError {
  private final long seed;

  public FailureTransparencyError(long seed, String message, Throwable cause) {
    super(message, cause);
    this.seed = seed;
  }

  /** The seed of the failing run. */
  public long seed() {
    return seed;
  }
}
