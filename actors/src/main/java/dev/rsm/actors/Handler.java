package dev.rsm.actors;

/**
 * Handles one kind of input. Must be deterministic: the step may depend only on the state, the
 * input and the {@link Context}. It must not perform I/O, read the clock, or keep mutable state
 * outside the returned step; replay re-runs it and checks that it produces the journaled outputs.
 *
 * <p>Throwing an exception rejects the input: nothing is journaled and the state is unchanged.
 */
@FunctionalInterface
public interface Handler<S, T> {
  Step<S> apply(S state, T input, Context ctx);
}
