package dev.rsm.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.actors.MachineType;
import dev.rsm.app.monitor.ReplicaMonitorProcess;
import dev.rsm.app.sample.Samples;
import dev.rsm.persistence.MachineModule;
import dev.rsm.persistence.MachineModules;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.persistence.RuntimeOptions;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.slf4j.LoggerFactory;

/**
 * Starts a node hosting the machine modules that {@link #modules} finds: those named in {@code
 * rsm.node.machines}, else those on the class path ({@code META-INF/services}), else the bundled
 * samples ({@link Samples}). Configuration comes from {@code application.conf}, or the file named
 * by {@code -Dconfig.file=config/<profile>.conf}, with {@code -D} overrides on top (for example
 * {@code -Drsm.http.port=8081}).
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

  /** The samples' machine types ({@link Samples}): the bank and the order saga. */
  public static final MachineRegistry SAMPLES = MachineRegistry.of(new Samples().types());

  /**
   * A node of the modules {@link #modules} finds; with {@code --replica-monitor}, the replica
   * monitor of their types alone ({@link #monitor}).
   */
  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--replica-monitor")) monitor(config -> modules(config).registry());
    else init(Main::modules);
  }

  /**
   * The modules a node started by {@link #main} hosts, logged at INFO: those named in {@code
   * rsm.node.machines}, else every one {@link java.util.ServiceLoader} finds on the class path,
   * else the samples ({@link Samples}, which are not registered as a service, so that a jar of
   * your own replaces them).
   *
   * @throws IllegalArgumentException with a one-line message naming the module at fault
   */
  public static MachineModules modules(Config config) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    MachineModules found = MachineModules.load(config, loader != null ? loader : Main.class.getClassLoader());
    boolean named = config.hasPath(MachineModules.SETTING) && !config.getStringList(MachineModules.SETTING).isEmpty();
    String how = named ? "named in " + MachineModules.SETTING
        : found.isEmpty() ? "the samples: none named in " + MachineModules.SETTING + " or found on the class path"
        : "found on the class path";
    MachineModules modules = found.orElse(Samples::new);
    LoggerFactory.getLogger(Main.class).info("Machine modules ({}): {}", how, modules);
    return modules;
  }

  /**
   * Starts the replica monitor of {@code registry}'s machine types in this process, on the journal
   * database of the configuration, without a node ({@link ReplicaMonitorProcess}); the JVM exits
   * when it is stopped. If it cannot start, prints one line saying why and exits with status 1.
   */
  public static ReplicaMonitorProcess monitor(MachineRegistry registry) {
    return monitor(config -> registry);
  }

  /** The same, with the machine types made from the configuration. */
  public static ReplicaMonitorProcess monitor(Function<Config, MachineRegistry> registry) {
    LoggerFactory.getILoggerFactory();
    try {
      Config config = RsmConfig.load(ConfigFactory.parseString(EXIT_SETTINGS + ReplicaMonitorProcess.SETTINGS));
      return ReplicaMonitorProcess.start(config, registry.apply(config));
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
  public static RsmNode init(MachineRegistry registry, Function<Config, RuntimeOptions> options) {
    List<MachineType<?, ?>> types = List.copyOf(registry.types());
    MachineModule module = new MachineModule() {
      @Override
      public List<MachineType<?, ?>> types() {
        return types;
      }

      @Override
      public RuntimeOptions options(Config config, RuntimeOptions defaults) {
        return options.apply(config);
      }
    };
    return init(config -> MachineModules.of(module));
  }

  /**
   * The same, hosting the modules made from the node's configuration; a failure to make them (a
   * module that cannot be loaded) is a failure to start.
   */
  public static RsmNode init(Function<Config, MachineModules> modules) {
    // Logging is set up before the node's threads log, which otherwise makes SLF4J print notes
    // about replayed calls on stderr next to the one line below.
    LoggerFactory.getILoggerFactory();
    RsmNode node;
    try {
      Config config = RsmConfig.load(ConfigFactory.parseString(EXIT_SETTINGS));
      MachineModules hosted = modules.apply(config);
      node = RsmNode.start(config, hosted.registry(), hosted.options(config));
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
