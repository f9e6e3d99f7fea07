package dev.rsm.bench;

import dev.rsm.actors.Address;
import dev.rsm.actors.Context;
import dev.rsm.actors.Handlers;
import dev.rsm.actors.Machine;
import dev.rsm.actors.Reply;
import dev.rsm.actors.Step;

/**
 * The calls workload's machine: the rsm workload's token, moved by calls instead of sends. A token
 * at machine A calls machine B with a {@link Ping} (one step at B, which replies), and the reply
 * is one step at A, which calls the next machine. A call and its answer are two steps, as a send
 * there and a send back would be: the workload's messages per second, over the rsm workload's,
 * is what a call costs against two sends.
 */
public final class CallMachine extends Machine<CallMachine.Input, CallMachine.State> {

  public sealed interface Input permits Inject, Ping {}

  /** Start token {@code token} (from the driver). */
  public record Inject(int token, int machines, String payload) implements Input {}

  /** Hop {@code hop} of token {@code token}, a call; answered with {@code true}. */
  public record Ping(int token, long hop, int machines, String payload) implements Input {}

  public record State(long steps) {}

  @Override
  public State initialState() {
    return new State(0);
  }

  @Override
  protected Handlers<Input, State> handlers() {
    return newHandlers()
        .on(Inject.class, (s, in, ctx) -> Step.<State>stay()
            .call(next(ctx, in.token(), 0, in.machines()), new Ping(in.token(), 1, in.machines(), in.payload()), null)
            .reply(Boolean.TRUE))
        .on(Ping.class, (s, p, ctx) -> Step.to(new State(s.steps() + 1)).reply(Boolean.TRUE))
        .onReply(Ping.class, this::answered)
        .build();
  }

  private Step<State> answered(State s, Reply<Ping> r, Context ctx) {
    Ping p = r.request();
    return Step.to(new State(s.steps() + 1))
        .call(next(ctx, p.token(), p.hop(), p.machines()), new Ping(p.token(), p.hop() + 1, p.machines(), p.payload()), null);
  }

  private static Address next(Context ctx, int token, long hop, int machines) {
    int n = Route.next(token, hop, Route.index(ctx.self().id()), machines);
    return new Address(ctx.self().type(), "m-" + n);
  }
}
