package dev.rsm.persistence.internal;

import com.typesafe.config.Config;
import dev.rsm.actors.Address;
import dev.rsm.actors.EffectHandler;
import dev.rsm.persistence.EffectPolicy;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.StepObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INTERNAL API. Executes the effects the machines of one node request, outside the machines: each
 * on the effect threads ({@code rsm.effects.threads}), attempt after attempt per its {@link
 * EffectPolicy}, then hands the outcome to the machine through the transport (so it reaches the
 * machine wherever it lives now, and wakes it). The machine journals the outcome as a step of its
 * own and tells this runner ({@link #handled}); until then the outcome is handed again every {@code
 * rsm.effects.redeliver-interval}, for a while: a machine that moved away or crashed instead
 * recovers the effect as pending and has it executed again, with the same key.
 *
 * <p>An effect already running (or finished and not yet handled) here is not started twice when
 * its machine asks again (recovery, waking): the outcome it gets is that one.
 */
public final class EffectRunner {
  private static final Logger LOG = LoggerFactory.getLogger(EffectRunner.class);
  // An unhandled outcome is handed over again after redeliver-interval, the wait doubling up to
  // MAX_REDELIVERY_WAIT, and forgotten GIVE_UP_AFTER after the effect finished: by then the machine
  // took it (possibly on another node, which tells its own runner), or its next recovery executes
  // the effect again.
  private static final Duration MAX_REDELIVERY_WAIT = Duration.ofMinutes(1);
  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(10);

  /** A runner of no effects: every effect requested is unknown here. */
  public static final EffectRunner NONE = new EffectRunner();

  private final Map<String, RuntimeOptions.Effect> handlers;
  private final Map<String, EffectPolicy> policies;
  private final Transport transport;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final Duration redeliverInterval;
  private final StepObserver observer;
  // By key: effects running or finished and not yet handled by their machine.
  private final ConcurrentHashMap<String, Run> runs = new ConcurrentHashMap<>();

  private EffectRunner() {
    handlers = Map.of();
    policies = Map.of();
    transport = null;
    executor = null;
    scheduler = null;
    redeliverInterval = Duration.ZERO;
    observer = StepObserver.NONE;
  }

  private EffectRunner(Map<String, RuntimeOptions.Effect> handlers, Config config, Transport transport,
      StepObserver observer) {
    this.observer = observer;
    Config c = config.getConfig("rsm.effects");
    EffectPolicy defaults = EffectPolicy.fromConfig(c.getConfig("retry"),
        new EffectPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1))); // every key is in reference.conf
    this.handlers = handlers;
    this.policies = new ConcurrentHashMap<>();
    for (RuntimeOptions.Effect e : handlers.values()) {
      EffectPolicy p = e.policy() != null ? e.policy() : defaults;
      String byName = "by-name.\"" + e.name() + "\"";
      policies.put(e.name(), c.hasPath(byName) ? EffectPolicy.fromConfig(c.getConfig(byName), p) : p);
    }
    this.transport = transport;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(c.getInt("threads"), r -> {
      Thread t = new Thread(r, "rsm-effect-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rsm-effect-timer");
      t.setDaemon(true);
      return t;
    });
    this.redeliverInterval = c.getDuration("redeliver-interval");
  }

  /**
   * The runner of the effects of {@code options} on a node with {@code config}; {@link #NONE} when
   * there are none. Its threads stop when {@code system} terminates.
   */
  public static EffectRunner start(org.apache.pekko.actor.typed.ActorSystem<?> system, RuntimeOptions options,
      Transport transport) {
    if (options.effects().isEmpty()) return NONE;
    EffectRunner r = new EffectRunner(options.effects(), system.settings().config(), transport, options.observer());
    system.getWhenTerminated().thenRun(r::shutdown);
    return r;
  }

  /** Whether this node has a handler for the effect {@code name}. */
  boolean handles(String name) {
    return handlers.containsKey(name);
  }

  /** The idempotency key of the effect {@code id} of {@code machine}. */
  static String key(Address machine, String id) {
    return machine.type() + "/" + machine.id() + "/" + id;
  }

  /** Executes {@code effect} of {@code machine}, unless it runs (or ran, unhandled) here already. */
  void start(Address machine, MachineSnapshot.Pending effect) {
    String key = key(machine, effect.id());
    RuntimeOptions.Effect h = handlers.get(effect.name());
    if (h == null) {
      LOG.error("machine {} requested effect {} ({}), which this node has no handler for: it stays pending until "
          + "the machine recovers on a node that has one (RuntimeOptions.withEffect)", machine, effect.name(), key);
      return;
    }
    Run fresh = new Run(machine, effect, key, h, policies.get(effect.name()));
    Run run = runs.putIfAbsent(key, fresh);
    if (run == null) fresh.attempt(1);
    else run.redeliverNow();
  }

  /** The machine journaled the outcome of {@code key}: stop handing it over. */
  void handled(String key) {
    Run r = runs.remove(key);
    if (r != null) r.stop();
  }

  private void shutdown() {
    executor.shutdownNow();
    scheduler.shutdownNow();
  }

  /** One effect's attempts, then its outcome handed over until handled. */
  private final class Run implements EffectHandler.Attempt {
    final Address machine;
    final MachineSnapshot.Pending effect;
    final String key;
    final RuntimeOptions.Effect handler;
    final EffectPolicy policy;
    volatile int attempt;
    volatile Envelopes.EffectOutcome outcome; // once finished
    volatile ScheduledFuture<?> redelivery;
    Duration wait; // before the next hand-over
    long finishedNanos;

    Run(Address machine, MachineSnapshot.Pending effect, String key, RuntimeOptions.Effect handler, EffectPolicy policy) {
      this.machine = machine;
      this.effect = effect;
      this.key = key;
      this.handler = handler;
      this.policy = policy;
    }

    @Override
    public String idempotencyKey() {
      return key;
    }

    @Override
    public Address machine() {
      return machine;
    }

    @Override
    public int number() {
      return attempt;
    }

    @SuppressWarnings("unchecked")
    void attempt(int n) {
      attempt = n;
      CompletableFuture<Object> result = new CompletableFuture<>();
      long started = System.nanoTime();
      Future<?> task;
      try {
        task = executor.submit(() -> {
          try {
            result.complete(((EffectHandler<Object>) handler.handler()).execute(effect.request(), this));
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // the node is stopping: the machine's next recovery runs the effect again
      }
      ScheduledFuture<?> timeout = scheduler.schedule(() -> {
        if (result.completeExceptionally(new TimeoutException("attempt " + n + " took longer than "
            + policy.attemptTimeout()))) task.cancel(true);
      }, policy.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS);
      result.whenComplete((value, failure) -> {
        timeout.cancel(false);
        observer.effectAttempted(machine, effect.name(), failure == null, System.nanoTime() - started);
        if (failure == null) {
          finish(new Envelopes.EffectOutcome(effect.id(), effect.name(), key, effect.request(), true, value, null, n));
        } else if (n < policy.maxAttempts() && !(cause(failure) instanceof EffectHandler.Final)) {
          Duration wait = policy.backoffBefore(n + 1);
          LOG.info("effect {} {} of machine {}: attempt {} of {} failed ({}); next in {} ms", effect.name(), key,
              machine, n, policy.maxAttempts(), describe(failure), wait.toMillis());
          schedule(() -> attempt(n + 1), wait);
        } else {
          LOG.warn("effect {} {} of machine {} failed after {} attempt(s), the last with {}: the machine is told",
              effect.name(), key, machine, n, describe(failure));
          finish(new Envelopes.EffectOutcome(effect.id(), effect.name(), key, effect.request(), false, null,
              describe(failure), n));
        }
      });
    }

    private void finish(Envelopes.EffectOutcome o) {
      synchronized (this) {
        finishedNanos = System.nanoTime();
        wait = redeliverInterval;
        outcome = o;
      }
      redeliverNow();
    }

    synchronized void redeliverNow() {
      Envelopes.EffectOutcome o = outcome;
      if (o == null) return; // still running: its outcome will be handed over when it finishes
      if (redelivery != null) redelivery.cancel(false);
      transport.tell(machine, new Protocol.EffectDone(o));
      if (System.nanoTime() - finishedNanos > GIVE_UP_AFTER.toNanos()) {
        runs.remove(key, this);
        return;
      }
      redelivery = schedule(this::redeliverNow, wait);
      Duration doubled = wait.multipliedBy(2);
      wait = doubled.compareTo(MAX_REDELIVERY_WAIT) > 0 ? MAX_REDELIVERY_WAIT : doubled;
    }

    synchronized void stop() {
      if (redelivery != null) redelivery.cancel(false);
    }

    private ScheduledFuture<?> schedule(Runnable r, Duration in) {
      try {
        return scheduler.schedule(r, in.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return null; // the node is stopping
      }
    }
  }

  private static Throwable cause(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static String describe(Throwable t) {
    t = cause(t);
    return t.getMessage() == null ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
