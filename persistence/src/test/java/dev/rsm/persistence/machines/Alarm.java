package dev.rsm.persistence.machines;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Arms, re-arms and cancels named durable timers and records every ring with the recorded time it
 * was handled at, so a test can see how often, in which generation and when each timer fired. A
 * ring may tell a {@link Counter} (so a test can watch the firing without touching the alarm) and
 * may re-arm itself ({@code times > 1}).
 */
public final class Alarm extends Machine<Alarm.Input, Alarm.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("alarm", Alarm::new);

  public sealed interface Input permits Arm, Cancel, Ring {}

  /**
   * Arms (or re-arms) timer {@code name} to ring {@code label} after {@code delayMillis}, {@code
   * times} times in a row (each ring re-arms it); each ring adds 1 to counter {@code tell} if set.
   */
  public record Arm(String name, long delayMillis, String label, int times, String tell) implements Input {
    public static Arm once(String name, long delayMillis, String label) {
      return new Arm(name, delayMillis, label, 1, null);
    }
  }

  public record Cancel(String name) implements Input {}

  /** The timer input: what a firing of timer {@code name} delivers. */
  public record Ring(String name, String label, long delayMillis, int left, String tell) implements Input {}

  /** One handled firing: timer, label, recorded time. */
  public record Rang(String name, String label, long at) {}

  public record State(List<Rang> rang) {}

  /** Reply to {@link Arm}: the recorded time of the step and the deadline it set. */
  public record Armed(long at, long deadline) {}

  @Override
  public State initialState() {
    return new State(List.of());
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Arm.class, (s, a, ctx) -> {
          long now = ctx.now().toEpochMilli();
          return Step.<State>stay()
              .startTimer(a.name(), Duration.ofMillis(a.delayMillis()),
                  new Ring(a.name(), a.label(), a.delayMillis(), a.times(), a.tell()))
              .reply(new Armed(now, now + a.delayMillis()));
        })
        .on(Cancel.class, (s, c, ctx) -> Step.<State>stay().cancelTimer(c.name()).reply("cancelled " + c.name()))
        .on(Ring.class, this::ring)
        .build();
  }

  private Step<State> ring(State s, Ring r, Context ctx) {
    List<Rang> rang = new ArrayList<>(s.rang());
    rang.add(new Rang(r.name(), r.label(), ctx.now().toEpochMilli()));
    Step<State> step = Step.to(new State(rang));
    if (r.left() > 1)
      step.startTimer(r.name(), Duration.ofMillis(r.delayMillis()),
          new Ring(r.name(), r.label(), r.delayMillis(), r.left() - 1, r.tell()));
    if (r.tell() != null) step.send(Counter.TYPE, r.tell(), new Counter.Add(1));
    return step;
  }
}
