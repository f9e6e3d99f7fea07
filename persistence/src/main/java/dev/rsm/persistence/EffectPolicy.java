package dev.rsm.persistence;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * How an effect is retried: at most {@code maxAttempts} attempts, each given at most {@code
 * attemptTimeout}, the n-th retry after {@code backoff} × 2<sup>n-1</sup> capped at {@code
 * maxBackoff}. When every attempt failed, the machine is handed a failed {@link
 * dev.rsm.actors.EffectResult} (and decides: compensate, give up, try something else). A crash
 * starts the attempts again, after recovery, with the same idempotency key.
 *
 * <p>The defaults are {@code rsm.effects.retry}; {@code rsm.effects.by-name.<name>} overrides them
 * for one effect, and so does a policy given in code ({@link RuntimeOptions#withEffect}), which the
 * configuration in turn overrides.
 */
public record EffectPolicy(int maxAttempts, Duration backoff, Duration maxBackoff, Duration attemptTimeout) {

  public EffectPolicy {
    if (maxAttempts < 1) throw new IllegalArgumentException("max-attempts must be at least 1: " + maxAttempts);
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    if (backoff.isNegative() || maxBackoff.isNegative() || attemptTimeout.isNegative() || attemptTimeout.isZero())
      throw new IllegalArgumentException("effect retry durations must be positive");
  }

  /** The wait before attempt {@code next} (2 or more). */
  public Duration backoffBefore(int next) {
    long factor = 1L << Math.min(30, Math.max(0, next - 2));
    Duration d = backoff.multipliedBy(factor);
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }

  /** A policy from a {@code rsm.effects.retry}-shaped block; keys it lacks come from {@code defaults}. */
  public static EffectPolicy fromConfig(Config c, EffectPolicy defaults) {
    return new EffectPolicy(
        c.hasPath("max-attempts") ? c.getInt("max-attempts") : defaults.maxAttempts(),
        c.hasPath("backoff") ? c.getDuration("backoff") : defaults.backoff(),
        c.hasPath("max-backoff") ? c.getDuration("max-backoff") : defaults.maxBackoff(),
        c.hasPath("attempt-timeout") ? c.getDuration("attempt-timeout") : defaults.attemptTimeout());
  }
}
