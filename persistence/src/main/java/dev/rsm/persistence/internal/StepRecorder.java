package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Reply;
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

    /** Whether the timer {@code name} is armed. */
    boolean timerArmed(String name);
  }

  /**
   * The event of {@code step}, taken by the machine {@code self} of {@code type} on {@code input}
   * (as delivered: a call's request still wrapped) at {@code now} with {@code seed}, after {@link
   * #check checking} it against {@code targets}.
   */
  static StepTaken record(MachineType<?, ?> type, Function<String, MachineType<?, ?>> targets, Numbers s,
      Address self, Origin origin, Object input, long now, long seed, Step<?> step) {
    check(type, targets, step);
    List<Sent> sends = sends(s, step, self, origin, input);
    return new StepTaken(origin, input, now, seed, sends, step.reply(), timers(s, step, now, sends, origin, input),
        null, effects(step));
  }

  /**
   * What {@link #record} would put in the event for {@code step}'s sends, unchecked: its sends and
   * calls, numbered on their channels in the order they were made, then, when {@code input} is a
   * call, the answer to the caller.
   */
  static List<Sent> sends(Numbers s, Step<?> step, Address self, Origin origin, Object input) {
    boolean answers = input instanceof Envelopes.CallRequest && origin instanceof Origin.Channel;
    if (step.sends().isEmpty() && !answers) return List.of();
    int n = step.sends().size() + (answers ? 1 : 0);
    List<Sent> sends = new ArrayList<>(n);
    Map<Address, Long> next = n == 1 ? null : new HashMap<>(4); // numbers several sends to one target
    for (Step.Send send : step.sends()) {
      Object wire = send.call() ? new Envelopes.CallRequest(send.input()) : send.input();
      sends.add(new Sent(send.to(), number(s, next, send.to()), wire));
    }
    if (answers) {
      Origin.Channel c = (Origin.Channel) origin;
      Object request = ((Envelopes.CallRequest) input).input();
      sends.add(new Sent(c.from(), number(s, next, c.from()),
          new Envelopes.CallReply(self, c.seq(), request, Reply.Status.OK, step.reply(), null)));
    }
    return sends;
  }

  private static long number(Numbers s, Map<Address, Long> next, Address to) {
    return next == null ? s.nextSeq(to) : next.merge(to, s.nextSeq(to), (a, b) -> a + 1);
  }

  /**
   * The answer a rejected {@code input} owes its caller when it is a call (else none): the callee
   * {@code self} refused it for {@code reason}.
   */
  static List<Sent> refusal(Numbers s, Address self, Origin origin, Object input, String reason) {
    if (!(input instanceof Envelopes.CallRequest r) || !(origin instanceof Origin.Channel c)) return List.of();
    return List.of(new Sent(c.from(), s.nextSeq(c.from()),
        new Envelopes.CallReply(self, c.seq(), r.input(), Reply.Status.REJECTED, null, reason)));
  }

  /**
   * What {@link #record} would put in the event for {@code step}'s timer changes, given its {@code
   * sends} as recorded: the handler's own, then a timeout timer per call that has one, then, when
   * {@code input} is the answer to a call whose timeout timer is armed, that timer's cancellation.
   */
  static List<TimerSet> timers(Numbers s, Step<?> step, long now, List<Sent> sends, Origin origin, Object input) {
    String answered = input instanceof Envelopes.CallReply r && origin instanceof Origin.Channel c
        && s.timerArmed(Envelopes.callTimer(c.from(), r.call())) ? Envelopes.callTimer(c.from(), r.call()) : null;
    boolean timeouts = false;
    for (Step.Send send : step.sends()) timeouts |= send.timeout() != null;
    if (step.timers().isEmpty() && !timeouts && answered == null) return List.of();
    List<TimerSet> ts = new ArrayList<>(step.timers().size() + 1);
    long gen = s.timerGeneration();
    for (Step.TimerOp op : step.timers())
      ts.add(op.isCancel()
          ? new TimerSet(op.name(), ++gen, 0, null)
          : new TimerSet(op.name(), ++gen, now + op.delay().toMillis(), op.input()));
    if (timeouts)
      for (int i = 0; i < step.sends().size(); i++) {
        Step.Send send = step.sends().get(i);
        if (send.timeout() == null) continue;
        long call = sends.get(i).seq();
        ts.add(new TimerSet(Envelopes.callTimer(send.to(), call), ++gen, now + send.timeout().toMillis(),
            new Envelopes.CallReply(send.to(), call, send.input(), Reply.Status.TIMED_OUT, null,
                "no answer within " + send.timeout())));
      }
    if (answered != null) ts.add(new TimerSet(answered, ++gen, 0, null));
    return ts;
  }

  /** The effects {@code step} requests, as journaled. */
  static List<StepTaken.EffectAsked> effects(Step<?> step) {
    if (step.effects().isEmpty()) return List.of();
    List<StepTaken.EffectAsked> out = new ArrayList<>(step.effects().size());
    for (Step.Effect e : step.effects()) out.add(new StepTaken.EffectAsked(e.name(), e.request()));
    return out;
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
        throw new IllegalArgumentException(StepRecorder.describe(send.input())
            + " sent to " + send.to() + " is not an input of machine type " + target.name());
    }
    for (Step.TimerOp op : step.timers()) {
      if (Envelopes.isCallTimer(op.name()))
        throw new IllegalArgumentException("timer name " + op.name() + " is reserved for calls' timeouts");
      if (!op.isCancel() && !type.accepts(op.input()))
        throw new IllegalArgumentException("timer " + op.name() + " input "
            + StepRecorder.describe(op.input()) + " is not an input of machine type " + type.name());
    }
    for (Step.Send send : step.sends())
      if (send.call() && !type.handlesRepliesTo(send.input().getClass()))
        throw new IllegalArgumentException("a call of " + StepRecorder.describe(send.input()) + " to " + send.to()
            + " has no reply handler in machine type " + type.name() + ": add onReply("
            + send.input().getClass().getSimpleName() + ".class, ...)");
    for (Step.Effect e : step.effects())
      if (!type.handlesEffect(e.name()))
        throw new IllegalArgumentException("effect " + e.name() + " has no outcome handler in machine type "
            + type.name() + ": add onEffect(\"" + e.name() + "\", ...)");
  }

  /** An input or value for a log line: its class's simple name and its fields. */
  static String describe(Object o) {
    return o == null ? "null" : o.getClass().getSimpleName() + String.valueOf(o).replaceFirst("^[^\\[]*", "");
  }
}
