package dev.rsm.testkit;

import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Crashes machines at the runtime's {@link FaultInjector.Point boundaries}, reproducibly from a
 * seed. Each decision depends only on the seed, the machine, the point and how many times that
 * machine has reached that point, not on thread timing, so a seed replays the same crashes as long
 * as each machine sees the same sequence of inputs.
 *
 * <ul>
 *   <li><b>Systematic:</b> every machine crashes the k-th time it reaches each point, with k = 1 +
 *       (seed mod 5): consecutive seeds cover the first five passes of every boundary.
 *   <li><b>Random:</b> on top, each pass crashes with {@code probability} ({@code
 *       recoveryProbability} per replayed event during recovery).
 *   <li><b>Bounded:</b> at most {@code maxCrashesPerMachine} crashes per machine, so a run always
 *       finishes.
 * </ul>
 */
public final class SeededFaults implements FaultInjector {
  /** How many consecutive seeds it takes for the systematic crash to visit the first passes. */
  public static final int SYSTEMATIC_SPREAD = 5;

  private final long seed;
  private final int systematicPass;
  private final double probability;
  private final double recoveryProbability;
  private final int maxCrashesPerMachine;
  private final Map<String, Integer> passes = new HashMap<>();
  private final Map<Address, Integer> crashesPerMachine = new HashMap<>();
  private final Map<Point, Integer> counts = new EnumMap<>(Point.class);

  public SeededFaults(long seed, double probability, double recoveryProbability, int maxCrashesPerMachine) {
    if (probability < 0 || probability > 1 || recoveryProbability < 0 || recoveryProbability > 1)
      throw new IllegalArgumentException("probabilities must be in [0, 1]");
    this.seed = seed;
    this.systematicPass = 1 + (int) Math.floorMod(seed, (long) SYSTEMATIC_SPREAD);
    this.probability = probability;
    this.recoveryProbability = recoveryProbability;
    this.maxCrashesPerMachine = maxCrashesPerMachine;
  }

  @Override
  public synchronized boolean crash(Point point, Address machine) {
    int pass = passes.merge(machine + "@" + point, 1, Integer::sum);
    if (crashesPerMachine.getOrDefault(machine, 0) >= maxCrashesPerMachine) return false;
    double p = point == Point.DURING_RECOVERY ? recoveryProbability : probability;
    if (pass != systematicPass && draw(machine, point, pass) >= p) return false;
    crashesPerMachine.merge(machine, 1, Integer::sum);
    counts.merge(point, 1, Integer::sum);
    return true;
  }

  private double draw(Address machine, Point point, int pass) {
    long h = seed;
    h = h * 0x9E3779B97F4A7C15L + machine.toString().hashCode();
    h = h * 0x9E3779B97F4A7C15L + point.ordinal();
    h = h * 0x9E3779B97F4A7C15L + pass;
    return new SplittableRandom(h).nextDouble();
  }

  public long seed() {
    return seed;
  }

  /** Crashes injected so far, per point. */
  public synchronized Map<Point, Integer> counts() {
    return new EnumMap<>(counts);
  }

  public synchronized int total() {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }
}
