package dev.rsm.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Settings for the {@link FailureTransparency} that {@link FailureTransparencyExtension} injects,
 * on a test method or its class (the method's wins). Unset values keep the extension's settings.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Inherited
public @interface FailureTransparencyConfig {
  /** Marks an unset seed. */
  long NO_SEED = Long.MIN_VALUE;

  /** Runs with crashes; 0 keeps the extension's setting. */
  int runs() default 0;

  /** The first run's seed; {@link #NO_SEED} keeps the extension's setting (random by default). */
  long seed() default NO_SEED;

  /**
   * Crash probability per boundary (half of it per event replayed during recovery); negative keeps
   * the extension's setting.
   */
  double crashProbability() default -1;

  /** Crash budget per machine per run; 0 keeps the extension's setting. */
  int maxCrashesPerMachine() default 0;
}
