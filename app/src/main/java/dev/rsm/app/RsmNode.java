package dev.rsm.app;

import com.typesafe.config.Config;
import dev.rsm.app.admin.Admin;
import dev.rsm.app.admin.AdminRoutes;
import dev.rsm.app.admin.AdminSettings;
import dev.rsm.app.health.Serving;
import dev.rsm.app.http.BearerAuth;
import dev.rsm.app.http.HttpSettings;
import dev.rsm.app.http.MachineRoutes;
import dev.rsm.app.http.OpenApiRoutes;
import dev.rsm.app.http.ServerTls;
import dev.rsm.app.metrics.RsmMetrics;
import dev.rsm.app.monitor.ReplicaMonitorSingleton;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.Machines;
import dev.rsm.persistence.RuntimeOptions;
import dev.rsm.persistence.StepObserver;
import dev.rsm.persistence.StoreDurability;
import dev.rsm.persistence.internal.Tracing;
import dev.rsm.sharding.ShardedRuntime;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * One running node: an ActorSystem in the cluster, the machines on Cluster Sharding, Pekko
 * Management (members, liveness, readiness: {@link Serving}) and the HTTP ingress. {@link Main} starts one from
 * configuration; tests start several in one JVM the same way.
 *
 * <p>The node joins its seed nodes, itself when there are none, or, with {@code
 * rsm.node.bootstrap}, the cluster that Cluster Bootstrap finds or forms (docs/deploy.md).
 *
 * <p>Shutdown goes through {@code CoordinatedShutdown}: the HTTP port is unbound first (no new
 * requests, in-flight ones get up to {@code rsm.http.shutdown-deadline}), then sharding hands its
 * shards off to the remaining nodes, then the node leaves the cluster.
 *
 * <p>Security (docs/security.md): with {@code rsm.http.auth.enabled} every ingress request, and
 * with {@code rsm.node.management-auth} every management request, needs a bearer token; {@code
 * rsm.http.tls.enabled} serves the ingress, and with {@code rsm.node.management-tls} management,
 * over HTTPS. Both are off by default, and the node logs a warning at start-up when the ingress
 * is open.
 *
 * <p>With {@code rsm.metrics.enabled} (the default) the node records metrics and serves them at
 * {@code /metrics} on the management port (see {@link RsmMetrics}, docs/observability.md).
 *
 * <p>With {@code rsm.replica-monitor.enabled} the node offers to run the replica monitor, which
 * runs on one node of the cluster (see {@link ReplicaMonitorSingleton}).
 *
 * <p>With {@code rsm.tracing.enabled} (docs/observability.md) every ingress request, step, journal
 * write and delivery is an OpenTelemetry span, and one request's path across machines and nodes is
 * one trace.
 *
 * <p>The ingress port also serves the contract of the machine types it hosts, {@code
 * /openapi.json}, and its browsable page {@code /openapi/} ({@link OpenApiRoutes},
 * docs/http-api.md).
 *
 * <p>The management port also serves the read-only admin API and the web console ({@link
 * dev.rsm.app.admin.AdminRoutes}, docs/admin-api.md); they answer 503 until the machines are up.
 */
