package dev.rsm.app.monitor;

import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.ReplicaMonitor;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The {@link ReplicaMonitor} as a cluster singleton: every node with {@code
 * rsm.replica-monitor.enabled = on} offers to run it, and Pekko runs it on one (the oldest
 * member); when that node leaves or dies, the next oldest starts a fresh monitor, which starts at
 * the journal's end and rebuilds each machine that writes from its journal's first row (so no
 * step is left unchecked for a machine that writes again). Its log lines and counts are that
 * node's.
 */
public final class ReplicaMonitorSingleton {
  /** The singleton's only message: stop (hand-over, shutdown). Local only, never serialized. */
  enum Stop { INSTANCE }

  private ReplicaMonitorSingleton() {}

  /** Offers this node to run the monitor of {@code registry}'s machine types. */
  public static void init(ActorSystem<?> system, MachineRegistry registry) {
    Behavior<Stop> monitor = Behaviors.supervise(behavior(registry))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    ClusterSingleton.get(system).init(SingletonActor.of(monitor, "rsm-replica-monitor").withStopMessage(Stop.INSTANCE));
  }

  private static Behavior<Stop> behavior(MachineRegistry registry) {
    return Behaviors.setup(ctx -> {
      // Polls on a thread of its own (JDBC blocks); the actor only owns its lifetime.
      ReplicaMonitor monitor = ReplicaMonitor.start(ctx.getSystem(), registry);
      return Behaviors.receive(Stop.class)
          .onMessage(Stop.class, s -> Behaviors.stopped())
          .onSignal(PostStop.class, s -> {
            monitor.close();
            return Behaviors.same();
          })
          .build();
    });
  }
}
