package dev.rsm.app.machines;

import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Spray} sends {@code count} numbered {@link Hit}s to each target in one step; a target
 * checks per sender that numbers arrive 1, 2, 3, ... (loss, duplicates or reordering show up in
 * {@code violations}).
 */
public final class Sprayer extends Machine<Sprayer.Input, Sprayer.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("sprayer", Sprayer::new);

  public sealed interface Input permits Spray, Hit {}

  public record Spray(List<String> targets, int count) implements Input {}

  public record Hit(String from, long n) implements Input {}

  public record State(Map<String, Long> sent, Map<String, Long> lastFrom, long hits, long violations) {}

  @Override
  public State initialState() {
    return new State(Map.of(), Map.of(), 0, 0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers().on(Spray.class, this::spray).on(Hit.class, this::hit).build();
  }

  private Step<State> spray(State s, Spray sp, Context ctx) {
    Map<String, Long> sent = new HashMap<>(s.sent());
    Step<State> step = Step.to(new State(sent, s.lastFrom(), s.hits(), s.violations()));
    for (String t : sp.targets()) {
      long base = sent.getOrDefault(t, 0L);
      for (int i = 1; i <= sp.count(); i++) step.send(TYPE, t, new Hit(ctx.self().id(), base + i));
      sent.put(t, base + sp.count());
    }
    return step.reply(sp.count() * sp.targets().size());
  }

  private Step<State> hit(State s, Hit h, Context ctx) {
    long last = s.lastFrom().getOrDefault(h.from(), 0L);
    Map<String, Long> lastFrom = new HashMap<>(s.lastFrom());
    lastFrom.put(h.from(), h.n());
    return Step.to(new State(s.sent(), lastFrom, s.hits() + 1, s.violations() + (h.n() == last + 1 ? 0 : 1)));
  }
}
