package dev.rsm.persistence;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The settings of the machine runtime, read from {@code rsm.persistence} (every key is documented
 * in this module's {@code reference.conf}). Every field has a {@code withX} that returns a modified
 * copy, validated as {@link #fromConfig} validates (an invalid value throws {@link
 * IllegalArgumentException}).
 */
public final class RuntimeSettings {
  private final int snapshotEvery;
  private final boolean recoverFromSnapshots;
  private final boolean adoptJournaledOutputs;
  private final int maxAttempts;
  private final int idempotencyMaxKeys;
  private final Duration idempotencyRetention;
  // Read on every step that stores a key (and every replayed one): converted once.
  private final long idempotencyRetentionMillis;
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

  private RuntimeSettings(Builder b) {
    this.snapshotEvery = b.snapshotEvery;
    this.recoverFromSnapshots = b.recoverFromSnapshots;
    this.adoptJournaledOutputs = b.adoptJournaledOutputs;
    this.maxAttempts = b.maxAttempts;
    this.idempotencyMaxKeys = b.idempotencyMaxKeys;
    this.idempotencyRetention = Objects.requireNonNull(b.idempotencyRetention, "idempotencyRetention");
    this.idempotencyRetentionMillis = idempotencyRetention.toMillis();
    this.idempotencyRefuseWhenFull = b.idempotencyRefuseWhenFull;
    this.window = b.window;
    this.maxUnacked = b.maxUnacked;
    this.resendInterval = Objects.requireNonNull(b.resendInterval, "resendInterval");
    this.resendMaxBackoff = Objects.requireNonNull(b.resendMaxBackoff, "resendMaxBackoff");
    this.passivateAfter = Objects.requireNonNull(b.passivateAfter, "passivateAfter");
    this.hibernateAfter = Objects.requireNonNull(b.hibernateAfter, "hibernateAfter");
    this.restartMinBackoff = Objects.requireNonNull(b.restartMinBackoff, "restartMinBackoff");
    this.restartMaxBackoff = Objects.requireNonNull(b.restartMaxBackoff, "restartMaxBackoff");
    this.askTimeout = Objects.requireNonNull(b.askTimeout, "askTimeout");
    this.timerMaxSchedulerDelay = Objects.requireNonNull(b.timerMaxSchedulerDelay, "timerMaxSchedulerDelay");
    this.maxStepsPerWrite = b.maxStepsPerWrite;
    validate();
  }

  /** The fields of a settings object being built, by name: no positional parameters to mix up. */
  private static final class Builder {
    int snapshotEvery;
    boolean recoverFromSnapshots;
    boolean adoptJournaledOutputs;
    int maxAttempts;
    int idempotencyMaxKeys;
    Duration idempotencyRetention;
    boolean idempotencyRefuseWhenFull;
    int window;
    int maxUnacked;
    Duration resendInterval;
    Duration resendMaxBackoff;
    Duration passivateAfter;
    Duration hibernateAfter;
    Duration restartMinBackoff;
    Duration restartMaxBackoff;
    Duration askTimeout;
    Duration timerMaxSchedulerDelay;
    int maxStepsPerWrite;

    Builder() {}

    Builder(RuntimeSettings s) {
      snapshotEvery = s.snapshotEvery;
      recoverFromSnapshots = s.recoverFromSnapshots;
      adoptJournaledOutputs = s.adoptJournaledOutputs;
      maxAttempts = s.maxAttempts;
      idempotencyMaxKeys = s.idempotencyMaxKeys;
      idempotencyRetention = s.idempotencyRetention;
      idempotencyRefuseWhenFull = s.idempotencyRefuseWhenFull;
      window = s.window;
      maxUnacked = s.maxUnacked;
      resendInterval = s.resendInterval;
      resendMaxBackoff = s.resendMaxBackoff;
      passivateAfter = s.passivateAfter;
      hibernateAfter = s.hibernateAfter;
      restartMinBackoff = s.restartMinBackoff;
      restartMaxBackoff = s.restartMaxBackoff;
      askTimeout = s.askTimeout;
      timerMaxSchedulerDelay = s.timerMaxSchedulerDelay;
      maxStepsPerWrite = s.maxStepsPerWrite;
    }
  }

