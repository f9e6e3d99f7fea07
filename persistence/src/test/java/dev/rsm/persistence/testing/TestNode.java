package dev.rsm.persistence.testing;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.Address;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.IngressResult;
import dev.rsm.persistence.LocalRuntime;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.MachineView;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.StepObserver;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;

/** One ActorSystem with a {@link LocalRuntime}, on a given store; close it to shut down. */
public final class TestNode implements AutoCloseable {
  /** Fast timings so crash-recovery tests converge quickly. */
  public static final Config FAST = ConfigFactory.parseString("""
      rsm.persistence {
        delivery.resend-interval = 100ms
        delivery.resend-max-backoff = 1s
        restart.min-backoff = 10ms
        restart.max-backoff = 200ms
        ask-timeout = 3s
      }
      pekko.loglevel = INFO
      """);

  public final ActorTestKit kit;
  public final LocalRuntime runtime;

  public TestNode(String name, Config store, MachineRegistry registry, Config extra, FaultInjector faults) {
    this(name, store, registry, extra, faults, Clock.systemUTC());
  }

  /** A node whose recorded time comes from {@code clock} (e.g. shifted, to start "later"). */
  public TestNode(String name, Config store, MachineRegistry registry, Config extra, FaultInjector faults,
      Clock clock) {
    this(name, store, registry, extra, faults, clock, StepObserver.NONE);
  }

  /** A node whose machines report their steps, hibernations and wake-ups to {@code observer}. */
  public TestNode(String name, Config store, MachineRegistry registry, Config extra, FaultInjector faults,
      Clock clock, StepObserver observer) {
    Config config = RsmConfig.load(extra.withFallback(FAST).withFallback(store));
    this.kit = ActorTestKit.create(name, config);
    this.runtime = LocalRuntime.start(kit.system(), registry,
        RuntimeOptions.defaults().withFaults(faults).withClock(clock).withObserver(observer));
  }

  /** A node started with {@code options} (effect handlers, faults, ...). */
  public TestNode(String name, Config store, MachineRegistry registry, Config extra, RuntimeOptions options) {
    Config config = RsmConfig.load(extra.withFallback(FAST).withFallback(store));
    this.kit = ActorTestKit.create(name, config);
    this.runtime = LocalRuntime.start(kit.system(), registry, options);
  }

  public TestNode(String name, Config store, MachineRegistry registry) {
    this(name, store, registry, ConfigFactory.empty(), FaultInjector.NONE);
  }

  public ActorSystem<Void> system() {
    return kit.system();
  }

  public Machines machines() {
    return runtime.machines();
  }

  /** Asks once and waits. */
  public IngressResult ask(Address to, String key, Object input) {
    return machines().ask(to, key, input).toCompletableFuture().join();
  }

  /**
   * Asks with {@code key} until the machine answers, as a client that retries on timeouts and
   * "unavailable" would; the key makes retries safe.
   */
  public IngressResult askUntilAnswered(Address to, String key, Object input) {
    return await("an answer from " + to + " for key " + key).atMost(Duration.ofSeconds(60))
        .pollInSameThread().dontCatchUncaughtExceptions() // the crashes are injected on purpose
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
        .ignoreExceptionsInstanceOf(CompletionException.class) // a timeout: lost in a crash, retried with the key
        .until(() -> machines().ask(to, key, input, Duration.ofSeconds(2)).toCompletableFuture().join(),
            r -> !(r instanceof IngressResult.Unavailable));
  }

  public MachineView state(Address of) {
    return machines().state(of, Duration.ofSeconds(3)).toCompletableFuture().join();
  }

  /** Whether the machine's actor is alive (LocalRuntime names it after its address). */
  public boolean isRunning(Address a) {
    String path = "/system/rsm-machines/" + URLEncoder.encode(a.type() + "|" + a.id(), StandardCharsets.UTF_8);
    try {
      // Not found is answered at once; the timeout only bounds a busy machine's answer, which a short
      // one could miss and report a running machine as stopped.
      system().classicSystem().actorSelection(path).resolveOne(Duration.ofSeconds(3)).toCompletableFuture().join();
      return true;
    } catch (RuntimeException notFound) {
      return false;
    }
  }

  @Override
  public void close() {
    kit.shutdownTestKit();
  }
}
