package dev.rsm.persistence.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.time.Duration;

/**
 * Values that do not survive a journal round trip as {@code equals} objects: records holding
 * arrays (compared by identity) and numbers in {@code Object}-typed fields (a {@code Long} comes
 * back as an {@code Integer}). They are in its replies, sends and timer inputs.
 */
public final class Shapes extends Machine<Shapes.Input, Shapes.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("shapes", Shapes::new);

  public sealed interface Input permits Add, Forward, Carry {}

  public record Add(long n) implements Input {}

  /** Adds here, sends {@code Carry} to {@code to} and arms a timer carrying one too. */
  public record Forward(String to, long n) implements Input {}

  public record Carry(long[] values, Object number) implements Input {}

  public record State(long total) {}

  public record Echo(long[] totals, Object total) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Add.class, (s, a, ctx) -> add(s, a.n()))
        .on(Forward.class, (s, f, ctx) -> add(s, f.n())
            .send(TYPE, f.to(), new Carry(new long[] {f.n()}, f.n()))
            .startTimer("later", Duration.ofHours(1), new Carry(new long[] {f.n()}, f.n())))
        .on(Carry.class, (s, c, ctx) -> add(s, c.values()[0]))
        .build();
  }

  private static Step<State> add(State s, long n) {
    long total = s.total() + n;
    return Step.to(new State(total)).reply(new Echo(new long[] {total}, total));
  }
}
