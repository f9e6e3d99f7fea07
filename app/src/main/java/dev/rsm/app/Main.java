package dev.rsm.app;

import com.typesafe.config.ConfigFactory;
import dev.rsm.app.monitor.ReplicaMonitorProcess;
import dev.rsm.app.sample.Account;
import com.typesafe.config.Config;
import dev.rsm.app.sample.saga.Inventory;
import dev.rsm.app.sample.saga.Order;
import dev.rsm.app.sample.saga.Saga;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.RsmConfig;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.slf4j.LoggerFactory;

/**
 * Starts a node with the bundled samples ({@link #SAMPLES}). Configuration comes from {@code
 * application.conf}, or the file named by {@code -Dconfig.file=config/<profile>.conf}, with {@code
 * -D} overrides on top (for example {@code -Drsm.http.port=8081}).
 *
 * <p>Exit status: 1 when the node cannot start (a port in use, the database unreachable, bad
 * configuration), with one line on stderr saying what failed, e.g. {@code rsm: could not start
 * the node: HTTP port 127.0.0.1:8080 is in use}. Once up, the node exits through {@code
 * CoordinatedShutdown}: 0 when it leaves the cluster or is stopped (SIGTERM), Pekko's exit code
 * for the reason otherwise (-1, that is 255, when the cluster downed it).
 */
public final class Main {
  private Main() {}

  /**
   * What {@code exit-jvm} does except while starting: a node that fails to start terminates its
   * ActorSystem (reason {@code ActorSystemTerminateReason}), and CoordinatedShutdown would then
   * exit the JVM with status 0, racing the exit with status 1 below. That reason, which nothing
   * else in a running node uses, leaves the exit to {@link #init}.
   */
  static final String EXIT_SETTINGS = """
      pekko.coordinated-shutdown.exit-jvm = on
      pekko.coordinated-shutdown.reason-overrides {
        "org.apache.pekko.actor.CoordinatedShutdown$ActorSystemTerminateReason$" { exit-jvm = off }
      }
      """;

  /** The samples a node hosts: the bank ({@link Account}) and the order saga ({@link Order}, {@link Inventory}). */
  public static final MachineRegistry SAMPLES = MachineRegistry.of(Account.TYPE, Order.TYPE, Inventory.TYPE);

  /** A node; with {@code --replica-monitor}, the replica monitor alone ({@link #monitor}). */
  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("--replica-monitor")) monitor(SAMPLES);
    else init(SAMPLES, config -> Saga.effects(RuntimeOptions.defaults(), Saga.gateway(config)));
  }

  /**
   * Starts the replica monitor of {@code registry}'s machine types in this process, on the journal
   * database of the configuration, without a node ({@link ReplicaMonitorProcess}); the JVM exits
   * when it is stopped. If it cannot start, prints one line saying why and exits with status 1.
   */
  public static ReplicaMonitorProcess monitor(MachineRegistry registry) {
    LoggerFactory.getILoggerFactory();
    try {
      return ReplicaMonitorProcess.start(
          RsmConfig.load(ConfigFactory.parseString(EXIT_SETTINGS + ReplicaMonitorProcess.SETTINGS)), registry);
    } catch (Throwable e) {
      System.err.println("rsm: " + String.valueOf(e.getMessage()).replaceAll("\\s*[\\r\\n]+\\s*", " "));
      System.err.flush();
      System.exit(1);
      throw new AssertionError("unreachable");
    }
  }

  /**
   * Starts a node hosting {@code registry}; the JVM exits when the node shuts down. If the node
   * cannot start, prints one line saying why to stderr and exits with status 1.
   */
  public static RsmNode init(MachineRegistry registry) {
    return init(registry, config -> RuntimeOptions.defaults());
  }

  /** The same, with the machines' options made from the node's configuration (effect handlers). */
  public static RsmNode init(MachineRegistry registry, java.util.function.Function<Config, RuntimeOptions> options) {
    // Logging is set up before the node's threads log, which otherwise makes SLF4J print notes
    // about replayed calls on stderr next to the one line below.
    LoggerFactory.getILoggerFactory();
    RsmNode node;
    try {
      Config config = RsmConfig.load(ConfigFactory.parseString(EXIT_SETTINGS));
      node = RsmNode.start(config, registry, options.apply(config));
    } catch (Throwable e) {
      String message = e instanceof IllegalStateException && String.valueOf(e.getMessage()).startsWith("could not start")
          ? e.getMessage() : "could not start the node: " + (e.getMessage() != null ? e.getMessage() : e.toString());
      System.err.println("rsm: " + message.replaceAll("\\s*[\\r\\n]+\\s*", " "));
      System.err.flush();
      System.exit(1);
      throw new AssertionError("unreachable");
    }
    // ActorSystem.terminate() on a running node: CoordinatedShutdown leaves this exit to us.
    node.system().getWhenTerminated().thenRun(() -> {
      boolean terminateCalled = CoordinatedShutdown.get(node.system()).getShutdownReason()
          .map(r -> r.equals(CoordinatedShutdown.actorSystemTerminateReason())).orElse(false);
      if (terminateCalled) new Thread(() -> System.exit(0), "rsm-exit").start();
    });
    return node;
  }
}
