package dev.rsm.bench;

import dev.rsm.actors.Address;
import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.Step;

/**
 * The rsm workload's machine, {@code m-0 .. m-(N-1)}: a {@link Token} arriving from another machine
 * is one step (one journaled {@code StepTaken}) that counts it and sends it on to the next machine,
 * exactly once. {@link Inject} (from the driver) puts a token into circulation.
 */
public final class HopMachine extends Machine<HopMachine.Input, HopMachine.State> {

  public sealed interface Input permits Inject, Token {}

  /** Start token {@code token}; it travels {@code ttl} hops, or forever when {@code ttl < 0}. */
  public record Inject(int token, int ttl, int machines, String payload) implements Input {}

  /** Hop number {@code hop} of token {@code token}; {@code ttl} hops are left (-1: forever). */
  public record Token(int token, long hop, int ttl, int machines, String payload) implements Input {}

  public record State(long hops) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers().on(Inject.class, this::inject).on(Token.class, this::token).build();
  }

  private Step<State> inject(State s, Inject in, Context ctx) {
    return Step.<State>stay()
        .send(next(ctx, in.token(), 0, in.machines()), new Token(in.token(), 1, in.ttl(), in.machines(), in.payload()))
        .reply(Boolean.TRUE);
  }

  private Step<State> token(State s, Token t, Context ctx) {
    Step<State> step = Step.to(new State(s.hops() + 1));
    if (t.ttl() == 1) return step;
    return step.send(next(ctx, t.token(), t.hop(), t.machines()),
        new Token(t.token(), t.hop() + 1, t.ttl() < 0 ? -1 : t.ttl() - 1, t.machines(), t.payload()));
  }

  private static Address next(Context ctx, int token, long hop, int machines) {
    int n = Route.next(token, hop, Route.index(ctx.self().id()), machines);
    return new Address(ctx.self().type(), "m-" + n);
  }
}
