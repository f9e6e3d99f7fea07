package dev.rsm.actors;

/**
 * A reliable state machine: what a user writes. Subclass it with a sealed interface of input
 * records {@code I} and a state record {@code S}, give the initial state and one handler per input:
 *
 * <pre>{@code
 * public final class Counter extends Machine<Counter.Input, Counter.State> {
 *   public static final MachineType<Input, State> TYPE = MachineType.of("counter", Counter::new);
 *   public sealed interface Input permits Add {}
 *   public record Add(long n) implements Input {}
 *   public record State(long total) {}
 *
 *   public State initialState() { return new State(0); }
 *
 *   protected Handlers<Input, State> handlers() {
 *     return newHandlers()
 *         .on(Add.class, (s, add, ctx) -> Step.to(new State(s.total() + add.n())).reply(s.total() + add.n()))
 *         .build();
 *   }
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * The runtime runs every machine as if it never failed:
 *
 * <ul>
 *   <li><b>Exactly once.</b> Every accepted input changes the state and emits its outputs exactly
 *       once, whatever crashes, restarts, redeliveries or node moves happen. The state change, the
 *       deduplication mark and the outputs are one journal write.
 *   <li><b>Per-channel FIFO.</b> Inputs machine A sends to machine B are handled by B in the order
 *       A's steps emitted them.
 *   <li><b>Always alive.</b> A machine's state, unsent outputs and armed timers survive process
 *       death; the machine resumes elsewhere.
 *   <li><b>Deterministic replay.</b> State is rebuilt by re-running the handlers over the journal
 *       with the recorded {@link Context} values; if a handler now produces different outputs than
 *       the journal holds, recovery fails loudly instead of diverging silently.
 * </ul>
 *
 * <h2>Limits</h2>
 *
 * Exactly-once covers what the framework controls: state, sends and calls between machines, timers,
 * effects' outcomes and replies to callers that retry with the same idempotency key. Work outside
 * the framework (a payment, an e-mail) is requested with {@link Step#effect}: it runs at least once
 * with a stable idempotency key, never inside a handler; handlers must not perform it themselves.
 *
 * <h2>Rules for handlers</h2>
 *
 * Deterministic (see {@link Handler}); inputs, state and replies are records (or strings, numbers,
 * booleans) that Jackson can serialize without help, and contain no Pekko types. A machine instance
 * holds no mutable fields: one instance serves every machine of its type.
 *
 * @param <I> the input type: a sealed interface of records
 * @param <S> the state type: an immutable record
 */
public abstract class Machine<I, S> {
  private volatile Handlers<I, S> handlers;
  private Class<I> inputType;

  /** The state of a machine that has handled no input yet. */
  public abstract S initialState();

  /** The handlers, one per input record; built once per machine type. */
  protected abstract Handlers<I, S> handlers();

  /** Starts the dispatch table; finish it with {@link Handlers.Builder#build()}. */
  protected final Handlers.Builder<I, S> newHandlers() {
    return new Handlers.Builder<>(inputType);
  }

  final void bind(Class<I> inputType) {
    this.inputType = inputType;
    this.handlers = handlers();
  }

  /**
   * Runs the handler for {@code input}: pure, no side effects. This is what the runtime calls, and
   * what a unit test calls to check a handler without any actor system.
   *
   * @throws IllegalStateException if the machine was not created through its {@link MachineType}
   */
  public final Step<S> handle(S state, I input, Context ctx) {
    return table().dispatch(state, input, ctx);
  }

  /**
   * Runs the handler for the answer to one of this machine's calls: what the runtime calls when a
   * {@link Reply} arrives, and what a unit test calls to check a reply handler.
   */
  public final Step<S> handleReply(S state, Reply<?> reply, Context ctx) {
    return table().dispatch(state, reply, ctx);
  }

  /** Runs the handler for the outcome of one of this machine's effects (see {@link #handleReply}). */
  public final Step<S> handleEffect(S state, EffectResult<?> result, Context ctx) {
    return table().dispatch(state, result, ctx);
  }

  /** The bound dispatch table. */
  final Handlers<I, S> table() {
    Handlers<I, S> h = handlers;
    if (h == null)
      throw new IllegalStateException(
          getClass().getName() + " must be used through its MachineType (MachineType.of)");
    return h;
  }
}
