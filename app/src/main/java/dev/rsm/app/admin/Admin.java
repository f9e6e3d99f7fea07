package dev.rsm.app.admin;

import dev.rsm.app.monitor.ReplicaMonitorSingleton;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.StepObserver;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The admin API's view of its node: the {@link RecentRejections} the node's machines report into
 * from the start, and, once the node's machines are up ({@link #started}), what the API reads.
 * Pekko Management serves the routes ({@link AdminRoutes}) before the machines start; until then
 * they answer 503.
 */
public final class Admin implements Extension {
  private static final Id ID = new Id();

  private static final class Id extends AbstractExtensionId<Admin> {
    @Override
    public Admin createExtension(ExtendedActorSystem system) {
      return new Admin(Adapter.toTyped(system));
    }
  }

  /** What the routes read once the machines are up; the monitor is null when this node does not offer to run it. */
  record Node(MachineRegistry registry, AdminReads reads, ActorRef<ReplicaMonitorSingleton.Command> monitor) {}

  private final ActorSystem<?> system;
  private final AdminSettings settings;
  private final RecentRejections rejections;
  private volatile Node node;

  private Admin(ActorSystem<?> system) {
    this.system = system;
    this.settings = AdminSettings.fromConfig(system.settings().config());
    this.rejections = new RecentRejections(settings.recentRejections());
  }

  public static Admin get(ActorSystem<?> system) {
    return ID.get(system.classicSystem());
  }

  /** The observer to start the node's machines with: records rejections here, then calls {@code next}. */
  public StepObserver observer(StepObserver next) {
    return rejections.andThen(next);
  }

  /**
   * The node's machines are up: the API answers from now on. {@code monitor} is the replica
   * monitor's singleton proxy, or null when this node does not offer to run it.
   */
  public void started(MachineRegistry registry, ActorRef<ReplicaMonitorSingleton.Command> monitor) {
    if (!settings.enabled() || node != null) return;
    AdminReads reads = new AdminReads(system, registry, settings.readThreads());
    // On termination rather than in CoordinatedShutdown: a node that is stopped abruptly (tests crash
    // nodes) must not leave the threads and connections behind either.
    system.getWhenTerminated().thenRun(reads::close);
    AdminPeers.start(system, rejections, registry);
    node = new Node(registry, reads, monitor);
  }

  AdminSettings settings() {
    return settings;
  }

  RecentRejections rejections() {
    return rejections;
  }

  /** Null until {@link #started}. */
  Node node() {
    return node;
  }

  ActorSystem<?> system() {
    return system;
  }
}
