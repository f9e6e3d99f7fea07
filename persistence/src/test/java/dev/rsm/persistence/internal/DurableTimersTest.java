package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.Protocol.TimerFired;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scheduler side of durable timers: a firing scheduled until its deadline, in chunks no longer
 * than max-scheduler-delay; re-arming replaces and cancelling cancels; a hibernating machine keeps
 * only its first timer's firing.
 */
class DurableTimersTest {
  static final long NOW = 1_000_000;
  final RecordingContext rec = new RecordingContext();
  final DurableTimers timers = new DurableTimers(rec.ctx,
      RuntimeSettings.fromConfig(ConfigFactory.load().getConfig("rsm.persistence"))
          .withTimerMaxSchedulerDelay(Duration.ofHours(1)),
      Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

  @Test
  void aFiringIsScheduledUntilItsDeadlineInChunks() {
    timers.armOrCancel("soon", new Armed("soon", 3, NOW + 5_000, "x"));
    timers.armOrCancel("far", new Armed("far", 4, NOW + Duration.ofDays(400).toMillis(), "y"));
    assertEquals(Duration.ofSeconds(5), rec.scheduled.get(0).delay);
    assertEquals(new TimerFired("soon", 3), rec.scheduled.get(0).message);
    assertEquals(Duration.ofHours(1), rec.scheduled.get(1).delay, "capped: the firing re-arms when it comes early");
    timers.armOrCancel("late", new Armed("late", 5, NOW - 10, "z"));
    assertEquals(Duration.ZERO, rec.scheduled.get(2).delay, "a deadline passed fires at once");
  }

  @Test
  void reArmingReplacesAndCancellingCancels() {
    timers.armOrCancel("t", new Armed("t", 1, NOW + 1_000, "x"));
    timers.armOrCancel("t", new Armed("t", 2, NOW + 2_000, "x"));
    assertEquals(List.of(new TimerFired("t", 2)), rec.live());
    timers.armOrCancel("t", null);
    assertEquals(List.of(), rec.live());
    timers.armOrCancel("u", new Armed("u", 3, NOW + 1_000, "x"));
    timers.cancelAll();
    assertTrue(rec.live().isEmpty());
  }

  @Test
  void aHibernatingMachineKeepsOnlyItsFirstTimersFiring() {
    timers.wakeForFirst(Map.of(
        "b", new Armed("b", 7, NOW + 9_000, "x"),
        "a", new Armed("a", 8, NOW + 2_000, "y")));
    assertEquals(List.of(new TimerFired("a", 8)), rec.live());
    assertEquals(Duration.ofSeconds(2), rec.scheduled.get(0).delay);
  }
}
