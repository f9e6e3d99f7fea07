package dev.rsm.persistence;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The settings of the machine runtime, read from {@code rsm.persistence} (every key is documented
 * in this module's {@code reference.conf}). {@code withX} methods return a modified copy.
 */
public final class RuntimeSettings {
  private final int snapshotEvery;
  private final boolean recoverFromSnapshots;
  private final boolean adoptJournaledOutputs;
  private final int maxAttempts;
  private final int idempotencyMaxKeys;
  private final Duration idempotencyRetention;
  private final boolean idempotencyRefuseWhenFull;
  private final int window;
  private final int maxUnacked;
  private final Duration resendInterval;
  private final Duration resendMaxBackoff;
  private final Duration passivateAfter;
  private final Duration hibernateAfter;
  private final Duration restartMinBackoff;
  private final Duration restartMaxBackoff;
  private final Duration askTimeout;
  private final Duration timerMaxSchedulerDelay;
  private final int maxStepsPerWrite;

  private RuntimeSettings(
      int snapshotEvery, boolean recoverFromSnapshots, boolean adoptJournaledOutputs,
      int maxAttempts, int idempotencyMaxKeys, Duration idempotencyRetention,
      boolean idempotencyRefuseWhenFull, int window,
      int maxUnacked, Duration resendInterval, Duration resendMaxBackoff, Duration passivateAfter,
      Duration hibernateAfter,
      Duration restartMinBackoff, Duration restartMaxBackoff, Duration askTimeout,
      Duration timerMaxSchedulerDelay, int maxStepsPerWrite) {
    this.snapshotEvery = snapshotEvery;
    this.recoverFromSnapshots = recoverFromSnapshots;
    this.adoptJournaledOutputs = adoptJournaledOutputs;
    this.maxAttempts = maxAttempts;
    this.idempotencyMaxKeys = idempotencyMaxKeys;
    this.idempotencyRetention = idempotencyRetention;
    this.idempotencyRefuseWhenFull = idempotencyRefuseWhenFull;
    this.window = window;
    this.maxUnacked = maxUnacked;
    this.resendInterval = resendInterval;
    this.resendMaxBackoff = resendMaxBackoff;
    this.passivateAfter = passivateAfter;
    this.hibernateAfter = hibernateAfter;
    this.restartMinBackoff = restartMinBackoff;
    this.restartMaxBackoff = restartMaxBackoff;
    this.askTimeout = askTimeout;
    this.timerMaxSchedulerDelay = timerMaxSchedulerDelay;
    this.maxStepsPerWrite = maxStepsPerWrite;
  }

  public static RuntimeSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config().getConfig("rsm.persistence"));
  }

  /** @param c the {@code rsm.persistence} section */
  public static RuntimeSettings fromConfig(Config c) {
    RuntimeSettings s = new RuntimeSettings(
        c.getInt("snapshot-every"),
        c.getBoolean("recover-from-snapshots"),
        c.getBoolean("adopt-journaled-outputs"),
        c.getInt("max-attempts"),
        c.getInt("idempotency.max-keys"),
        c.getDuration("idempotency.retention"),
        whenFull(c.getString("idempotency.when-full")),
        c.getInt("delivery.window"),
        c.getInt("delivery.max-unacked"),
        c.getDuration("delivery.resend-interval"),
        c.getDuration("delivery.resend-max-backoff"),
        c.getDuration("passivate-after"),
        c.getString("hibernate-after").equals("off") ? Duration.ZERO : c.getDuration("hibernate-after"),
        c.getDuration("restart.min-backoff"),
        c.getDuration("restart.max-backoff"),
        c.getDuration("ask-timeout"),
        c.getDuration("timers.max-scheduler-delay"),
        c.getInt("group-commit.max-steps"));
    s.validate();
    return s;
  }

  private static boolean whenFull(String v) {
    return switch (v) {
      case "refuse" -> true;
      case "evict-oldest" -> false;
      default -> throw new IllegalArgumentException(
          "rsm.persistence.idempotency.when-full must be refuse or evict-oldest, not '" + v + "'");
    };
  }

  private void validate() {
    require(snapshotEvery >= 0, "snapshot-every must be >= 0 (0 disables snapshots)");
    require(!passivateAfter.isNegative() && !passivateAfter.isZero(), "passivate-after must be > 0");
    require(!hibernateAfter.isNegative(), "hibernate-after must be > 0 or off");
    require(maxAttempts >= 1, "max-attempts must be >= 1");
    require(maxStepsPerWrite >= 1, "group-commit.max-steps must be >= 1 (1 writes every step alone)");
    require(idempotencyMaxKeys >= 1, "idempotency.max-keys must be >= 1");
    require(window >= 1, "delivery.window must be >= 1");
    require(maxUnacked >= window, "delivery.max-unacked must be >= delivery.window");
    require(!timerMaxSchedulerDelay.isNegative() && !timerMaxSchedulerDelay.isZero()
            && timerMaxSchedulerDelay.compareTo(Duration.ofDays(200)) <= 0,
        "timers.max-scheduler-delay must be > 0 and <= 200d");
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException("rsm.persistence." + message);
  }

  private RuntimeSettings copy(int snapshotEvery, boolean recoverFromSnapshots,
      boolean adoptJournaledOutputs, int maxAttempts, int idempotencyMaxKeys) {
    return new RuntimeSettings(snapshotEvery, recoverFromSnapshots, adoptJournaledOutputs,
        maxAttempts, idempotencyMaxKeys, idempotencyRetention, idempotencyRefuseWhenFull, window,
        maxUnacked, resendInterval,
        resendMaxBackoff, passivateAfter, hibernateAfter, restartMinBackoff, restartMaxBackoff, askTimeout,
        timerMaxSchedulerDelay, maxStepsPerWrite);
  }

  public RuntimeSettings withSnapshotEvery(int n) {
    return copy(n, recoverFromSnapshots, adoptJournaledOutputs, maxAttempts, idempotencyMaxKeys);
  }

  public RuntimeSettings withRecoverFromSnapshots(boolean on) {
    return copy(snapshotEvery, on, adoptJournaledOutputs, maxAttempts, idempotencyMaxKeys);
  }

  public RuntimeSettings withAdoptJournaledOutputs(boolean on) {
    return copy(snapshotEvery, recoverFromSnapshots, on, maxAttempts, idempotencyMaxKeys);
  }

  public int snapshotEvery() { return snapshotEvery; }
  public boolean recoverFromSnapshots() { return recoverFromSnapshots; }
  public boolean adoptJournaledOutputs() { return adoptJournaledOutputs; }
  public int maxAttempts() { return maxAttempts; }
  public int idempotencyMaxKeys() { return idempotencyMaxKeys; }
  public Duration idempotencyRetention() { return idempotencyRetention; }
  /** {@code idempotency.when-full = refuse}: a new key beyond max-keys is refused, not evicting one. */
  public boolean idempotencyRefuseWhenFull() { return idempotencyRefuseWhenFull; }
  public int window() { return window; }
  public int maxUnacked() { return maxUnacked; }
  public Duration resendInterval() { return resendInterval; }
  public Duration resendMaxBackoff() { return resendMaxBackoff; }
  public Duration passivateAfter() { return passivateAfter; }
  /** Zero when off. */
  public Duration hibernateAfter() { return hibernateAfter; }
  public Duration restartMinBackoff() { return restartMinBackoff; }
  public Duration restartMaxBackoff() { return restartMaxBackoff; }
  public Duration askTimeout() { return askTimeout; }
  public Duration timerMaxSchedulerDelay() { return timerMaxSchedulerDelay; }
  public int maxStepsPerWrite() { return maxStepsPerWrite; }
}
