package dev.rsm.testkit.machines;

import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NOT failure-transparent, on purpose: it deduplicates deposits by reference in a static set, i.e.
 * in memory outside its state. Without crashes it works; when it is rebuilt from its journal, the
 * replayed deposits are "already seen" and skipped, so its balance comes out too low. Its outputs
 * and replies do not change, so recovery's own replay check cannot see it.
 */
public final class Forgetful extends Machine<Forgetful.Input, Forgetful.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("forgetful", Forgetful::new);

  /** The mistake: state that survives neither a crash nor a replay. Cleared before each run. */
  public static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

  public sealed interface Input permits Deposit {}

  public record Deposit(String ref, long amount) implements Input {}

  public record State(long balance) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Deposit.class, (s, d, ctx) -> {
          if (!SEEN.add(ctx.self().id() + "/" + d.ref())) return Step.<State>stay().reply("ok");
          return Step.to(new State(s.balance() + d.amount())).reply("ok");
        })
        .build();
  }
}
