package dev.rsm.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.actors.EffectHandler;
import dev.rsm.actors.MachineType;
import dev.rsm.persistence.EffectPolicy;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.FaultInjector.Point;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.testkit.internal.ScenarioRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Proves that machines are failure-transparent: a scenario of external inputs ends with the same
 * replies and the same machine states whether or not the machines crash along the way.
 *
 * <pre>{@code
 * FailureTransparency.create()
 *     .withRuns(5)
 *     .check(MachineRegistry.of(Account.TYPE), Scenario.builder()
 *         .input(Account.TYPE, "alice", new Account.Deposit(100))
 *         .input(Account.TYPE, "alice", new Account.Transfer("bob", 30))
 *         .build());
 * }</pre>
 *
 * <h2>What a check does</h2>
 *
 * <ol>
 *   <li>Runs the scenario once without failures, on a fresh in-memory H2 store in its own
 *       ActorSystem ({@link dev.rsm.persistence.LocalRuntime}). Each input is sent with its
 *       idempotency key and answered; then the run waits until everything it caused has settled
 *       (every output acknowledged, calls and their answers included, every effect's outcome
 *       handled, every timer fired), so the next input meets a determined state. It records each answer and the final state, step count and armed timers of every
 *       machine that journaled anything.
 *   <li>Runs it again {@code runs} times, each on a fresh store, with {@link SeededFaults}
 *       crashing machines at every {@link Point boundary}: before and after the journal write,
 *       before and after sends and acknowledgements, and during recovery. A client that gets no
 *       answer retries with the same key, as a real one would.
 *   <li>Fails with a {@link FailureTransparencyError} at the first run whose answers or final
 *       machines differ, naming the differences and the run's seed.
 * </ol>
 *
 * <h2>Time</h2>
 *
 * Recorded time ({@code ctx.now()}) is virtual, so that states and replies holding times compare
 * equal across runs: it starts at 2025-01-01T00:00:00Z, moves 1 s forward before each input and
 * otherwise stands still while the input settles, except that when nothing but armed timers is
 * left, it jumps to the earliest deadline. A timer therefore fires at once in real time, and its
 * step records exactly its deadline: an hour-long timeout costs milliseconds in a check.
 *
 * <h2>Calls and effects</h2>
 *
 * A call is a send whose answer is a send back: both are awaited like any output. Effects run on
 * the handlers registered with {@link #withEffect}, in every run; a machine with an effect pending
 * is not settled. The crash boundaries cover them as they cover other steps: a crash before the
 * journal write of an outcome's step leaves the effect executed but its outcome unjournaled (it is
 * executed again, with the same key), of an answer's step leaves the answer received but not
 * journaled (the callee resends it), and after the write before the sends leaves a call or an
 * answer journaled but not delivered. {@code EffectResult.attempts()} restarts after a crash: a
 * machine that keeps it in its state is reported as differing.
 *
 * <h2>Seeds</h2>
 *
 * Run {@code i} uses seed {@code first + i}; the first seed is random unless set with {@link
 * #withSeed}. Every run's seed is printed; a failing one is replayed alone with {@code
 * -Drsm.testkit.seed=<seed>} (or {@link #withReplay}). Crash decisions depend on the seed and on
 * each machine's own sequence of steps, not on thread timing; see {@link SeededFaults}.
 *
 * <h2>What it catches</h2>
 *
 * Handlers that are not deterministic (wall clock, unrecorded randomness, state kept outside the
 * machine's state, I/O), and inputs, states or replies that do not survive serialization — anything
 * that makes a machine rebuilt from its journal differ from the one that never stopped. States and
 * replies are compared with {@code equals}: make them records.
 *
 * <p>Settings are immutable; {@code withX} returns a copy.
 */
public final class FailureTransparency {
  /** The system property that replays one seed: {@code -Drsm.testkit.seed=<seed>}. */
  public static final String SEED_PROPERTY = "rsm.testkit.seed";

  private final int runs;
  private final Long seed;
  private final boolean replay;
  private final double crashProbability;
  private final double recoveryCrashProbability;
  private final int maxCrashesPerMachine;
  private final Config config;
  private final Duration timeout;
  private final boolean awaitTimers;
  private final Runnable beforeEachRun;
  private final RuntimeOptions options; // the effects; every run adds its clock and faults

  private FailureTransparency(int runs, Long seed, boolean replay, double crashProbability,
      double recoveryCrashProbability, int maxCrashesPerMachine, Config config, Duration timeout,
      boolean awaitTimers, Runnable beforeEachRun, RuntimeOptions options) {
    this.runs = runs;
    this.seed = seed;
    this.replay = replay;
    this.crashProbability = crashProbability;
    this.recoveryCrashProbability = recoveryCrashProbability;
    this.maxCrashesPerMachine = maxCrashesPerMachine;
    this.config = config;
    this.timeout = timeout;
    this.awaitTimers = awaitTimers;
    this.beforeEachRun = beforeEachRun;
    this.options = options;
  }

  /**
   * The defaults: 5 runs with crashes, random first seed, crash probability 0.1 per boundary (0.05
   * per replayed event during recovery), at most 8 crashes per machine per run, 30 s for an input
   * to be answered and to settle, settling waits for timers.
   */
  public static FailureTransparency create() {
    return new FailureTransparency(5, null, false, 0.1, 0.05, 8, ConfigFactory.empty(),
        Duration.ofSeconds(30), true, () -> {}, RuntimeOptions.defaults());
  }

  /** The number of runs with crashes (after the one without). */
  public FailureTransparency withRuns(int runs) {
    if (runs < 1) throw new IllegalArgumentException("runs must be >= 1");
    return new FailureTransparency(runs, seed, replay, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, config, timeout, awaitTimers, beforeEachRun, options);
  }

  /** The seed of the first run with crashes; run {@code i} uses {@code seed + i}. */
  public FailureTransparency withSeed(long seed) {
    return new FailureTransparency(runs, seed, false, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, config, timeout, awaitTimers, beforeEachRun, options);
  }

  /** Runs only the run with crashes of {@code seed} (after the one without): to replay a failure. */
  public FailureTransparency withReplay(long seed) {
    return new FailureTransparency(1, seed, true, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, config, timeout, awaitTimers, beforeEachRun, options);
  }

  /**
   * How often to crash: {@code probability} each time a machine reaches a boundary, {@code
   * recoveryProbability} per event it replays during recovery.
   */
  public FailureTransparency withCrashProbability(double probability, double recoveryProbability) {
    return new FailureTransparency(runs, seed, replay, probability, recoveryProbability,
        maxCrashesPerMachine, config, timeout, awaitTimers, beforeEachRun, options);
  }

  /** The crash budget of each machine in each run. */
  public FailureTransparency withMaxCrashesPerMachine(int max) {
    return new FailureTransparency(runs, seed, replay, crashProbability, recoveryCrashProbability,
        max, config, timeout, awaitTimers, beforeEachRun, options);
  }

  /**
   * Extra configuration for every run, above the testkit's defaults (fast resends and restarts,
   * {@code rsm.persistence.snapshot-every = 5}, a local provider). The store is always a fresh
   * in-memory H2 database; {@code application.conf} is not read.
   */
  public FailureTransparency withConfig(Config config) {
    return new FailureTransparency(runs, seed, replay, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, Objects.requireNonNull(config), timeout, awaitTimers, beforeEachRun, options);
  }

  /** How long one input may take to be answered, and its consequences to settle. */
  public FailureTransparency withTimeout(Duration timeout) {
    return new FailureTransparency(runs, seed, replay, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, config, timeout, awaitTimers, beforeEachRun, options);
  }

  /**
   * Whether settling waits for armed timers to fire (default on). Turn it off for machines with
   * timers that never end; their armed timers are then part of what is compared.
   */
  public FailureTransparency withAwaitTimers(boolean on) {
    return new FailureTransparency(runs, seed, replay, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, config, timeout, on, beforeEachRun, options);
  }

  /** Called before every run (including the one without crashes), e.g. to reset test doubles. */
  public FailureTransparency withBeforeEachRun(Runnable action) {
    return new FailureTransparency(runs, seed, replay, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, config, timeout, awaitTimers, Objects.requireNonNull(action), options);
  }

  /**
   * Executes the effect {@code name} with {@code handler} in every run, as {@link
   * RuntimeOptions#withEffect} does on a node: register every effect the scenario's machines
   * request, or their steps are refused. The handler runs at least once per effect, more often in
   * runs with crashes (always with the effect's key); what it returns must be the same in every
   * run, as the external system it stands for would answer a key it has seen. Reset what it keeps
   * with {@link #withBeforeEachRun}.
   */
  public <Q> FailureTransparency withEffect(String name, Class<Q> requestType, EffectHandler<Q> handler) {
    return new FailureTransparency(runs, seed, replay, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, config, timeout, awaitTimers, beforeEachRun, options.withEffect(name, requestType, handler));
  }

  /** The same, retried per {@code policy} (see {@link RuntimeOptions#withEffect(String, Class, EffectHandler, EffectPolicy)}). */
  public <Q> FailureTransparency withEffect(String name, Class<Q> requestType, EffectHandler<Q> handler,
      EffectPolicy policy) {
    return new FailureTransparency(runs, seed, replay, crashProbability, recoveryCrashProbability,
        maxCrashesPerMachine, config, timeout, awaitTimers, beforeEachRun,
        options.withEffect(name, requestType, handler, policy));
  }

  public int runs() {
    return runs;
  }

  /** Checks {@code scenario} on machines of {@code types}. */
  public Report check(Scenario scenario, MachineType<?, ?>... types) {
    return check(MachineRegistry.of(types), scenario);
  }

  /**
   * Runs {@code scenario} without failures, then {@link #runs()} times with crashes, and compares.
   *
   * @return what was compared and how many crashes each boundary saw
   * @throws FailureTransparencyError if a run with crashes ends differently, or does not finish
   * @throws IllegalArgumentException if an input is not one of its machine type's inputs
   */
  public Report check(MachineRegistry registry, Scenario scenario) {
    for (Scenario.Input in : scenario.inputs())
      if (!registry.get(in.to().type()).accepts(in.input()))
        throw new IllegalArgumentException(in.input() + " is not an input of machine type " + in.to().type());
    List<Long> seeds = seeds();
    beforeEachRun.run();
    ScenarioRun.Outcome expected = ScenarioRun.run("rsm-failure-free", registry, scenario, config,
        options, FaultInjector.NONE, timeout, awaitTimers);
    Map<Point, Integer> crashes = new EnumMap<>(Point.class);
    for (int i = 0; i < seeds.size(); i++) {
      long s = seeds.get(i);
      SeededFaults faults = new SeededFaults(s, crashProbability, recoveryCrashProbability, maxCrashesPerMachine);
      String run = "run " + (i + 1) + "/" + seeds.size() + " (seed " + s + ")";
      beforeEachRun.run();
      ScenarioRun.Outcome actual;
      long started = System.nanoTime();
      try {
        actual = ScenarioRun.run("rsm-crashes-" + (i + 1), registry, scenario, config, options, faults, timeout,
            awaitTimers);
      } catch (AssertionError | RuntimeException e) {
        throw new FailureTransparencyError(s, run + " did not finish with crashes " + faults.counts()
            + ": " + e.getMessage() + replayHint(s), e);
      }
      String diff = ScenarioRun.difference(expected, actual);
      if (diff != null)
        throw new FailureTransparencyError(s, "not failure-transparent: " + run + " with crashes "
            + faults.counts() + " ended differently from the run without failures:\n  " + diff + replayHint(s), null);
      faults.counts().forEach((p, n) -> crashes.merge(p, n, Integer::sum));
      System.out.println("failure transparency: " + run + ": " + faults.total() + " crashes "
          + faults.counts() + ", same replies and states (" + (System.nanoTime() - started) / 1_000_000 + " ms)");
    }
    Map<Address, Object> states = new LinkedHashMap<>();
    expected.machines().forEach((a, v) -> states.put(a, v.state()));
    List<Object> replies = new ArrayList<>();
    expected.answers().forEach(a -> replies.add(a.value()));
    Report report = new Report(List.copyOf(seeds), Collections.unmodifiableMap(crashes),
        Collections.unmodifiableMap(states), Collections.unmodifiableList(replies),
        Collections.unmodifiableMap(new LinkedHashMap<>(expected.machines())));
    System.out.println("failure transparency: " + report);
    List<Point> missed = new ArrayList<>();
    for (Point p : Point.values()) if (crashes.getOrDefault(p, 0) == 0) missed.add(p);
    if (!missed.isEmpty())
      System.out.println("failure transparency: no crash was injected at " + missed
          + "; lengthen the scenario, add runs or raise the crash probability to cover them");
    return report;
  }

  private List<Long> seeds() {
    String property = System.getProperty(SEED_PROPERTY);
    if (property != null && !property.isBlank()) return List.of(Long.parseLong(property.trim()));
    if (replay) return List.of(seed);
    long first = seed != null ? seed : new java.util.SplittableRandom().nextLong();
    List<Long> seeds = new ArrayList<>(runs);
    for (int i = 0; i < runs; i++) seeds.add(first + i);
    return seeds;
  }

  private static String replayHint(long seed) {
    return "\n  replay this run alone with -D" + SEED_PROPERTY + "=" + seed + " (or withReplay(" + seed + "L))";
  }

  /**
   * What a passing check compared: the seeds of the runs with crashes, the crashes injected per
   * boundary over all runs, and the outcome every run agreed on (final states by machine, replies
   * in input order, full views).
   */
  public record Report(List<Long> seeds, Map<Point, Integer> crashes, Map<Address, Object> states,
      List<Object> replies, Map<Address, MachineView> views) {

    public int totalCrashes() {
      return crashes.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Whether every boundary saw at least one crash over all runs. */
    public boolean everyPointCrashed() {
      for (Point p : Point.values()) if (crashes.getOrDefault(p, 0) == 0) return false;
      return true;
    }

    @Override
    public String toString() {
      return seeds.size() + " runs with crashes (seeds " + seeds + "), " + totalCrashes()
          + " crashes " + crashes + ", all equal to the run without: " + states.size()
          + " machines, " + replies.size() + " replies";
    }
  }
}
