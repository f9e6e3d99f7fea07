package dev.rsm.persistence;

import dev.rsm.persistence.internal.ReplicaFollower;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standby that follows the journal and re-runs every step the machines take, with the handlers
 * deployed where it runs, on its own copy of each machine's state; it compares the sends, timers
 * and reply with the journaled ones, and the state with each snapshot the machine writes. The
 * first difference of a machine — a handler that is not deterministic, a deploy that changed
 * behaviour, a row written on a wrong state — is logged at ERROR within a poll or two of the row's
 * commit:
 *
 * <pre>
 * replica monitor: machine flaky/x diverged at step 4 (journal row 3): journaled reply 10, replay produced reply 11
 * </pre>
 *
 * <p>and counted ({@link #status()}, the JMX MBean {@code dev.rsm:type=ReplicaMonitor,name=<system>}).
 * A diverged machine is not followed further, so one bug is one report. The monitor's lag behind
 * the journal is in its status and logged at INFO every {@code rsm.replica-monitor.log-interval}.
 *
 * <p>It reads the journal with plain JDBC (one connection, {@code rsm.storage.jdbc}) on a thread of
 * its own, so it may run on a node (a node starts it as a cluster singleton when {@code
 * rsm.replica-monitor.enabled = on}) or in a process of its own. What it catches and what it
 * cannot: docs/replica-monitor.md.
 */
public final class ReplicaMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaMonitor.class);

  private final ReplicaFollower follower;
  private final ReplicaMonitorSettings settings;
  private final ScheduledExecutorService thread;
  private final ObjectName mbean;
  private volatile boolean stopped;
  private long lastLog;
  private long failures;

  private ReplicaMonitor(ReplicaFollower follower, ReplicaMonitorSettings settings, String name) {
    this.follower = follower;
    this.settings = settings;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rsm-replica-monitor");
      t.setDaemon(true);
      return t;
    });
    this.mbean = register(name);
  }

  /**
   * Starts following the journal configured in {@code system}'s configuration ({@code
   * rsm.storage.jdbc}), with the settings of {@code rsm.replica-monitor} (whatever its {@code
   * enabled}), checking the machines of {@code registry}; rows of other machine types are counted
   * as not checked. Stop it with {@link #close()}.
   */
  public static ReplicaMonitor start(ActorSystem<?> system, MachineRegistry registry) {
    ReplicaMonitorSettings settings = ReplicaMonitorSettings.create(system.settings().config());
    ReplicaMonitor m = new ReplicaMonitor(ReplicaFollower.create(system, registry, settings), settings, system.name());
    String from;
    try {
      from = "after ordering " + m.follower.start();
    } catch (java.sql.SQLException e) {
      from = "from its " + (settings.fromBeginning() ? "beginning" : "end") + " once it can be read (" + e + ")";
    }
    LOG.info("replica monitor started: following the journal {}, machine types {}, polling every {} ms", from,
        registry.types().stream().map(t -> t.name()).toList(), settings.pollInterval().toMillis());
    m.lastLog = System.nanoTime();
    m.thread.scheduleWithFixedDelay(m::pollUntilCaughtUp, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    return m;
  }

  private void pollUntilCaughtUp() {
    try {
      while (!stopped && follower.poll() >= settings.batchSize()) {
        logPeriodically();
      }
      failures = 0;
    } catch (Exception e) {
      // The database is down or the connection broke: say so once a while, and try again.
      if (failures++ % 30 == 0) LOG.warn("replica monitor: cannot read the journal: {}; retrying", e.toString());
    } catch (Throwable e) {
      LOG.error("replica monitor: stopped by {}", e.toString(), e);
      throw e;
    }
    logPeriodically();
  }

  private void logPeriodically() {
    long now = System.nanoTime();
    if (now - lastLog < settings.logInterval().toNanos()) return;
    lastLog = now;
    LOG.info("replica monitor: {}", follower.status().summary());
  }

  /** The counts and the lag so far; safe from any thread. */
  public ReplicaMonitorStatus status() {
    return follower.status();
  }

  /** Stops polling (waiting up to 5 s for a poll under way), closes the connection, logs the final counts. */
  @Override
  public void close() {
    if (stopped) return;
    stopped = true;
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    follower.close();
    unregister();
    LOG.info("replica monitor stopped: {}", follower.status().summary());
  }

  /** The JMX view of {@link #status()}. */
  public interface ReplicaMonitorMXBean {
    long getRowsRead();

    long getStepsChecked();

    long getDivergences();

    long getRowsBehind();

    long getMillisBehind();

    int getMachinesHeld();

    String getSummary();
  }

  private ObjectName register(String name) {
    try {
      ObjectName on = new ObjectName("dev.rsm:type=ReplicaMonitor,name=" + ObjectName.quote(name));
      var server = ManagementFactory.getPlatformMBeanServer();
      if (server.isRegistered(on)) return null; // a second monitor in one JVM (tests): status() still works
      server.registerMBean(new ReplicaMonitorMXBean() {
        public long getRowsRead() {
          return status().rowsRead();
        }

        public long getStepsChecked() {
          return status().stepsChecked();
        }

        public long getDivergences() {
          return status().divergences();
        }

        public long getRowsBehind() {
          return status().rowsBehind();
        }

        public long getMillisBehind() {
          return status().millisBehind();
        }

        public int getMachinesHeld() {
          return status().machinesHeld();
        }

        public String getSummary() {
          return status().summary();
        }
      }, on);
      return on;
    } catch (Exception e) {
      LOG.warn("replica monitor: no JMX MBean ({})", e.toString());
      return null;
    }
  }

  private void unregister() {
    if (mbean == null) return;
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
    } catch (Exception ignored) {
      // already gone
    }
  }
}
