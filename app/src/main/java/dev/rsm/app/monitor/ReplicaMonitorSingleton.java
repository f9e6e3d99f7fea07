package dev.rsm.app.monitor;

import dev.rsm.app.metrics.RsmMetrics;
import dev.rsm.persistence.MachineRegistry;
import dev.rsm.persistence.ReplicaMonitor;
import dev.rsm.persistence.ReplicaMonitorStatus;
import dev.rsm.persistence.internal.RsmSerializable;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
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
  /** What the singleton is sent, through the proxy {@link #init} returns. */
  public sealed interface Command {}

  /** Stop (hand-over, shutdown). Local only, never serialized. */
  enum Stop implements Command { INSTANCE }

  /** Asks for the monitor's status (the admin API), from any node. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command, RsmSerializable {}

  /** The monitor's status and the node that runs it. */
  public record Status(String node, ReplicaMonitorStatus status) implements RsmSerializable {}

  private ReplicaMonitorSingleton() {}

  /**
   * Offers this node to run the monitor of {@code registry}'s machine types; returns the proxy
   * that reaches it wherever it runs.
   */
  public static ActorRef<Command> init(ActorSystem<?> system, MachineRegistry registry) {
    Behavior<Command> monitor = Behaviors.supervise(behavior(registry))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(monitor, "rsm-replica-monitor").withStopMessage(Stop.INSTANCE));
  }

  /**
   * The monitor's counts and lag at {@code /metrics} of the node that runs it (docs/observability.md):
   * a divergence is an alert; the lag says how far behind the journal it checks.
   */
  private static List<Meter> meters(MeterRegistry r, ReplicaMonitor monitor) {
    return List.of(
        FunctionCounter.builder("rsm.replica.monitor.steps.checked", monitor, m -> m.status().stepsChecked())
            .description("Steps the replica monitor re-ran and compared with the journal").register(r),
        FunctionCounter.builder("rsm.replica.monitor.divergences", monitor, m -> m.status().divergences())
            .description("Steps whose re-run differed from what was journaled (each logged at ERROR)").register(r),
        Gauge.builder("rsm.replica.monitor.lag.rows", monitor, m -> m.status().rowsBehind())
            .description("Journal rows written but not yet checked").register(r),
        TimeGauge.builder("rsm.replica.monitor.lag", monitor, TimeUnit.MILLISECONDS, m -> m.status().millisBehind())
            .description("Age of the oldest journal row not yet checked").register(r));
  }

  private static Behavior<Command> behavior(MachineRegistry registry) {
    return Behaviors.setup(ctx -> {
      // Polls on a thread of its own (JDBC blocks); the actor only owns its lifetime.
      ReplicaMonitor monitor = ReplicaMonitor.start(ctx.getSystem(), registry);
      String node = ctx.getSystem().address().toString();
      List<Meter> meters = RsmMetrics.get(ctx.getSystem()).registry().map(r -> meters(r, monitor)).orElse(List.of());
      return Behaviors.receive(Command.class)
          .onMessage(Stop.class, s -> Behaviors.stopped())
          .onMessage(GetStatus.class, g -> {
            g.replyTo().tell(new Status(node, monitor.status()));
            return Behaviors.same();
          })
          .onSignal(PostStop.class, s -> {
            // The meters go with the monitor: the node it moves to registers its own.
            RsmMetrics.get(ctx.getSystem()).registry().ifPresent(r -> meters.forEach(r::remove));
            monitor.close();
            return Behaviors.same();
          })
          .build();
    });
  }
}
