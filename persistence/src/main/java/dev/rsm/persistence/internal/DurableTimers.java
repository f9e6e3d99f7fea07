package dev.rsm.persistence.internal;

import dev.rsm.persistence.RuntimeSettings;
import dev.rsm.persistence.internal.MachineSnapshot.Armed;
import dev.rsm.persistence.internal.Protocol.Command;
import dev.rsm.persistence.internal.Protocol.TimerFired;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * INTERNAL API. The scheduler side of a machine's durable timers: one scheduled {@link TimerFired}
 * per armed timer, by name. What is armed, and until when, is in the machine's state (journaled);
 * this only makes the firings arrive. A firing carries its timer's generation, so one from before a
 * re-arm, a cancel or a restart is recognised as stale when it arrives (see MachineBehavior).
 *
 * <p>Plain cancellable schedules, not Pekko's {@code TimerScheduler}, which would stay in the
 * actor's context (its map and wrappers) even while the machine hibernates. A machine creates this
 * with its first armed timer.
 */
final class DurableTimers {
  private final ActorContext<Command> ctx;
  private final RuntimeSettings settings;
  private final Clock clock;
  private final HashMap<String, Cancellable> scheduled = new HashMap<>(2);

  DurableTimers(ActorContext<Command> ctx, RuntimeSettings settings, Clock clock) {
    this.ctx = ctx;
    this.settings = settings;
    this.clock = clock;
  }

  /** Schedules {@code fired} after {@code delay}, replacing what was scheduled under {@code name}. */
  void start(String name, TimerFired fired, Duration delay) {
    Cancellable before = scheduled.put(name, ctx.scheduleOnce(delay, ctx.getSelf(), fired));
    if (before != null) before.cancel();
  }

  void cancel(String name) {
    Cancellable c = scheduled.remove(name);
    if (c != null) c.cancel();
  }

  /**
   * Schedules {@code armed}'s firing, or cancels {@code name}'s when null. Pekko's scheduler
   * rejects delays beyond about 248 days (with the default 10 ms tick), which would fail the step
   * after its journal write and then every recovery: longer timers wait in chunks of {@code
   * timers.max-scheduler-delay}, and a firing before the deadline only re-arms.
   */
  void armOrCancel(String name, Armed armed) {
    if (armed == null) cancel(name);
    else start(name, new TimerFired(name, armed.generation()), untilDue(armed));
  }

  /** How long the scheduler waits for a timer: until its deadline, in chunks (see armOrCancel). */
  Duration untilDue(Armed armed) {
    return Duration.ofMillis(Math.min(settings.timerMaxSchedulerDelay().toMillis(),
        Math.max(0, armed.deadline() - clock.millis())));
  }

  /**
   * A hibernating machine with armed timers keeps one scheduled message: the firing of the timer
   * due first, which wakes it (see MachineActor). The woken machine re-arms every timer from its
   * state, and a firing that arrives twice is stale the second time.
   */
  Cancellable wakeForFirst(Map<String, Armed> timers) {
    Map.Entry<String, Armed> first = null;
    for (Map.Entry<String, Armed> t : timers.entrySet())
      if (first == null || t.getValue().deadline() < first.getValue().deadline()) first = t;
    return ctx.scheduleOnce(untilDue(first.getValue()), ctx.getSelf(),
        new TimerFired(first.getKey(), first.getValue().generation()));
  }

  /** On hibernation, restart and stop. */
  void cancelAll() {
    scheduled.values().forEach(Cancellable::cancel);
    scheduled.clear();
  }
}
