package dev.rsm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every field of {@link RuntimeSettings} has a copy that changes it alone and is validated. */
class RuntimeSettingsTest {
  private static final RuntimeSettings BASE =
      RuntimeSettings.fromConfig(ConfigFactory.load().getConfig("rsm.persistence"));

  /** Every getter, so that a copy can be compared field by field. */
  private static final List<Function<RuntimeSettings, Object>> FIELDS = List.of(
      RuntimeSettings::snapshotEvery, RuntimeSettings::recoverFromSnapshots,
      RuntimeSettings::adoptJournaledOutputs, RuntimeSettings::maxAttempts,
      RuntimeSettings::idempotencyMaxKeys, RuntimeSettings::idempotencyRetention,
      RuntimeSettings::idempotencyRefuseWhenFull, RuntimeSettings::window,
      RuntimeSettings::maxUnacked, RuntimeSettings::resendInterval,
      RuntimeSettings::resendMaxBackoff, RuntimeSettings::passivateAfter,
      RuntimeSettings::hibernateAfter, RuntimeSettings::restartMinBackoff,
      RuntimeSettings::restartMaxBackoff, RuntimeSettings::askTimeout,
      RuntimeSettings::timerMaxSchedulerDelay, RuntimeSettings::maxStepsPerWrite);

  private record Change(Function<RuntimeSettings, RuntimeSettings> copy, int field, Object expected) {}

  @Test
  void everyCopyChangesItsFieldAndNothingElse() {
    List<Change> changes = List.of(
        new Change(s -> s.withSnapshotEvery(BASE.snapshotEvery() + 7), 0, BASE.snapshotEvery() + 7),
        new Change(s -> s.withRecoverFromSnapshots(!BASE.recoverFromSnapshots()), 1, !BASE.recoverFromSnapshots()),
        new Change(s -> s.withAdoptJournaledOutputs(!BASE.adoptJournaledOutputs()), 2, !BASE.adoptJournaledOutputs()),
        new Change(s -> s.withMaxAttempts(BASE.maxAttempts() + 1), 3, BASE.maxAttempts() + 1),
        new Change(s -> s.withIdempotencyMaxKeys(BASE.idempotencyMaxKeys() + 1), 4, BASE.idempotencyMaxKeys() + 1),
        new Change(s -> s.withIdempotencyRetention(Duration.ofMinutes(3)), 5, Duration.ofMinutes(3)),
        new Change(s -> s.withIdempotencyRefuseWhenFull(!BASE.idempotencyRefuseWhenFull()), 6,
            !BASE.idempotencyRefuseWhenFull()),
        new Change(s -> s.withWindow(BASE.window() + 1), 7, BASE.window() + 1),
        new Change(s -> s.withMaxUnacked(BASE.maxUnacked() + 1), 8, BASE.maxUnacked() + 1),
        new Change(s -> s.withResendInterval(Duration.ofMillis(123)), 9, Duration.ofMillis(123)),
        new Change(s -> s.withResendMaxBackoff(Duration.ofMillis(4567)), 10, Duration.ofMillis(4567)),
        new Change(s -> s.withPassivateAfter(Duration.ofMinutes(17)), 11, Duration.ofMinutes(17)),
        new Change(s -> s.withHibernateAfter(Duration.ZERO), 12, Duration.ZERO),
        new Change(s -> s.withRestartMinBackoff(Duration.ofMillis(11)), 13, Duration.ofMillis(11)),
        new Change(s -> s.withRestartMaxBackoff(Duration.ofMillis(2222)), 14, Duration.ofMillis(2222)),
        new Change(s -> s.withAskTimeout(Duration.ofSeconds(9)), 15, Duration.ofSeconds(9)),
        new Change(s -> s.withTimerMaxSchedulerDelay(Duration.ofDays(2)), 16, Duration.ofDays(2)),
        new Change(s -> s.withMaxStepsPerWrite(BASE.maxStepsPerWrite() + 3), 17, BASE.maxStepsPerWrite() + 3));
    assertEquals(FIELDS.size(), changes.size(), "one copy per field");
    for (Change c : changes) {
      RuntimeSettings copy = c.copy().apply(BASE);
      for (int f = 0; f < FIELDS.size(); f++) {
        Object want = f == c.field() ? c.expected() : FIELDS.get(f).apply(BASE);
        assertEquals(want, FIELDS.get(f).apply(copy), "field " + f + " after changing field " + c.field());
      }
    }
    RuntimeSettings fresh = RuntimeSettings.fromConfig(ConfigFactory.load().getConfig("rsm.persistence"));
    for (Function<RuntimeSettings, Object> field : FIELDS)
      assertEquals(field.apply(fresh), field.apply(BASE), "the original is unchanged");
  }

  @Test
  void copiesAreValidatedAsTheConfigIs() {
    assertInvalid(() -> BASE.withSnapshotEvery(-1), "snapshot-every");
    assertInvalid(() -> BASE.withPassivateAfter(Duration.ZERO), "passivate-after");
    assertInvalid(() -> BASE.withHibernateAfter(Duration.ofSeconds(-1)), "hibernate-after");
    assertInvalid(() -> BASE.withMaxAttempts(0), "max-attempts");
    assertInvalid(() -> BASE.withMaxStepsPerWrite(0), "group-commit.max-steps");
    assertInvalid(() -> BASE.withIdempotencyMaxKeys(0), "idempotency.max-keys");
    assertInvalid(() -> BASE.withWindow(0), "delivery.window");
    assertInvalid(() -> BASE.withMaxUnacked(BASE.window() - 1), "delivery.max-unacked");
    assertInvalid(() -> BASE.withTimerMaxSchedulerDelay(Duration.ofDays(201)), "timers.max-scheduler-delay");
    assertThrows(NullPointerException.class, () -> BASE.withAskTimeout(null));
  }

  private static void assertInvalid(org.junit.jupiter.api.function.Executable copy, String key) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, copy);
    assertTrue(e.getMessage().startsWith("rsm.persistence." + key), e.getMessage());
  }
}
