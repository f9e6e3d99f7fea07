package dev.rsm.persistence.machines;

import dev.rsm.actors.Context;
import dev.rsm.actors.EffectResult;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Reply;
import dev.rsm.actors.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes calls and requests effects, and records every answer and outcome it handles, in order: a
 * call to a {@link Counter} answered twice, or an effect's outcome handled twice, shows up as a
 * second entry.
 */
public final class Buyer extends Machine<Buyer.Input, Buyer.State> {
  public static final MachineType<Input, State> TYPE = MachineType.of("buyer", Buyer::new);
  public static final String PAY = "pay";

  public sealed interface Input permits CallCounter, CallFragile, Pay {}

  /** Calls the counter {@code counter} with {@code Add(n)}; {@code timeoutMs} 0 means no timeout. */
  public record CallCounter(String counter, long n, long timeoutMs) implements Input {}

  /** Calls the fragile {@code fragile} with {@code Boom} (rejected there) or a value. */
  public record CallFragile(String fragile, boolean boom) implements Input {}

  /** Requests the effect {@link #PAY} for {@code item}. */
  public record Pay(String item, long cents) implements Input {}

  /** The effect's request. */
  public record Charge(String item, long cents) {}

  /** Each entry: what was handled ("counter c1 OK 5", "pay item-1 ok ch-1 after 2", ...). */
  public record State(List<String> handled) {
    State plus(String entry) {
      List<String> l = new ArrayList<>(handled);
      l.add(entry);
      return new State(l);
    }
  }

  @Override
  public State initialState() {
    return new State(List.of());
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(CallCounter.class, (s, c, ctx) -> c.timeoutMs() > 0
            ? Step.<State>stay().call(Counter.TYPE, c.counter(), new Counter.Add(c.n()), Duration.ofMillis(c.timeoutMs()))
            : Step.<State>stay().call(Counter.TYPE, c.counter(), new Counter.Add(c.n())))
        .on(CallFragile.class, (s, c, ctx) -> Step.<State>stay().call(Fragile.TYPE, c.fragile(),
            c.boom() ? new Fragile.Boom("called") : new Fragile.Value(7)))
        .on(Pay.class, (s, p, ctx) -> Step.<State>stay().effect(PAY, new Charge(p.item(), p.cents())).reply(p.item()))
        .onReply(Counter.Add.class, this::counted)
        .onReply(Fragile.Boom.class, (s, r, ctx) -> Step.to(s.plus("fragile " + r.from().id() + " " + r.status())))
        .onReply(Fragile.Value.class, (s, r, ctx) -> Step.to(s.plus("fragile " + r.from().id() + " " + r.status()
            + " " + r.value())))
        .onEffect(PAY, Charge.class, this::paid)
        .build();
  }

  private Step<State> counted(State s, Reply<Counter.Add> r, Context ctx) {
    String v = r.ok() ? " " + r.value(Counter.Total.class).total() : "";
    return Step.to(s.plus("counter " + r.from().id() + " " + r.request().n() + " " + r.status() + v));
  }

  private Step<State> paid(State s, EffectResult<Charge> r, Context ctx) {
    return Step.to(s.plus(PAY + " " + r.request().item() + " " + (r.ok() ? "ok " + r.value() : "failed")
        + " after " + r.attempts() + " key " + r.key()));
  }
}