public final class RsmNode implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final ShardedRuntime runtime;
  private final ServerBinding binding;
  private final int managementPort;

  private RsmNode(ActorSystem<Void> system, ShardedRuntime runtime, ServerBinding binding, int managementPort) {
    this.system = system;
    this.runtime = runtime;
    this.binding = binding;
    this.managementPort = managementPort;
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

  /**
   * The same, with a {@link StepObserver} that sees every machine's steps and lifecycle (tests,
   * benchmarks); the node's own metrics, when on, see them first.
   */
  public static RsmNode start(Config config, MachineRegistry registry, StepObserver observer) {
    return start(config, registry, RuntimeOptions.defaults().withObserver(observer));
  }

  /**
   * The same, with the machines' {@link RuntimeOptions}: an observer, and the OpenTelemetry that
   * spans go to when {@code rsm.tracing.enabled} is on (without one, the node's own OTLP exporter
   * of {@code rsm.tracing.otlp}, else the global OpenTelemetry).
   */
  public static RsmNode start(Config config, MachineRegistry registry, RuntimeOptions options) {
    BearerAuth auth;
    Optional<HttpsConnectionContext> tls;
    try { // before the ActorSystem: a misconfigured node fails fast, never joining the cluster
      auth = BearerAuth.fromConfig(config);
      tls = ServerTls.fromConfig(config);
    } catch (RuntimeException e) {
      throw failure("the security configuration (rsm.http.auth, rsm.http.tls)", e);
    }
    boolean managementAuth = auth.enabled() && config.getBoolean("rsm.node.management-auth");
    try {
      ClusterFormation.check(config, managementAuth);
    } catch (RuntimeException e) {
      throw failure("cluster bootstrap (rsm.node.bootstrap)", e);
    }
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
      int managementPort = -1;
      Optional<HttpsConnectionContext> managementTls =
          config.getBoolean("rsm.node.management-tls") ? tls : Optional.empty();
      if (config.getBoolean("rsm.node.management")) {
        part = "management HTTP port " + managementAddress(config);
        managementPort = managementAuth ? bindManagement(system, config, auth, managementTls) : PekkoManagement.get(system)
            .start(s -> managementTls.isPresent() ? s.withHttpsConnectionContext(managementTls.get()) : s)
            .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS).port();
      }
      part = "the cluster";
      ClusterFormation.begin(system, config); // after management: bootstrap's contact point is served there
      part = "tracing (rsm.tracing)";
      RuntimeOptions machineOptions = options.openTelemetry().isPresent() ? options
          : NodeTracing.fromConfig(system, config).map(options::withOpenTelemetry).orElse(options);
      part = "the machines (journal database " + StoreDurability.redact(config.getString("rsm.storage.jdbc.url")) + ")";
      RsmMetrics metrics = RsmMetrics.get(system);
      ShardedRuntime runtime = ShardedRuntime.start(system, registry,
          machineOptions.withObserver(Admin.get(system).observer(metrics.observe(registry, machineOptions.observer()))));
      var monitor = config.getBoolean("rsm.replica-monitor.enabled") ? ReplicaMonitorSingleton.init(system, registry) : null;
      Admin.get(system).started(registry, monitor); // the admin API answered 503 until now
      HttpSettings http = HttpSettings.fromConfig(config);
      part = "HTTP port " + http.hostname() + ":" + http.port();
      ServerBuilder server = Http.get(system).newServerAt(http.hostname(), http.port());
      if (tls.isPresent()) server = server.enableHttps(tls.get());
      MachineRoutes routes = new MachineRoutes(runtime.machines(), http, metrics.ingress(), Tracing.of(system).tracer());
      OpenApiRoutes openApi = new OpenApiRoutes(registry, auth.enabled());
      ServerBinding binding = server.bind(openApi.ui().orElse(auth.protect(() -> openApi.document().orElse(routes.route()))))
          .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      Duration deadline = config.getDuration("rsm.http.shutdown-deadline");
      // Not ready from the first shutdown phase on: probes stop routing here before the unbind.
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "rsm-not-ready", () -> {
        Serving.get(system.classicSystem()).stopping();
        return CompletableFuture.completedFuture(Done.getInstance());
      });
      binding.addToCoordinatedShutdown(deadline, system);
      if (config.getBoolean("rsm.node.management") && !managementAuth)
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-management",
            () -> PekkoManagement.get(system).stop().thenApply(d -> Done.getInstance()));
      if (!auth.enabled())
        system.log().warn("The HTTP ingress is UNAUTHENTICATED (rsm.http.auth.enabled = off): anyone who reaches "
            + "{} can send inputs to every machine. See docs/security.md.", binding.localAddress());
      Serving.get(system.classicSystem()).started();
      system.log().info("RSM node up: {} on {}, machine types {}", tls.isPresent() ? "HTTPS" : "HTTP",
          binding.localAddress(), registry.types().stream().map(t -> t.name()).toList());
      return new RsmNode(system, runtime, binding, managementPort);
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

  /**
   * Pekko Management's routes behind {@code auth}, bound here rather than by {@code
   * PekkoManagement.start()}: its own authenticator takes only HTTP Basic credentials, and one
   * scheme (Bearer) for every endpoint of a node is simpler to operate. Unbound with the ingress.
   */
  private static int bindManagement(ActorSystem<Void> system, Config config, BearerAuth auth,
      Optional<HttpsConnectionContext> tls) throws Exception {
    String host = config.getString("pekko.management.http.bind-hostname");
    String port = config.getString("pekko.management.http.bind-port");
    ServerBuilder server = Http.get(system)
        .newServerAt(host.isEmpty() ? config.getString("pekko.management.http.hostname") : host,
            port.isEmpty() ? config.getInt("pekko.management.http.port") : Integer.parseInt(port));
    if (tls.isPresent()) server = server.enableHttps(tls.get());
    // The console's files hold no data (it asks for a token for /admin): a browser loads them without one.
    ServerBinding b = server
        .bind(AdminRoutes.console(AdminSettings.fromConfig(config), config.getString("pekko.management.http.base-path"))
            .orElse(auth.protect(() -> PekkoManagement.get(system).getRoutes())))
        .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    // As PekkoManagement.stop() would be: health and readiness stay reachable while the node leaves.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-management",
        () -> b.unbind().thenApply(d -> Done.getInstance()));
    return b.localAddress().getPort();
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

  /** The port Pekko Management is bound to, or -1 when {@code rsm.node.management = off}. */
  public int managementPort() {
    return managementPort;
  }

  /** The port the HTTP ingress is bound to (useful with {@code rsm.http.port = 0}). */
  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /**
   * Runs CoordinatedShutdown (graceful: unbind, hand off shards, leave) and waits for it, at most
   * its phases' total timeout: a task that never completes (a node that never became a member
   * leaving a cluster, say) must not keep the caller waiting for ever. Past that bound the actor
   * system is terminated directly; if even that does not finish, close fails saying so.
   */
  @Override
  public void close() {
    CompletableFuture<Done> done = system.getWhenTerminated().toCompletableFuture();
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.runAll(CoordinatedShutdown.unknownReason());
    long bound = shutdown.totalTimeout().toMillis() + 5_000;
    try {
      done.get(bound, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException slow) {
      system.log().error("CoordinatedShutdown did not finish within {} ms; terminating the actor system", bound);
      system.terminate();
      try {
        done.get(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("the node's actor system did not terminate within " + bound + " ms + 30 s", e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the node shut down", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("the node's shutdown failed", e.getCause());
    }
  }
}
