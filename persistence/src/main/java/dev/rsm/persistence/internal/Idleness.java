package dev.rsm.persistence.internal;

import java.time.Duration;

/**
 * INTERNAL API. What an idle machine does when its idle check comes: a pure decision on how long it
 * has been without inputs and what it still waits for.
 *
 * <ul>
 *   <li>Passivate ({@code passivate-after} without inputs, and quiet: nothing unacknowledged,
 *       unwritten or waiting, no timer armed): the actor stops, and the next input recovers it.
 *   <li>Hibernate ({@code hibernate-after}, and settled: quiet but for armed timers): the actor
 *       keeps only the machine's state (see {@link MachineActor}).
 *   <li>Otherwise look again at the nearest threshold still ahead, or a whole period later for one
 *       that passed while work was pending.
 * </ul>
 */
final class Idleness {
  private Idleness() {}

  sealed interface Decision {}

  /** Stop the machine: nothing pending, no timer armed, idle for {@code passivate-after}. */
  enum Passivate implements Decision { INSTANCE }

  /**
   * Hibernate. A quiet machine (no timer armed) is passivated {@code passivateInNanos} later; one
   * with timers is woken by the first of them.
   */
  record Hibernate(boolean quiet, long passivateInNanos) implements Decision {}

  /** Look again after {@code in}. */
  record LookAgain(Duration in) implements Decision {}

  /**
   * @param idleNanos time since the last input (or state read)
   * @param settled nothing unacknowledged, unwritten or waiting to be handled
   * @param timersArmed whether the machine has durable timers armed
   * @param hibernateAfter zero when hibernation is off
   */
  static Decision decide(long idleNanos, boolean settled, boolean timersArmed, Duration passivateAfter,
      Duration hibernateAfter) {
    long passivateIn = passivateAfter.toNanos() - idleNanos;
    long hibernateIn = hibernateAfter.isZero() ? Long.MAX_VALUE : hibernateAfter.toNanos() - idleNanos;
    // A passivated machine has no actor left to fire its timers: only a quiet one may stop.
    boolean quiet = settled && !timersArmed;
    if (quiet && passivateIn <= 0) return Passivate.INSTANCE;
    if (settled && hibernateIn <= 0) return new Hibernate(quiet, passivateIn);
    return new LookAgain(nextLook(idleNanos, passivateAfter, hibernateAfter));
  }

  /**
   * When the idle check looks again, {@code idle} nanoseconds after the last input: at the nearest
   * threshold (passivation, hibernation if on) still ahead, or a whole period later for one that
   * passed while work was pending.
   */
  static Duration nextLook(long idle, Duration passivateAfter, Duration hibernateAfter) {
    long p = passivateAfter.toNanos(), h = hibernateAfter.toNanos();
    long next = idle < p ? p - idle : p;
    if (h > 0) next = Math.min(next, idle < h ? h - idle : h);
    return Duration.ofNanos(next);
  }
}
