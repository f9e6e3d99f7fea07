package dev.rsm.persistence.internal;

import dev.rsm.actors.Address;
import dev.rsm.actors.EffectResult;
import dev.rsm.actors.Reply;

/**
 * INTERNAL API. How calls, their answers and effects' outcomes travel and are journaled: as inputs
 * wrapped in these records, which the runtime (not the user's input types) defines. A handler never
 * sees them: {@link #forHandler} unwraps a call's request and turns an answer into the {@link
 * Reply}, an outcome into the {@link EffectResult}, the machine's handlers take. A journaled step
 * keeps the wrapper, so replay knows that the input was a call and must be answered.
 */
public final class Envelopes {
  private Envelopes() {}

  /** The name of the durable timer that ends the call number {@code call} to {@code callee}. */
  static String callTimer(Address callee, long call) {
    return "rsm.call:" + callee + "#" + call;
  }

  /** Whether a timer with this name times out a call (see {@link #callTimer}). */
  static boolean isCallTimer(String name) {
    return name.startsWith("rsm.call:");
  }

  /** The input a handler is given for {@code input}, as journaled or delivered. */
  static Object forHandler(Object input) {
    if (input instanceof CallRequest r) return r.input();
    if (input instanceof CallReply r) return r.toReply();
    if (input instanceof EffectOutcome o) return o.toResult();
    return input;
  }

  /** The user input {@code input} carries: a call's request, else the input itself. */
  static Object userInput(Object input) {
    return input instanceof CallRequest r ? r.input() : input;
  }

  /** A call: {@code input} is the callee's input; the callee's step answers with a {@link CallReply}. */
  public record CallRequest(@Payload Object input) implements RsmSerializable {}

  /**
   * The answer to the call numbered {@code call} on the channel from the caller to {@code callee};
   * sent by the callee's step (OK, REJECTED) or, as the input of the call's timeout timer, armed
   * by the caller (TIMED_OUT).
   */
  public record CallReply(Address callee, long call, @Payload Object request, Reply.Status status,
      @Payload Object value, String error) implements RsmSerializable {
    Reply<Object> toReply() {
      return new Reply<>(callee, call, request, status, value, error);
    }
  }

  /**
   * The outcome of the effect {@code id} (the requesting step's sequence number and the effect's
   * position in it: {@code "seqNr/index"}) of the machine it is delivered to.
   */
  public record EffectOutcome(String id, String name, String key, @Payload Object request, boolean ok,
      @Payload Object value, String error, int attempts) implements RsmSerializable {
    EffectResult<Object> toResult() {
      return new EffectResult<>(name, key, request, ok, value, error, attempts);
    }
  }
}
