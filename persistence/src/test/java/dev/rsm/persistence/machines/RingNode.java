package dev.rsm.persistence.machines;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.util.HashMap;
import java.util.Map;

/**
 * A node of a ring {@code ring-0 .. ring-(size-1)}. {@link Emit} starts numbered messages to the
 * next node; each {@link Hop} is forwarded until its hops run out. Every node checks, per incoming
 * channel, that message numbers arrive as 1, 2, 3, ...: any loss, duplicate or reordering shows up
 * in {@code violations}, and {@code lastFrom} tells how many messages each channel delivered.
 */
public final class RingNode extends Machine<RingNode.Input, RingNode.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("ring", RingNode::new);

  public sealed interface Input permits Emit, Hop {}

  /** Send {@code count} new messages, each travelling {@code hops} hops. */
  public record Emit(int count, int hops, int size) implements Input {}

  /** Message number {@code n} on the channel from {@code from}. */
  public record Hop(String from, long n, int hopsLeft, int size) implements Input {}

  public record State(
      Map<String, Long> lastFrom, Map<String, Long> sentTo, long handled, long violations) {}

  @Override
  public State initialState() {
    return new State(Map.of(), Map.of(), 0, 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers().on(Emit.class, this::emit).on(Hop.class, this::hop).build();
  }

  private Step<State> emit(State s, Emit e, Context ctx) {
    String next = next(ctx.self().id(), e.size());
    long sent = s.sentTo().getOrDefault(next, 0L);
    Step<State> step = Step.to(withSent(s, next, sent + e.count(), s.lastFrom(), s.handled(), s.violations()));
    for (int i = 1; i <= e.count(); i++)
      step.send(TYPE, next, new Hop(ctx.self().id(), sent + i, e.hops(), e.size()));
    return step.reply(sent + e.count());
  }

  private Step<State> hop(State s, Hop h, Context ctx) {
    long last = s.lastFrom().getOrDefault(h.from(), 0L);
    long violations = s.violations() + (h.n() == last + 1 ? 0 : 1);
    Map<String, Long> lastFrom = new HashMap<>(s.lastFrom());
    lastFrom.put(h.from(), h.n());
    if (h.hopsLeft() <= 1)
      return Step.to(new State(lastFrom, s.sentTo(), s.handled() + 1, violations));
    String next = next(ctx.self().id(), h.size());
    long n = s.sentTo().getOrDefault(next, 0L) + 1;
    return Step.to(withSent(s, next, n, lastFrom, s.handled() + 1, violations))
        .send(TYPE, next, new Hop(ctx.self().id(), n, h.hopsLeft() - 1, h.size()));
  }

  private static State withSent(State s, String to, long n, Map<String, Long> lastFrom, long handled, long violations) {
    Map<String, Long> sentTo = new HashMap<>(s.sentTo());
    sentTo.put(to, n);
    return new State(lastFrom, sentTo, handled, violations);
  }

  public static String next(String id, int size) {
    int i = Integer.parseInt(id.substring(id.indexOf('-') + 1));
    return "ring-" + ((i + 1) % size);
  }
}
