package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import dev.rsm.persistence.internal.StepTaken.Sent;
import dev.rsm.persistence.internal.StepTaken.TimerSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * INTERNAL API. The one place where a handler's {@link Step} becomes the {@link StepTaken} the
 * journal records: each send numbered on its channel (the next number after the channel's last,
 * in order within the step), each timer change stamped with the machine's next timer generation
 * and, for a timer set, its deadline from the step's recorded time.
 *
 * <p>The live path records every step with it, replay records the handler's step again to compare
 * it with the journal's, and the testkit's {@code HandlerTester} checks steps with it: should two
 * of those disagree, every recovery would report a divergence that is not there.
 */
public final class StepRecorder {
  private StepRecorder() {}

  /** The channel numbers and timer generation a step is recorded against. */
  interface Numbers {
    /** The number the next send to {@code to} gets. */
    long nextSeq(Address to);

    /** The generation of the machine's last timer change. */
    long timerGeneration();
  }

  /**
   * The event of {@code step}, taken by a machine of {@code type} on {@code input} at {@code now}
   * with {@code seed}, after {@link #check checking} it against {@code targets}.
   */
  static StepTaken record(MachineType<?, ?> type, Function<String, MachineType<?, ?>> targets, Numbers s,
      Origin origin, Object input, long now, long seed, Step<?> step) {
    check(type, targets, step);
    return new StepTaken(origin, input, now, seed, sends(s, step), step.reply(), timers(s, step, now), null);
  }

  /** What {@link #record} would put in the event for {@code step}'s sends and timers, unchecked. */
  static List<Sent> sends(Numbers s, Step<?> step) {
    if (step.sends().isEmpty()) return List.of();
    int n = step.sends().size();
    List<Sent> sends = new ArrayList<>(n);
    Map<Address, Long> next = n == 1 ? null : new HashMap<>(4); // numbers several sends to one target
    for (Step.Send send : step.sends()) {
      long seq = next == null
          ? s.nextSeq(send.to())
          : next.merge(send.to(), s.nextSeq(send.to()), (a, b) -> a + 1);
      sends.add(new Sent(send.to(), seq, send.input()));
    }
    return sends;
  }

  static List<TimerSet> timers(Numbers s, Step<?> step, long now) {
    if (step.timers().isEmpty()) return List.of();
    List<TimerSet> ts = new ArrayList<>(step.timers().size());
    long gen = s.timerGeneration();
    for (Step.TimerOp op : step.timers())
      ts.add(op.isCancel()
          ? new TimerSet(op.name(), ++gen, 0, null)
          : new TimerSet(op.name(), ++gen, now + op.delay().toMillis(), op.input()));
    return ts;
  }

  /**
   * Throws {@link IllegalArgumentException} if a send's input is not an input of its target's type
   * or a timer's input not one of {@code type}'s. {@code targets} finds a target's type by name
   * (the registry: an unknown one throws {@link
   * dev.rsm.persistence.MachineRegistry.UnknownMachineTypeException}); null checks only sends to
   * {@code type} itself (the testkit, which knows one type).
   */
  public static void check(MachineType<?, ?> type, Function<String, MachineType<?, ?>> targets, Step<?> step) {
    for (Step.Send send : step.sends()) {
      MachineType<?, ?> target = targets != null ? targets.apply(send.to().type())
          : send.to().type().equals(type.name()) ? type : null;
      if (target != null && !target.accepts(send.input()))
        throw new IllegalArgumentException(MachineBehavior.describe(send.input())
            + " sent to " + send.to() + " is not an input of machine type " + target.name());
    }
    for (Step.TimerOp op : step.timers())
      if (!op.isCancel() && !type.accepts(op.input()))
        throw new IllegalArgumentException("timer " + op.name() + " input "
            + MachineBehavior.describe(op.input()) + " is not an input of machine type " + type.name());
  }
}
