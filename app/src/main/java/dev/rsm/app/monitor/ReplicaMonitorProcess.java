package dev.rsm.app.monitor;

import com.typesafe.config.Config;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.ReplicaMonitor;
import dev.rsm.persistence.ReplicaMonitorStatus;
import dev.rsm.persistence.StoreDurability;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The {@link ReplicaMonitor} in a process of its own ({@code java -jar rsm.jar --replica-monitor}
 * with a node's configuration): a local ActorSystem, for serialization only — no cluster, no
 * machines, no HTTP — and the monitor reading the configured journal database. It must be a
 * database other processes can read: PostgreSQL, not an embedded H2 file that a node holds open.
 * SIGTERM stops it through CoordinatedShutdown, which logs the final counts.
 */
public final class ReplicaMonitorProcess implements AutoCloseable {
  /** Above a profile's settings: whatever the node's configuration says, this process joins no cluster. */
  public static final String SETTINGS = "pekko.actor.provider = local\n";

  private final ActorSystem<Void> system;
  private final ReplicaMonitor monitor;

  private ReplicaMonitorProcess(ActorSystem<Void> system, ReplicaMonitor monitor) {
    this.system = system;
    this.monitor = monitor;
  }

  /**
   * Starts the monitor of {@code registry}'s machine types on the journal of {@code config} (resolved,
   * with {@link #SETTINGS} layered above the profile, see {@link dev.rsm.persistence.RsmConfig#load}).
   *
   * @throws IllegalStateException naming what failed, the ActorSystem terminated
   */
  public static ReplicaMonitorProcess start(Config config, MachineRegistry registry) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), config.getString("rsm.node.system-name") + "-monitor", config);
    try {
      ReplicaMonitor monitor = ReplicaMonitor.start(system, registry);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
          "stop-replica-monitor", () -> CompletableFuture.supplyAsync(() -> {
            monitor.close();
            return Done.getInstance();
          }));
      system.log().info("RSM replica monitor process up, journal database {}",
          StoreDurability.redact(config.getString("rsm.storage.jdbc.url")));
      return new ReplicaMonitorProcess(system, monitor);
    } catch (RuntimeException e) {
      system.terminate();
      throw new IllegalStateException("could not start the replica monitor: " + e.getMessage(), e);
    }
  }

  public ReplicaMonitorStatus status() {
    return monitor.status();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  @Override
  public void close() {
    CompletableFuture<Done> done = system.getWhenTerminated().toCompletableFuture();
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
    done.join();
  }
}