  public static RuntimeSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config().getConfig("rsm.persistence"));
  }

  /** @param c the {@code rsm.persistence} section */
  public static RuntimeSettings fromConfig(Config c) {
    Builder b = new Builder();
    b.snapshotEvery = c.getInt("snapshot-every");
    b.recoverFromSnapshots = c.getBoolean("recover-from-snapshots");
    b.adoptJournaledOutputs = c.getBoolean("adopt-journaled-outputs");
    b.maxAttempts = c.getInt("max-attempts");
    b.idempotencyMaxKeys = c.getInt("idempotency.max-keys");
    b.idempotencyRetention = c.getDuration("idempotency.retention");
    b.idempotencyRefuseWhenFull = whenFull(c.getString("idempotency.when-full"));
    b.window = c.getInt("delivery.window");
    b.maxUnacked = c.getInt("delivery.max-unacked");
    b.resendInterval = c.getDuration("delivery.resend-interval");
    b.resendMaxBackoff = c.getDuration("delivery.resend-max-backoff");
    b.passivateAfter = c.getDuration("passivate-after");
    b.hibernateAfter =
        c.getString("hibernate-after").equals("off") ? Duration.ZERO : c.getDuration("hibernate-after");
    b.restartMinBackoff = c.getDuration("restart.min-backoff");
    b.restartMaxBackoff = c.getDuration("restart.max-backoff");
    b.askTimeout = c.getDuration("ask-timeout");
    b.timerMaxSchedulerDelay = c.getDuration("timers.max-scheduler-delay");
    b.maxStepsPerWrite = c.getInt("group-commit.max-steps");
    return new RuntimeSettings(b);
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

  /** A copy with {@code change} applied, validated as {@link #fromConfig} validates. */
  private RuntimeSettings with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return new RuntimeSettings(b);
  }

  /** {@code snapshot-every}; 0 disables snapshots. */
  public RuntimeSettings withSnapshotEvery(int n) {
    return with(b -> b.snapshotEvery = n);
  }

  /** {@code recover-from-snapshots}. */
  public RuntimeSettings withRecoverFromSnapshots(boolean on) {
    return with(b -> b.recoverFromSnapshots = on);
  }

  /** {@code adopt-journaled-outputs}. */
  public RuntimeSettings withAdoptJournaledOutputs(boolean on) {
    return with(b -> b.adoptJournaledOutputs = on);
  }

  /** {@code max-attempts}. */
  public RuntimeSettings withMaxAttempts(int n) {
    return with(b -> b.maxAttempts = n);
  }

  /** {@code idempotency.max-keys}. */
  public RuntimeSettings withIdempotencyMaxKeys(int n) {
    return with(b -> b.idempotencyMaxKeys = n);
  }

  /** {@code idempotency.retention}. */
  public RuntimeSettings withIdempotencyRetention(Duration d) {
    return with(b -> b.idempotencyRetention = d);
  }

  /** {@code idempotency.when-full}: true for {@code refuse}, false for {@code evict-oldest}. */
  public RuntimeSettings withIdempotencyRefuseWhenFull(boolean refuse) {
    return with(b -> b.idempotencyRefuseWhenFull = refuse);
  }

  /** {@code delivery.window}. */
  public RuntimeSettings withWindow(int n) {
    return with(b -> b.window = n);
  }

  /** {@code delivery.max-unacked}. */
  public RuntimeSettings withMaxUnacked(int n) {
    return with(b -> b.maxUnacked = n);
  }

  /** {@code delivery.resend-interval}. */
  public RuntimeSettings withResendInterval(Duration d) {
    return with(b -> b.resendInterval = d);
  }

  /** {@code delivery.resend-max-backoff}. */
  public RuntimeSettings withResendMaxBackoff(Duration d) {
    return with(b -> b.resendMaxBackoff = d);
  }

  /** {@code passivate-after}. */
  public RuntimeSettings withPassivateAfter(Duration d) {
    return with(b -> b.passivateAfter = d);
  }

  /** {@code hibernate-after}; {@link Duration#ZERO} is {@code off}. */
  public RuntimeSettings withHibernateAfter(Duration d) {
    return with(b -> b.hibernateAfter = d);
  }

  /** {@code restart.min-backoff}. */
  public RuntimeSettings withRestartMinBackoff(Duration d) {
    return with(b -> b.restartMinBackoff = d);
  }

  /** {@code restart.max-backoff}. */
  public RuntimeSettings withRestartMaxBackoff(Duration d) {
    return with(b -> b.restartMaxBackoff = d);
  }

  /** {@code ask-timeout}. */
  public RuntimeSettings withAskTimeout(Duration d) {
    return with(b -> b.askTimeout = d);
  }

  /** {@code timers.max-scheduler-delay}. */
  public RuntimeSettings withTimerMaxSchedulerDelay(Duration d) {
    return with(b -> b.timerMaxSchedulerDelay = d);
  }

  /** {@code group-commit.max-steps}. */
  public RuntimeSettings withMaxStepsPerWrite(int n) {
    return with(b -> b.maxStepsPerWrite = n);
  }

  public int snapshotEvery() { return snapshotEvery; }
  public boolean recoverFromSnapshots() { return recoverFromSnapshots; }
  public boolean adoptJournaledOutputs() { return adoptJournaledOutputs; }
  public int maxAttempts() { return maxAttempts; }
  public int idempotencyMaxKeys() { return idempotencyMaxKeys; }
  public Duration idempotencyRetention() { return idempotencyRetention; }
  /** {@link #idempotencyRetention()} in milliseconds. */
  public long idempotencyRetentionMillis() { return idempotencyRetentionMillis; }
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
