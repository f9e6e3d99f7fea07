package dev.rsm.testkit.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.LocalRuntime;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.testkit.EmbeddedStore;
import dev.rsm.testkit.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * INTERNAL API. One run of a scenario: a fresh in-memory H2 store, an ActorSystem with a {@link
 * LocalRuntime} and the given fault injector. Each input is sent with its key until it is
 * answered, as a retrying client would, and then the run waits until everything the input caused
 * has settled: every journaled machine has no unacknowledged output (a call or an answer to one
 * among them), no effect pending and (unless allowed) no armed timer (a call's timeout among them),
 * and two consecutive reads of all machines agree. That makes the outcome a function of the
 * scenario, not of thread timing.
 *
 * <p>Recorded time is virtual ({@link VirtualClock}): it starts at {@link #START}, moves 1 s forward
 * before each input and otherwise stands still, except that when only armed timers are left it
 * jumps to the earliest deadline, so that timer fires at once and records exactly its deadline.
 */
public final class ScenarioRun {
  /** What a run ends with: the answer to each input and every journaled machine's final view. */
  public record Outcome(List<Answer> answers, Map<Address, MachineView> machines) {}

  /** The answer to one input, without what may legitimately differ (duplicate flag, seqNr). */
  public record Answer(String kind, Object value) {
    static Answer of(IngressResult r) {
      if (r instanceof IngressResult.Replied ok) return new Answer("replied", ok.reply());
      if (r instanceof IngressResult.Failed f) return new Answer("failed", f.error());
      if (r instanceof IngressResult.Invalid i) return new Answer("invalid", i.error());
      if (r instanceof IngressResult.KeyReused k) return new Answer("key-reused", k.error());
      if (r instanceof IngressResult.TooManyKeys t) return new Answer("too-many-keys", t.error());
      throw new IllegalArgumentException("not a final answer: " + r);
    }

    @Override
    public String toString() {
      return kind.equals("replied") ? String.valueOf(value) : kind + ": " + value;
    }
  }

  /** Where recorded time starts. */
  public static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  /** How far recorded time moves before each input. */
  static final Duration INPUT_SPACING = Duration.ofSeconds(1);

  /**
   * Fast timings, a local (non-cluster) provider, snapshots often so recoveries use them, timers
   * that check the (virtual) clock every 10 ms, effects retried and their outcomes handed over
   * again within a few hundred ms.
   */
  static final Config DEFAULTS = ConfigFactory.parseString("""
      pekko.actor.provider = local
      pekko.loglevel = WARNING
      pekko.log-dead-letters = off
      pekko.log-dead-letters-during-shutdown = off
      rsm.persistence {
        snapshot-every = 5
        delivery.resend-interval = 100ms
        delivery.resend-max-backoff = 400ms
        restart.min-backoff = 10ms
        restart.max-backoff = 100ms
        timers.max-scheduler-delay = 10ms
      }
      rsm.effects {
        retry.backoff = 10ms
        retry.max-backoff = 100ms
        redeliver-interval = 200ms
      }
      """);

  /** A read or an input lost in a crash is retried after this long (machines answer in ms). */
  private static final Duration STATE_TIMEOUT = Duration.ofMillis(250);

  private static final Comparator<Address> BY_NAME = Comparator.comparing(Address::toString);

  private ScenarioRun() {}

  /**
   * Runs {@code scenario} once.
   *
   * @param config the user's extra configuration (above the testkit defaults, below the store)
   * @param options the effects' handlers; the run adds its clock and {@code faults}
   * @param timeout how long one input may take to be answered, and to settle
   * @param awaitTimers whether settling waits for armed timers to fire
   */
  public static Outcome run(String name, MachineRegistry registry, Scenario scenario, Config config,
      RuntimeOptions options, FaultInjector faults, Duration timeout, boolean awaitTimers) {
    try (EmbeddedStore store = EmbeddedStore.create()) {
      Config resolved = ConfigFactory.load(store.config().withFallback(config).withFallback(DEFAULTS));
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, resolved);
      try {
        VirtualClock clock = new VirtualClock(START);
        Machines machines = LocalRuntime.start(system, registry,
            options.withFaults(faults).withClock(clock)).machines();
        Settler settler = new Settler(machines, store, clock, timeout, awaitTimers);
        List<Answer> answers = new ArrayList<>();
        Map<Address, MachineView> views = Map.of();
        for (Scenario.Input in : scenario.inputs()) {
          clock.advanceTo(clock.millis() + INPUT_SPACING.toMillis());
          answers.add(askUntilAnswered(machines, in, timeout));
          views = settler.settle("after input " + answers.size() + " (" + in.input() + " to " + in.to() + ")");
        }
        return new Outcome(List.copyOf(answers), views);
      } finally {
        system.terminate();
        try {
          system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          // the store is dropped anyway; a slow shutdown only delays that
        }
      }
    }
  }

  /**
   * Retries with the same key until the machine answers. Retrying early is harmless: a retry that
   * arrives while the first attempt is handled gets the recorded reply.
   */
  static Answer askUntilAnswered(Machines machines, Scenario.Input in, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    IngressResult last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = machines.ask(in.to(), in.key(), in.input(), STATE_TIMEOUT)
            .toCompletableFuture().get();
        if (!(last instanceof IngressResult.Unavailable)) return Answer.of(last);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // back-pressure: retry later
      } catch (ExecutionException lost) {
        // timed out: the machine crashed or is recovering; the key makes a retry safe
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new AssertionError("no answer from " + in.to() + " to " + in.input() + " (key " + in.key()
        + ") within " + timeout + (last == null ? "" : "; last: " + last));
  }

  /**
   * Waits until every journaled machine is quiet (no unacknowledged output, no pending effect) and reads the same
   * twice in a row; then, if timers are armed and awaited, moves the clock to the earliest deadline
   * and waits again, until no timer is left.
   */
  static final class Settler {
    private final Machines machines;
    private final EmbeddedStore store;
    private final VirtualClock clock;
    private final Duration timeout;
    private final boolean awaitTimers;

    Settler(Machines machines, EmbeddedStore store, VirtualClock clock, Duration timeout, boolean awaitTimers) {
      this.machines = machines;
      this.store = store;
      this.clock = clock;
      this.timeout = timeout;
      this.awaitTimers = awaitTimers;
    }

    Map<Address, MachineView> settle(String when) {
      long deadline = System.nanoTime() + timeout.toNanos();
      Map<Address, MachineView> previous = null;
      Map<Address, MachineView> last = null;
      while (System.nanoTime() < deadline) {
        Map<Address, MachineView> now = readAll();
        if (now != null && quiet(now) && now.equals(previous)) {
          long next = nextDeadline(now);
          if (next == Long.MAX_VALUE) return now;
          // Nothing but timers left: time jumps to the earliest deadline (a due timer fires by itself).
          if (next > clock.millis()) {
            clock.advanceTo(next);
            now = null;
          }
        }
        previous = now != null && quiet(now) ? now : null;
        if (now != null) last = now;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      throw new AssertionError("the machines did not settle " + when + " within " + timeout
          + (awaitTimers ? " (settling waits for armed timers to fire)" : "")
          + (last != null && last.values().stream().anyMatch(v -> v.pendingEffects() > 0)
              ? "; effects are pending (is every effect the machines request registered with withEffect?)" : "")
          + "; last read: " + last);
    }

    private static boolean quiet(Map<Address, MachineView> views) {
      for (MachineView v : views.values()) if (v.unackedOutputs() > 0 || v.pendingEffects() > 0) return false;
      return true;
    }

    /** The earliest armed deadline, or MAX_VALUE when none (or timers are not awaited). */
    private long nextDeadline(Map<Address, MachineView> views) {
      long next = Long.MAX_VALUE;
      if (awaitTimers)
        for (MachineView v : views.values()) if (v.armedTimers() > 0) next = Math.min(next, v.nextTimerAt());
      return next;
    }

    /** Every journaled machine's view, or null if one did not answer in time (crashing). */
    private Map<Address, MachineView> readAll() {
      Map<Address, MachineView> views = new TreeMap<>(BY_NAME);
      for (String pid : store.journal().persistenceIds()) {
        Address a = address(pid);
        try {
          views.put(a, machines.state(a, STATE_TIMEOUT).toCompletableFuture().get(2, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
          return null;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      return views;
    }
  }

  static Address address(String persistenceId) {
    int bar = persistenceId.indexOf('|', 4);
    return new Address(persistenceId.substring(4, bar), persistenceId.substring(bar + 1));
  }

  /** Describes how {@code actual} differs from {@code expected}, or returns null if it does not. */
  public static String difference(Outcome expected, Outcome actual) {
    List<String> diffs = new ArrayList<>();
    for (int i = 0; i < expected.answers().size(); i++)
      if (!Objects.equals(expected.answers().get(i), actual.answers().get(i)))
        diffs.add("answer to input " + (i + 1) + ": expected " + expected.answers().get(i)
            + " but was " + actual.answers().get(i));
    Map<Address, MachineView> all = new TreeMap<>(BY_NAME);
    all.putAll(expected.machines());
    all.putAll(actual.machines());
    for (Address a : all.keySet()) {
      MachineView e = expected.machines().get(a);
      MachineView r = actual.machines().get(a);
      if (e == null) diffs.add("machine " + a + " exists only with crashes: " + describe(r));
      else if (r == null) diffs.add("machine " + a + " is missing with crashes; expected " + describe(e));
      else if (!Objects.equals(e.state(), r.state()) || e.seqNr() != r.seqNr()
          || e.armedTimers() != r.armedTimers() || e.nextTimerAt() != r.nextTimerAt()
          || e.pendingEffects() != r.pendingEffects())
        diffs.add("machine " + a + ": expected " + describe(e) + " but was " + describe(r));
    }
    return diffs.isEmpty() ? null : String.join("\n  ", diffs);
  }

  private static String describe(MachineView v) {
    return v.state() + " after " + v.seqNr() + " steps" + (v.armedTimers() > 0 ? ", " + v.armedTimers() + " timers armed" : "")
        + (v.pendingEffects() > 0 ? ", " + v.pendingEffects() + " effects pending" : "");
  }
}
