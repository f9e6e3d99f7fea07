package dev.rsm.persistence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An idle machine passivates only when quiet (nothing pending, no timer armed), hibernates when
 * settled (timers allowed), and otherwise looks again at the nearest threshold still ahead.
 */
class IdlenessTest {
  static final Duration PASSIVATE = Duration.ofSeconds(120), HIBERNATE = Duration.ofSeconds(30);
  static final long S = 1_000_000_000L;

  static Idleness.Decision at(long idleSeconds, boolean settled, boolean timers) {
    return Idleness.decide(idleSeconds * S, settled, timers, PASSIVATE, HIBERNATE);
  }

  @Test
  void beforeAnyThresholdItLooksAgainAtTheNearest() {
    assertEquals(new Idleness.LookAgain(Duration.ofSeconds(20)), at(10, true, false));
    assertEquals(new Idleness.LookAgain(Duration.ofSeconds(30)), Idleness.decide(0, true, false, PASSIVATE, HIBERNATE));
  }

  @Test
  void aSettledMachineHibernatesAndOneWithoutTimersIsPassivatedLater() {
    assertEquals(new Idleness.Hibernate(true, 90 * S), at(30, true, false));
    assertEquals(new Idleness.Hibernate(false, 90 * S), at(30, true, true));
  }

  @Test
  void onlyAQuietMachinePassivates() {
    assertEquals(Idleness.Passivate.INSTANCE, at(120, true, false));
    // armed timers: a passivated machine could not fire them; it hibernates instead
    assertEquals(new Idleness.Hibernate(false, 0), at(120, true, true));
  }

  @Test
  void pendingWorkKeepsItAwakeAndItLooksAgainAWholePeriodLater() {
    // past both thresholds while outputs wait for acknowledgements: the next look is a period on
    assertEquals(new Idleness.LookAgain(HIBERNATE), at(150, false, false));
    assertEquals(new Idleness.LookAgain(Duration.ofSeconds(20)), at(10, false, false));
  }

  @Test
  void withHibernationOffOnlyPassivationCounts() {
    assertEquals(new Idleness.LookAgain(Duration.ofSeconds(80)),
        Idleness.decide(40 * S, true, false, PASSIVATE, Duration.ZERO));
    assertEquals(Idleness.Passivate.INSTANCE, Idleness.decide(121 * S, true, false, PASSIVATE, Duration.ZERO));
  }
}
