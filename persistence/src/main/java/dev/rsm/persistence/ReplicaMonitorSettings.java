package dev.rsm.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The replica monitor's settings, from {@code rsm.replica-monitor} (documented in the persistence
 * module's {@code reference.conf}) and {@code rsm.persistence.snapshot-every}.
 */
public record ReplicaMonitorSettings(
    boolean enabled,
    Duration pollInterval,
    int batchSize,
    int maxMachines,
    Duration gapTimeout,
    boolean fromBeginning,
    Duration snapshotCheckDelay,
    Duration logInterval,
    int snapshotEvery) {

  public ReplicaMonitorSettings {
    if (batchSize < 1) throw new IllegalArgumentException("rsm.replica-monitor.batch-size must be at least 1");
    if (maxMachines < 1) throw new IllegalArgumentException("rsm.replica-monitor.max-machines must be at least 1");
  }

  /** Reads a resolved configuration (a node's, see {@link RsmConfig#load}). */
  public static ReplicaMonitorSettings create(Config config) {
    Config c = config.getConfig("rsm.replica-monitor");
    String start = c.getString("start-from");
    if (!start.equals("end") && !start.equals("beginning"))
      throw new IllegalArgumentException("rsm.replica-monitor.start-from must be end or beginning, not " + start);
    return new ReplicaMonitorSettings(
        c.getBoolean("enabled"),
        c.getDuration("poll-interval"),
        c.getInt("batch-size"),
        c.getInt("max-machines"),
        c.getDuration("gap-timeout"),
        start.equals("beginning"),
        c.getDuration("snapshot-check-delay"),
        c.getDuration("log-interval"),
        config.getInt("rsm.persistence.snapshot-every"));
  }
}
