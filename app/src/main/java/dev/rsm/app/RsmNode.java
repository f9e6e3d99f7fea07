package dev.rsm.app;

import com.typesafe.config.Config;
import dev.rsm.app.http.HttpSettings;
import dev.rsm.app.http.MachineRoutes;
import dev.rsm.persistence.FaultInjector;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.StepObserver;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.StoreDurability;
import dev.rsm.sharding.ShardedRuntime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * One running node: an ActorSystem in the cluster, the machines on Cluster Sharding, Pekko
 * Management (members, health, readiness) and the HTTP ingress. {@link Main} starts one from
 * configuration; tests start several in one JVM the same way.
 *
 * <p>Shutdown goes through {@code CoordinatedShutdown}: the HTTP port is unbound first (no new
 * requests, in-flight ones get up to {@code rsm.http.shutdown-deadline}), then sharding hands its
 * shards off to the remaining nodes, then the node leaves the cluster.
 */
public final class RsmNode implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final ShardedRuntime runtime;
  private final ServerBinding binding;

  private RsmNode(ActorSystem<Void> system, ShardedRuntime runtime, ServerBinding binding) {
    this.system = system;
    this.runtime = runtime;
    this.binding = binding;
  }

  /**
   * Starts a node from a resolved configuration (see {@link dev.rsm.persistence.RsmConfig#load}).
   *
   * @throws IllegalStateException if any part fails to start, with a one-line message saying which
   *     ("could not start the node: HTTP port 127.0.0.1:8080 is in use"); whatever had started is
   *     shut down (the ActorSystem has terminated) when it is thrown
   */
  public static RsmNode start(Config config, MachineRegistry registry) {
    return start(config, registry, StepObserver.NONE);
  }

  /** The same, with a {@link StepObserver} that sees every machine's steps and lifecycle (metrics, tests). */
  public static RsmNode start(Config config, MachineRegistry registry, StepObserver observer) {
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), config.getString("rsm.node.system-name"), config);
    } catch (RuntimeException e) {
      // Pekko has terminated the half-started system already. Binding Artery's port is what
      // fails here in practice; anything else is named by its own message.
      boolean bind = false;
      for (Throwable t = e; t != null; t = t.getCause()) bind |= t instanceof java.net.BindException;
      throw failure(bind ? "remoting (Artery) port " + arteryAddress(config) : "the actor system", e);
    }
    String part = "the cluster";
    try {
      Cluster cluster = Cluster.get(system);
      if (config.getStringList("pekko.cluster.seed-nodes").isEmpty())
        cluster.manager().tell(Join.create(cluster.selfMember().address())); // a single node joins itself
      if (config.getBoolean("rsm.node.management")) {
        part = "management HTTP port " + managementAddress(config);
        PekkoManagement.get(system).start().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      part = "the machines (journal database " + StoreDurability.redact(config.getString("rsm.storage.jdbc.url")) + ")";
      ShardedRuntime runtime = ShardedRuntime.start(system, registry, RuntimeSettings.create(system),
          FaultInjector.NONE, observer);
      HttpSettings http = HttpSettings.fromConfig(config);
      part = "HTTP port " + http.hostname() + ":" + http.port();
      ServerBinding binding = Http.get(system).newServerAt(http.hostname(), http.port())
          .bind(new MachineRoutes(runtime.machines(), http).route())
          .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      Duration deadline = config.getDuration("rsm.http.shutdown-deadline");
      binding.addToCoordinatedShutdown(deadline, system);
      if (config.getBoolean("rsm.node.management"))
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-management",
            () -> PekkoManagement.get(system).stop().thenApply(d -> Done.getInstance()));
      system.log().info("RSM node up: HTTP on {}, machine types {}", binding.localAddress(),
          registry.types().stream().map(t -> t.name()).toList());
      return new RsmNode(system, runtime, binding);
    } catch (Exception e) {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception stillStopping) {
        // reported below: the start failure is what matters
      }
      throw failure(part, e);
    }
  }

  /**
   * "could not start the node: {@code part} is in use" when a port was taken, else "could not
   * start the node: {@code part}: {@code the innermost cause's message}", on one line.
   */
  static IllegalStateException failure(String part, Throwable e) {
    Throwable root = e;
    boolean portTaken = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      root = t;
      if (t instanceof java.net.BindException && String.valueOf(t.getMessage()).contains("in use")) portTaken = true;
    }
    String why = portTaken ? " is in use" : ": " + (root.getMessage() != null ? root.getMessage() : root.toString());
    return new IllegalStateException(("could not start the node: " + part + why).replaceAll("\\s*[\\r\\n]+\\s*", " "), e);
  }

  private static String arteryAddress(Config config) {
    String host = config.getString("pekko.remote.artery.bind.hostname");
    String port = config.getString("pekko.remote.artery.bind.port");
    return (host.isEmpty() ? config.getString("pekko.remote.artery.canonical.hostname") : host) + ":"
        + (port.isEmpty() ? config.getString("pekko.remote.artery.canonical.port") : port);
  }

  private static String managementAddress(Config config) {
    String host = config.getString("pekko.management.http.bind-hostname");
    String port = config.getString("pekko.management.http.bind-port");
    return (host.isEmpty() ? config.getString("pekko.management.http.hostname") : host) + ":"
        + (port.isEmpty() ? config.getString("pekko.management.http.port") : port);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Machines machines() {
    return runtime.machines();
  }

  /** The port the HTTP ingress is bound to (useful with {@code rsm.http.port = 0}). */
  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** Runs CoordinatedShutdown (graceful: unbind, hand off shards, leave) and waits for it. */
  @Override
  public void close() {
    CompletableFuture<Done> done = system.getWhenTerminated().toCompletableFuture();
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
    done.join();
  }
}
