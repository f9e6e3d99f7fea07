package dev.rsm.persistence.testing;

import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * Crashes machines at random boundaries, seeded, up to a budget (so a run always converges).
 * Counts the crashes per point so a test can prove each boundary was exercised.
 */
public final class RandomCrashes implements FaultInjector {
  private final Random random;
  private final double probability;
  private final double recoveryProbability;
  private int budget;
  private volatile boolean enabled = true;
  private final Map<Point, Integer> counts = new EnumMap<>(Point.class);

  public RandomCrashes(long seed, double probability, double recoveryProbability, int budget) {
    this.random = new Random(seed);
    this.probability = probability;
    this.recoveryProbability = recoveryProbability;
    this.budget = budget;
  }

  @Override
  public synchronized boolean crash(Point point, Address machine) {
    if (!enabled || budget <= 0) return false;
    double p = point == Point.DURING_RECOVERY ? recoveryProbability : probability;
    if (random.nextDouble() >= p) return false;
    budget--;
    counts.merge(point, 1, Integer::sum);
    return true;
  }

  /** Stops injecting (to let the system quiesce). */
  public void disable() {
    enabled = false;
  }

  public synchronized Map<Point, Integer> counts() {
    return new EnumMap<>(counts);
  }
}
