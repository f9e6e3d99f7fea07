package dev.rsm.bench;

import dev.rsm.actors.Address;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.MachineType;
import dev.rsm.actors.Step;

/**
 * The heap mode's busiest kind of machine: one that external callers send many inputs with
 * idempotency keys ({@link Add}) and that exchanges messages with many other machines: told to
 * {@link Pay} a peer, it sends it a {@link Credit}, and the peer credits it back  Every peer then
 * has a channel to it and it one to every peer, each way.
 */
public final class HubMachine extends Machine<HubMachine.Input, HubMachine.State> {
  public static MachineType<Input, State> type(String name) {
    return MachineType.of(name, HubMachine::new);
  }

  public sealed interface Input permits Add, Pay, Credit {}

  public record Add(long n) implements Input {}

  public record Pay(String type, String id) implements Input {}

  /** A credit; {@code backType}/{@code backId} name the machine to credit in return, or are null. */
  public record Credit(long n, String backType, String backId) implements Input {}

  public record State(long total) {}

  public record Total(long total) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Add.class, (s, a, ctx) -> Step.to(new State(s.total() + a.n())).reply(new Total(s.total() + a.n())))
        .on(Pay.class, (s, p, ctx) -> Step.<State>stay()
            .send(new Address(p.type(), p.id()), new Credit(1, ctx.self().type(), ctx.self().id())))
        .on(Credit.class, (s, c, ctx) -> c.backId() == null
            ? Step.to(new State(s.total() + c.n()))
            : Step.to(new State(s.total() + c.n()))
                .send(new Address(c.backType(), c.backId()), new Credit(c.n(), null, null)))
        .build();
  }
}
